"""Pictures where a picture says more: the report of a student with a mistake in
signal-propagation shows the second moment by depth for the four schemes of *their* init_stack."""
from __future__ import annotations

import json
import re

from conftest import REPO, write_student

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
