"""Pictures where a picture says more: the report of a student with a mistake in
signal-propagation shows the second moment by depth for the four schemes of *their* init_stack."""
from __future__ import annotations

import json
import re

from conftest import REPO, learn_in_process, write_student

KAIMING_WITHOUT_GAIN = '''

_correct_init_stack = init_stack


def init_stack(depth, width, rng, scheme):
    if scheme != "kaiming":
        return _correct_init_stack(depth, width, rng, scheme)
    return [rng.normal(0.0, 1.0 / np.sqrt(width), size=(width, width)) for _ in range(depth)]
'''


def test_signal_propagation_report_shows_the_depth_curves(learn, workspace, tmp_path):
    source = (REPO / "solutions/signal-propagation/propagation.py").read_text() + KAIMING_WITHOUT_GAIN
    write_student(workspace, "signal-propagation", "propagation.py", source)
    report = tmp_path / "report.html"
    args = ["grade", "signal-propagation", "--workspace", str(workspace), "--seed", "5"]
    assert learn(*args, "--format", "html", "--output", str(report)).code == 1
    result = learn(*args, "--format", "json").json["exercises"][0]
    assert result["score"] < 10
    assert "kaiming-without-relu-gain" in [d["id"] for d in result["diagnoses"]]

    html = report.read_text()
    title = "Second moment of pre-activations by depth"
    assert title in html
    figure = re.search(r"<svg[^>]*>.*?</svg>", html[html.rfind("<svg", 0, html.index(title)):], re.S).group(0)
    assert title in figure and "<title" in figure  # alt text for screen readers
    curves = re.findall(r"<polyline[^>]*points=\"([^\"]+)\"", figure)
    assert len(curves) == 4 and all(len(c.split()) >= 2 for c in curves)
    for scheme in ("naive", "xavier", "kaiming", "orthogonal"):
        assert scheme in figure


def test_attention_report_shows_student_and_reference_heatmaps(learn, workspace, tmp_path):
    source = (REPO / "solutions/scaled-dot-product-attention/attention.py").read_text()
    write_student(workspace, "scaled-dot-product-attention", "attention.py", source)
    report = tmp_path / "report.html"
    learn("grade", "scaled-dot-product-attention", "--workspace", str(workspace), "--seed", "3",
          "--format", "html", "--output", str(report))
    html = report.read_text()
    assert html.count("<svg") >= 1 and "student" in html and "reference" in html  # side by side
    assert "<rect" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


NON_FINITE_WEIGHTS = '''

_correct = scaled_dot_product_attention


def scaled_dot_product_attention(Q, K, V, mask=None):
    output, weights = _correct(Q, K, V, mask)
    weights = weights.copy()
    weights[..., 0, 0], weights[..., 0, 1], weights[..., 1, 1] = np.nan, np.inf, 1e308  # a NaN bug, and worse
    return output, weights
'''


def test_non_finite_values_in_a_picture_render_in_every_format(learn, workspace, tmp_path):
    """Finding 8: a NaN in the values a picture is drawn from made the student's results
    unwritable (JSON has no NaN: exit 3). Every format renders; the JSON stays valid, writing
    non-finite numbers as the strings the schema names."""
    import jsonschema
    source = (REPO / "solutions/scaled-dot-product-attention/attention.py").read_text() + NON_FINITE_WEIGHTS
    write_student(workspace, "scaled-dot-product-attention", "attention.py", source)
    args = ["grade", "scaled-dot-product-attention", "--workspace", str(workspace), "--seed", "3"]
    for fmt in ("terminal", "json", "markdown", "html", "junit", "gradescope"):  # in-process: no start-up each
        run = learn_in_process(*args, "--format", fmt, "--output", str(tmp_path / f"report.{fmt}"))
        assert run.exit_code == 1, (fmt, run.output)
    result = json.loads((tmp_path / "report.json").read_text())
    schema = json.loads((REPO / "grader" / "schema" / "results.schema.json").read_text())
    jsonschema.validate(result, schema)
    figures = [f for e in result["exercises"] for t in e["tests"] for f in t.get("figures", [])]
    cells = [v for f in figures for row in f["data"]["student"] for v in (row if isinstance(row, list) else [row])]
    assert "NaN" in cells and 1e308 in cells
    html = (tmp_path / "report.html").read_text()
    assert html.count("<svg") >= 1 and "nan" not in re.findall(r'(?:x|y|width|height)="([^"]*)"', html)
