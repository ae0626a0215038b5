"""The HTML report in a real browser: headless Chromium loads the reports of a passing, a failing
and a crashing student without console errors; sections, pictures and the student's own line are
in the rendered page; screenshots (phone and desktop, light and dark) go to test-artifacts/.

Needs Debian's `chromium` (installed by .ci/run); skipped with the reason where it is missing.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import REPO, write_student

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                                "(apt-get install chromium; .ci/run installs it)")
ARTIFACTS = REPO / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]

HEADER = '"""Attention scores."""\n\nimport numpy as np\n\n\ndef attention_scores(Q, K, scale=True):\n'
STUDENTS = {
    "passing": HEADER + "    s = np.asarray(Q) @ np.swapaxes(np.asarray(K), -1, -2)\n"
                        "    return s / np.sqrt(np.shape(Q)[-1]) if scale else s\n",
    "failing": HEADER + "    s = np.asarray(Q) @ np.swapaxes(np.asarray(K), -1, -2)\n"
                        "    return s / np.shape(Q)[-1] if scale else s\n",
    "crashing": HEADER + "    weights = {}\n    return weights['scores'] / 2\n",
}


def chromium(url: str, *args: str) -> tuple[str, str]:
    """Run headless Chromium on URL; (stdout, console messages)."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, url],
                              capture_output=True, text=True, timeout=120)
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, "\n".join(console)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The three students' HTML reports, written by the real `learn grade --format html`."""
    from click.testing import CliRunner
    import grader.cli
    grader.cli._register()
    out: dict[str, Path] = {}
    for name, source in STUDENTS.items():
        workspace = tmp_path_factory.mktemp(name)
        write_student(workspace, "attention-scores", "scores.py", source)
        report = workspace / "report.html"
        result = CliRunner().invoke(grader.cli.cli, ["grade", "attention-scores", "--workspace", str(workspace),
                                                     "--format", "html", "-o", str(report), "--seed", "7"],
                                    env={"NO_COLOR": "1", "GITHUB_ACTIONS": "false"})
        assert result.exit_code == (0 if name == "passing" else 1), result.output
        out[name] = report
    return out


@pytest.fixture(scope="module")
def rendered(reports) -> dict[str, tuple[str, str]]:
    """Each report as the browser rendered it (DOM, console), and the screenshots, two at a time."""
    ARTIFACTS.mkdir(exist_ok=True)
    jobs = {name: (path.as_uri(), "--dump-dom") for name, path in reports.items()}
    shots = {"failing-phone-light": ("failing", "375,1600", "1"), "failing-phone-dark": ("failing", "375,1600", "0"),
             "crashing-desktop-light": ("crashing", "1280,1000", "1"), "passing-desktop-dark": ("passing", "1280,1000", "0")}
    for shot, (name, size, scheme) in shots.items():
        jobs[shot] = (reports[name].as_uri(), f"--window-size={size}", f"--blink-settings=preferredColorScheme={scheme}",
                      f"--screenshot={ARTIFACTS / f'report-{shot}.png'}")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {job: pool.submit(chromium, *args) for job, args in jobs.items()}
        return {job: future.result() for job, future in futures.items()}


@pytest.mark.parametrize("student", list(STUDENTS))
def test_report_loads_without_console_errors_and_is_self_contained(student, reports, rendered):
    dom, console = rendered[student]
    assert "<h1>" in dom and "learn report" in dom, dom[:500]
    assert console == "", f"console messages while loading the {student} report:\n{console}"
    html = reports[student].read_text()
    external = [u for u in re.findall(r'(?:src|href)="([^"#][^"]*)"', html)]
    assert external == [], f"the report loads {external}: it must work offline"
    assert "<script" not in html
    # Defence in depth (an attacker's review): were student text ever to escape its escaping, the
    # page's own policy refuses scripts, frames, remote images and forms (and the page, as
    # rendered above, still loads without a console message: the policy blocks nothing of ours).
    assert "default-src 'none'; style-src 'unsafe-inline'; img-src data:" in html


def test_passing_report_has_its_sections_and_picture(rendered):
    dom, _ = rendered["passing"]
    assert dom.count('class="exercise"') == 1 and 'id="ex-attention-scores"' in dom
    assert "10/10" in dom and "Reproduce this run exactly" in dom and "--seed 7" in dom
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="fig-0-t"', dom)
    assert re.search(r'<title id="fig-0-t">Scores[^<]*colour maps', dom)     # alt text for the heatmap


def test_failing_report_explains_in_plain_words_with_pictures(rendered):
    dom, _ = rendered["failing"]
    assert "What went wrong, in plain words" in dom
    assert "divided by d_k instead of √d_k" in dom
    assert dom.count("<svg") >= 1 and "<figcaption>" in dom
    assert re.search(r"<h2[^>]*>Attention scores", dom)                        # headings, in order
    assert "visually-hidden\">failed:" in dom                                   # status for screen readers


def test_crashing_report_points_at_the_students_line(rendered):
    dom, _ = rendered["crashing"]
    assert "Your code raised KeyError at" in dom
    assert "scores.py, line 8, in attention_scores" in dom
    assert "8 | return weights['scores'] / 2" in dom.replace("&#39;", "'")
    assert "grader/" not in dom.split("<body")[1]                              # no grader internals


def test_screenshots_are_saved_as_artifacts(rendered):
    for shot in ("failing-phone-light", "failing-phone-dark", "crashing-desktop-light", "passing-desktop-dark"):
        png = ARTIFACTS / f"report-{shot}.png"
        assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
        assert png.stat().st_size > 5000


def test_the_reports_policy_stops_a_script_that_got_into_the_page(reports, tmp_path):
    """The policy is in force as placed (first in <head>): a script planted in a copy of a real
    report does not run, and the browser says why."""
    html = reports["failing"].read_text()
    planted = tmp_path / "planted.html"
    planted.write_text(html.replace("<body", "<script>document.title = 'PWNED'</script><body", 1))
    dom, console = chromium(planted.as_uri(), "--dump-dom")
    assert "<title>learn report" in dom and "PWNED</title>" not in dom
    assert "Content Security Policy" in console, console
