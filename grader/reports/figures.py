"""Geometry for the report's pictures: turns a Figure's plain data into shapes for the SVG templates.

No plotting library: the templates in ``templates/figure_*.svg.j2`` draw what is computed here,
so the grading path never imports one.
"""
from __future__ import annotations

import math
from typing import Any

from grader.results import Figure

WIDTH, HEIGHT, PAD = 320, 220, 36


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]


def _colour(value: float, low: float, high: float) -> str:
    """A diverging blue-white-red scale around zero, or white-to-blue for non-negative data."""
    if low >= 0:
        t = 0.0 if high <= low else (value - low) / (high - low)
        shade = int(255 - 200 * max(0.0, min(1.0, t)))
        return f"rgb({shade},{shade + (255 - shade) // 3},255)"
    bound = max(abs(low), abs(high)) or 1.0
    t = max(-1.0, min(1.0, value / bound))
    shade = int(255 * (1 - abs(t)))
    return f"rgb(255,{shade},{shade})" if t > 0 else f"rgb({shade},{shade},255)"


def _matrices(data: dict[str, Any]) -> list[tuple[str, list[list[Any]]]]:
    panels = [(name, data[name]) for name in ("student", "reference") if isinstance(data.get(name), list)]
    matrices = []
    for name, matrix in panels:
        while matrix and isinstance(matrix[0], list) and matrix[0] and isinstance(matrix[0][0], list):
            matrix = matrix[0]  # batched: show the first element
        if matrix and not isinstance(matrix[0], list):
            matrix = [matrix]
        matrices.append((name, matrix))
    return matrices


def heatmap(data: dict[str, Any]) -> dict[str, Any]:
    matrices = _matrices(data)
    flat = _finite([v for _, m in matrices for row in m for v in row])
    low, high = (min(flat), max(flat)) if flat else (0.0, 1.0)
    size = 180
    shapes = []
    for i, (name, matrix) in enumerate(matrices):
        rows, cols = len(matrix), max((len(r) for r in matrix), default=0)
        cell = size / max(rows, cols, 1)
        x0 = PAD / 2 + i * (size + PAD)
        cells = [{"x": x0 + c * cell, "y": 28 + r * cell, "w": cell, "h": cell,
                  "fill": _colour(v, low, high) if isinstance(v, (int, float)) and math.isfinite(v) else "#888",
                  "label": f"[{r},{c}] = {v:.3g}" if isinstance(v, (int, float)) else f"[{r},{c}]"}
                 for r, row in enumerate(matrix) for c, v in enumerate(row)]
        shapes.append({"name": name, "x": x0, "cells": cells})
    return {"width": PAD + len(matrices) * (size + PAD), "height": size + 48, "panels": shapes,
            "low": low, "high": high}


def _scale(lo: float, hi: float, a: float, b: float):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def lines(data: dict[str, Any]) -> dict[str, Any]:
    series = data.get("series") or {}
    log = bool(data.get("log"))
    def tr(v: float) -> float | None:
        if not isinstance(v, (int, float)) or not math.isfinite(v) or (log and v <= 0):
            return None
        return math.log10(v) if log else v
    values = [tr(v) for ys in series.values() for v in ys]
    values = [v for v in values if v is not None]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    n = max((len(ys) for ys in series.values()), default=1)
    sx = _scale(0, max(n - 1, 1), PAD, WIDTH - 10)
    sy = _scale(lo, hi, HEIGHT - PAD, 12)
    palette = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#9a6700", "#57606a"]
    drawn = []
    for i, (name, ys) in enumerate(series.items()):
        points = [(sx(j), sy(t)) for j, v in enumerate(ys) if (t := tr(v)) is not None]
        drawn.append({"name": name, "colour": palette[i % len(palette)],
                      "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points)})
    ticks = [{"y": sy(lo), "label": _tick(lo, log)}, {"y": sy(hi), "label": _tick(hi, log)}]
    return {"width": WIDTH, "height": HEIGHT, "series": drawn, "ticks": ticks, "pad": PAD,
            "xlabel": str(data.get("xlabel", "")), "ylabel": str(data.get("ylabel", "")), "n": n}


def _tick(v: float, log: bool) -> str:
    return f"1e{v:.0f}" if log and abs(v - round(v)) < 1e-9 else (f"{10 ** v:.2g}" if log else f"{v:.3g}")


def bars(data: dict[str, Any]) -> dict[str, Any]:
    values = _finite(list(data.get("values") or []))
    reference = _finite(list(data.get("reference") or []))
    hi = max(values + reference + [1e-12])
    n = max(len(values), len(reference), 1)
    slot = (WIDTH - PAD - 10) / n
    sy = _scale(0, hi, HEIGHT - PAD, 12)
    shapes = [{"x": PAD + i * slot + slot * 0.1, "y": sy(v), "w": slot * 0.4, "h": HEIGHT - PAD - sy(v),
               "label": f"student {i}: {v:.4g}", "colour": "#0969da"} for i, v in enumerate(values)]
    shapes += [{"x": PAD + i * slot + slot * 0.5, "y": sy(v), "w": slot * 0.4, "h": HEIGHT - PAD - sy(v),
                "label": f"reference {i}: {v:.4g}", "colour": "#8c959f"} for i, v in enumerate(reference)]
    return {"width": WIDTH, "height": HEIGHT, "bars": shapes, "pad": PAD, "top": f"{hi:.3g}"}


def complex_plane(data: dict[str, Any]) -> dict[str, Any]:
    def pairs(values: Any) -> list[tuple[float, float]]:
        out = []
        for v in values or []:
            if isinstance(v, list) and len(v) == 2:
                out.append((float(v[0]), float(v[1])))
            elif isinstance(v, (int, float)):
                out.append((float(v), 0.0))
        return [(a, b) for a, b in out if math.isfinite(a) and math.isfinite(b)]
    student, reference = pairs(data.get("values")), pairs(data.get("reference"))
    radius = max([1.0] + [math.hypot(a, b) for a, b in student + reference]) * 1.1
    size = HEIGHT
    c = size / 2
    s = (size / 2 - 10) / radius
    return {"width": size, "height": size, "cx": c, "cy": c, "unit": s,
            "student": [{"x": c + a * s, "y": c - b * s, "label": f"{a:.3g}{b:+.3g}i"} for a, b in student],
            "reference": [{"x": c + a * s, "y": c - b * s, "label": f"{a:.3g}{b:+.3g}i"} for a, b in reference]}


LAYOUTS = {"heatmap": heatmap, "lines": lines, "bars": bars, "complex_plane": complex_plane}


def layout(figure: Figure) -> dict[str, Any]:
    return LAYOUTS[figure.kind](figure.data)


def describe(figure: Figure) -> str:
    """Alt text: what the picture shows, in words, for screen readers."""
    data = figure.data
    if figure.kind == "heatmap":
        shapes = ", ".join(f"{name if name != 'student' else 'yours'} {len(m)}×{max((len(r) for r in m), default=0)}"
                           for name, m in _matrices(data))
        return f"two matrices as colour maps ({shapes}): each cell's colour is its value"
    if figure.kind == "lines":
        names = ", ".join(str(n) for n in (data.get("series") or {}))
        return f"curves of {data.get('ylabel', 'value')} by {data.get('xlabel', 'step')} for {names}"
    if figure.kind == "bars":
        return f"{len(data.get('values') or [])} values as bars, yours next to the reference's"
    return f"{len(data.get('values') or [])} points in the complex plane with the unit circle"


# -- the same pictures in a terminal, where they fit in 80 columns ---------------------------------

TICKS = "▁▂▃▄▅▆▇█"
SHADES = " ░▒▓█"
SPARK_WIDTH = 48


def _spark(values: list[Any], lo: float, hi: float) -> str:
    span = (hi - lo) or 1.0
    out = []
    for v in values:
        if not isinstance(v, (int, float)) or not math.isfinite(v):
            out.append("?")  # NaN/inf: visible, never silently a low bar
        else:
            out.append(TICKS[max(0, min(len(TICKS) - 1, int((v - lo) / span * (len(TICKS) - 1) + 0.5)))])
    return "".join(out)


def _named_sparks(named: list[tuple[str, list[Any]]], log: bool = False) -> list[str]:
    def tr(v: Any) -> Any:
        if log and isinstance(v, (int, float)) and math.isfinite(v):
            return math.log10(v) if v > 0 else float("nan")
        return v
    named = [(n, [tr(v) for v in vs][:SPARK_WIDTH]) for n, vs in named if vs]
    flat = _finite([v for _, vs in named for v in vs])
    if not flat:
        return []
    lo, hi = min(flat), max(flat)
    label = max(len(n) for n, _ in named)
    scale = f"  ({_tick(lo, log)} to {_tick(hi, log)}{', log scale' if log else ''})"
    return [f"{n:<{label}}  {_spark(vs, lo, hi)}" + (scale if i == 0 else "")
            for i, (n, vs) in enumerate(named)]


def _shade_rows(matrix: list[Any], lo: float, hi: float) -> list[str]:
    span = (hi - lo) or 1.0
    rows = []
    for row in matrix:
        cells = []
        for v in row:
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                cells.append("??")
            else:
                cells.append(SHADES[max(0, min(4, int((v - lo) / span * 4 + 0.5)))] * 2)
        rows.append("".join(cells))
    return rows


def sparklines(figure: Figure) -> list[str]:
    """FIGURE as a few lines of text (empty when it does not fit a terminal): sparklines for
    curves and bars, shaded blocks for small heatmaps; complex planes stay in the HTML report."""
    data = figure.data
    if figure.kind == "lines":
        series = [(str(n), list(v)) for n, v in (data.get("series") or {}).items() if isinstance(v, list)]
        return _named_sparks(series, bool(data.get("log")))
    if figure.kind == "bars":
        return _named_sparks([("yours", list(data.get("values") or [])),
                              ("reference", list(data.get("reference") or []))])
    if figure.kind == "heatmap":
        matrices = _matrices(data)
        if not matrices or any(len(m) > 12 or max((len(r) for r in m), default=0) > 16 for _, m in matrices):
            return []
        flat = _finite([v for _, m in matrices for row in m for v in row])
        lo, hi = (min(flat), max(flat)) if flat else (0.0, 1.0)
        shaded = [(name, _shade_rows(m, lo, hi)) for name, m in matrices]
        width = max(len(r) for _, rows_ in shaded for r in rows_)
        head = "   ".join(f"{('yours' if n == 'student' else n):<{width}}" for n, _ in shaded).rstrip()
        body = ["   ".join(f"{rows_[i] if i < len(rows_) else '':<{width}}" for _, rows_ in shaded).rstrip()
                for i in range(max(len(r) for _, r in shaded))]
        return [head, *body, f"(light {lo:.3g} to dark {hi:.3g})"]
    return []

