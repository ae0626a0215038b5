"""The red team again, as a user without privileges: where instructors' CI runners and laptops grade.

CI runs the suite as root, where workers get namespaces as root. Here the whole red-team folder
(its tests that do not spend their time limits) runs again as ``nobody`` on a copy of this
checkout that user owns (tests/unprivileged.py): there the grader gets namespaces in a user
namespace of its own if the kernel allows them, else the process layer (with Landlock where
the kernel has it), and every test that compares with ``expected_layer()`` checks that it got
what this machine offers a user without privileges. The layer it got is printed in the run's
header (tests/conftest.py) and repeated in this test's output.
"""
from __future__ import annotations

import os
import re
import shutil
import sys

import pytest

from unprivileged import can_run_as_nobody, readable_copy, run_as_nobody, world_temp_dir

TIME_BOUND = 900.0


@pytest.mark.slow
def test_the_red_team_passes_as_a_user_without_privileges(capsys: pytest.CaptureFixture) -> None:
    why = can_run_as_nobody()
    if why:
        pytest.skip(why)
    root = world_temp_dir("learn-redteam-unprivileged-")
    checkout = readable_copy(root / "learn")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "LEARN_")) and k not in ("COV_CORE_SOURCE", "COV_CORE_CONFIG")}
    # (the seed-secret test runs as nobody from the root suite already)
    done = run_as_nobody([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "not slow", "-rs",
                          "--durations=5", "-k", "not test_no_environment_a_workers_user_can_read_holds_the_seed_secret",
                          "tests/redteam"], checkout, {**env, "PYTHONDONTWRITEBYTECODE": "1"}, TIME_BOUND)
    layer = re.search(r"^learn sandbox for .*$", done.stdout, re.MULTILINE)
    if layer:
        with capsys.disabled():
            print(f"\n[red team without privileges] {layer.group(0)}")
    shutil.rmtree(root, ignore_errors=True)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert layer and "uid 65534" in layer.group(0), done.stdout[:2000]
    assert re.search(r"\d+ passed", done.stdout)
