"""Class analytics: what the instructor reads on Monday, computed from the students' results.

Pure data in (the per-student records of :mod:`grader.classroom.records`), plain data out (a
``ClassSummary``) for the summary templates: the score distribution, pass rates per exercise
and per test, the mistakes most often diagnosed, catalogued and generic together (what to
re-teach), the students whose code
crashed or hung, those who broke an exercise's rule (a forbidden call), the students the grader
failed on, and how long grading took.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from grader.findings import title
from grader.notebook.layout import absent
from grader.reports.text import one_line

BINS = 10


@dataclass
class ExerciseStats:
    id: str
    title: str
    max_score: float
    attempted: int = 0
    passed: int = 0
    mean_score: float = 0.0
    tests: list[tuple[str, int, int]] = field(default_factory=list)      # (name, passed, attempted)
    # (id, what it is, students, kind): catalogued mistakes and the generic explainer's findings
    # (grader/findings.py) together, most common first
    mistakes: list[tuple[str, str, int, str]] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.attempted if self.attempted else 0.0


@dataclass
class ClassSummary:
    students: int
    graded: int
    max_score: float
    mean: float
    median: float
    histogram: list[tuple[str, int]]                     # (score range label, students)
    exercises: list[ExerciseStats]
    crashed: list[tuple[str, str, str]]                   # (student, exercise, what happened: crash_of)
    broke_rules: list[tuple[str, str, str]]               # (student, exercise, which rule: rule_broken_of)
    misplaced: list[tuple[str, str, str]]                 # (student, exercise, what stands in its file's place)
    grader_errors: list[tuple[str, str]]                  # (student, reason)
    nothing_started: list[str]                            # graded students who started no exercise
    skipped: list[tuple[str, str]]                        # (folder, reason)
    duration: float                                       # wall clock of the run(s)
    per_student: float                                    # DURATION over the students graded in it
    graded_in_run: int = 0                                # students the run(s) graded (not reused)
    reused: int = 0                                       # students --resume kept from an earlier run
    similarity: dict[str, Any] | None = None              # pairs.json of OUT/similarity (classroom.similarity)
    sandbox: list[tuple[str, int]] = field(default_factory=list)  # (layer, students graded in it), strongest first

    @property
    def weakly_isolated(self) -> int:
        """Students graded without namespaces (the process layer): the summary warns about them."""
        return sum(n for layer, n in self.sandbox if layer != "namespaces")

    @property
    def histogram_peak(self) -> int:
        return max((n for _, n in self.histogram), default=0) or 1


def _histogram(scores: list[float], max_score: float) -> list[tuple[str, int]]:
    width = max_score / BINS if max_score else 1.0
    counts = [0] * BINS
    for score in scores:
        counts[min(int(score / width), BINS - 1) if width else 0] += 1
    return [(f"{i * width:g}–{(i + 1) * width:g}", counts[i]) for i in range(BINS)]


def class_view(results: dict[str, Any]) -> dict[str, Any]:
    """What the gradebook and the class summary read of one student's results.

    grade-all keeps every student's record until the summary is written; the rest of the
    results (messages, figures, printed output) stays in results.json, so a class costs about
    a kilobyte of memory per student and exercise, not the size of its reports.
    """
    return {"score": results["score"], "max_score": results["max_score"],
            "sandbox": results.get("sandbox", "process"), "exercises": [
        {"id": ex["id"], "title": ex["title"], "max_score": ex["max_score"], "score": ex["score"],
         "status": ex["status"],
         "tests": [{"name": t["name"], "status": t["status"], "grader_error": bool(t.get("grader_error"))}
                   for t in ex["tests"]],
         "diagnoses": [{"id": d["id"], "message": d["message"], "kind": d.get("kind", "catalogued")}
                       for d in ex.get("diagnoses", [])],
         **({"rule_broken": broken} if (broken := rule_broken_of(ex)) else {}),
         **({"crash": crash} if (crash := crash_of(ex)) else {}),
         # both, for the gradebook's reason; the summary lists them apart
         **({"trouble": trouble} if (trouble := "; ".join(filter(None, (broken, crash)))) else {}),
         **({"file": ex["file"], "found": ex["found"]} if ex.get("found") else {})}
        for ex in results["exercises"]]}


def started_nothing(results: dict[str, Any]) -> bool:
    """No exercise started and no file of one elsewhere: an empty folder, or the stubs untouched."""
    exercises = results["exercises"]
    return bool(exercises) and all(e["status"] == "not_started" and not e.get("found") for e in exercises)


def grader_failures(results: dict[str, Any]) -> list[str]:
    """Where the grader failed on a graded student ("exercise: test"), from its class_view: such a
    student's grade is not final (blank in the gradebook, retried by --resume, exit status 3)."""
    return [f"{ex['id']}: {t['name']}" for ex in results["exercises"] for t in ex["tests"] if t.get("grader_error")]


def grader_failure_reason(failures: list[str]) -> str:
    return (f"the grader failed on {'; '.join(failures)} (not the student's code: the test fails with the "
            "reference too, on this student's inputs: the seed in their results.json reproduces them): fix the "
            "test, then --resume grades them again")


TROUBLE_CHARS = 100  # of a student's message in the gradebook's reason: the rest is in report.md


def rule_broken_of(ex: dict[str, Any]) -> str:
    """The exercise's rule that the student's code in EXERCISE (one exercise of a results.json)
    breaks, in a line of the gradebook: ``uses np.dot, which this exercise forbids (line 7)``,
    then how many more uses. Empty when it keeps the rules."""
    violations = ex.get("violations") or []
    if not violations:
        return ""
    first = violations[0]
    where = ", ".join(([f"cell {first['cell']}"] if first.get("cell") else [])
                      + ([f"line {first['line']}"] if first.get("line") else []))
    more = len(violations) - 1
    return (one_line(first["message"], TROUBLE_CHARS) + (f" ({where})" if where else "")
            + (f" and {more} more forbidden use{'s' * (more != 1)}" if more else ""))


def crash_of(ex: dict[str, Any]) -> str:
    """What went wrong when the student's code hung or crashed in EXERCISE (one exercise of a
    results.json), in a line of the gradebook: ``error: ModuleNotFoundError: No module named
    'torch' (line 1)`` when the file could not be graded at all, ``timeout in 2 of 24 tests: dot()
    did not finish within 2 s; error in 1 of 24 tests: IndexError in angle (line 7)`` when some
    tests could not run. Empty when nothing hung or crashed."""
    # With a rule broken, "error" and no exception is the rule's 0 (grading._score): the tests ran
    rule_zero = ex["status"] == "error" and ex.get("violations") and not ex.get("exception")
    if ex["status"] in ("error", "timeout") and not rule_zero:  # the whole file: no test ran
        exception = ex.get("exception")
        if exception:
            where = next((f" (line {f['line']})" for f in reversed(exception.get("frames", []))), "")
            what = f"{exception['type']}: {exception['message']}" if exception.get("message") else exception["type"]
            return f"{ex['status']}: {one_line(what, TROUBLE_CHARS)}{where}"
        first = ex.get("error", "").strip().split("\n")[0]
        return f"{ex['status']}: {one_line(first, TROUBLE_CHARS)}" if first else str(ex["status"])
    tests = [t for t in ex["tests"] if not t.get("grader_error")]
    parts = []
    for status in ("timeout", "error"):
        hit = [t for t in tests if t["status"] == status]
        if hit:
            parts.append(f"{status} in {len(hit)} of {len(ex['tests'])} test{'s' * (len(ex['tests']) != 1)}: "
                         + _what_happened(hit))
    return "; ".join(parts)


def _what_happened(tests: list[dict[str, Any]]) -> str:
    """The distinct exceptions of TESTS (where the student's code raised them), or the first message."""
    raised: dict[tuple[str, Any], str] = {}  # (type, line) -> as said: a hidden test's names no function
    for test in tests:
        exception = test.get("exception")
        if exception:
            frame = (exception.get("frames") or [{}])[-1]
            function = f" in {frame['function']}" if frame.get("function") else ""
            where = f"{function} (line {frame['line']})" if "line" in frame else ""
            key = (exception["type"], frame.get("line"))
            if function or key not in raised:
                raised[key] = one_line(f"{exception['type']}{where}", TROUBLE_CHARS)
    if raised:
        distinct = list(raised.values())
        return ", ".join(distinct[:2]) + (f" and {len(distinct) - 2} more" if len(distinct) > 2 else "")
    return one_line(tests[0].get("message", "").strip().split("\n")[0], TROUBLE_CHARS)


def misnamed_of(ex: dict[str, Any]) -> str:
    """Why a not-started exercise scored 0 when other files sit where its file should be (misnamed?)."""
    return absent(ex["file"], ex["found"], ex["id"]) if ex.get("found") else ""


def _grader_errors(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(student, reason) for every student the grader failed on, wholly or on some tests."""
    found = []
    for record in records:
        if record.get("outcome") == "refused":
            continue
        if not (record.get("outcome") == "graded" and record.get("results")):
            found.append((record["student"], record.get("reason", "")))
        elif grader_failures(record["results"]):
            found.append((record["student"], grader_failure_reason(grader_failures(record["results"]))))
    return found


def summarize(records: list[dict[str, Any]], skipped: list[tuple[str, str]] = (),  # type: ignore[assignment]
              duration: float = 0.0, top_mistakes: int = 5, graded_in_run: int | None = None,
              reused: int = 0) -> ClassSummary:
    """GRADED_IN_RUN (default: every record but the REUSED ones) students were graded in DURATION
    seconds; a reused student's grading time belongs to an earlier run and is not counted."""
    # A student the grader failed on (a broken hidden test) has no final score: not in the statistics,
    # as in the gradebook, whose total stays blank (they are listed under grader_errors).
    # A student the grader failed on (some test of some exercise) has no final total, but the
    # exercises it did grade still count in their own statistics (an author's review: one broken
    # hidden test erased every other exercise's numbers for the whole class).
    ran = [r for r in records if r.get("outcome") == "graded" and r.get("results")]
    graded = [r for r in ran if not grader_failures(r["results"])]
    scores = [float(r["results"]["score"]) for r in graded]
    max_score = max((float(r["results"]["max_score"]) for r in graded), default=0.0)
    exercises: dict[str, ExerciseStats] = {}
    test_counts: dict[str, dict[str, list[int]]] = {}
    mistakes: dict[str, Counter] = {}
    messages: dict[tuple[str, str], str] = {}
    kinds: dict[tuple[str, str], str] = {}
    totals: dict[str, float] = {}
    crashed, broke_rules, misplaced = [], [], []
    for record in ran:
        for ex in record["results"]["exercises"]:
            if ex.get("found"):  # a 0 the student can fix by renaming or moving a file: the instructor should hear
                misplaced.append((record["student"], ex["id"], misnamed_of(ex)))
            stats = exercises.setdefault(ex["id"], ExerciseStats(ex["id"], ex["title"], float(ex["max_score"])))
            if ex["status"] in ("not_started", "grader_error"):  # not graded (yet): no share in the statistics
                continue
            stats.attempted += 1
            stats.passed += ex["status"] == "passed"
            totals[ex["id"]] = totals.get(ex["id"], 0.0) + float(ex["score"])
            if ex.get("crash"):
                crashed.append((record["student"], ex["id"], ex["crash"]))
            if ex.get("rule_broken"):
                broke_rules.append((record["student"], ex["id"], ex["rule_broken"]))
            for test in (t for t in ex["tests"] if not t.get("grader_error")):
                counts = test_counts.setdefault(ex["id"], {}).setdefault(test["name"], [0, 0])
                counts[0] += test["status"] == "passed"
                counts[1] += 1
            for diagnosis in ex.get("diagnoses", []):
                mistakes.setdefault(ex["id"], Counter())[diagnosis["id"]] += 1
                generic = diagnosis.get("kind") == "generic"
                # A generic finding's message quotes one student's numbers: the summary says what it is.
                messages[(ex["id"], diagnosis["id"])] = title(diagnosis["id"]) if generic else diagnosis["message"]
                kinds[(ex["id"], diagnosis["id"])] = "generic" if generic else "catalogued"
    for stats in exercises.values():
        stats.mean_score = round(totals.get(stats.id, 0.0) / stats.attempted, 2) if stats.attempted else 0.0
        stats.tests = [(name, c[0], c[1]) for name, c in test_counts.get(stats.id, {}).items()]
        stats.mistakes = [(m, messages[(stats.id, m)], n, kinds[(stats.id, m)])
                          for m, n in mistakes.get(stats.id, Counter()).most_common(top_mistakes)]
    if graded_in_run is None:
        graded_in_run = max(len([r for r in records if r.get("outcome") != "refused"]) - reused, 0)
    return ClassSummary(
        students=len(records), graded=len(graded), max_score=max_score,
        mean=round(statistics.fmean(scores), 2) if scores else 0.0,
        median=round(statistics.median(scores), 2) if scores else 0.0,
        histogram=_histogram(scores, max_score), exercises=list(exercises.values()),
        crashed=sorted(crashed), broke_rules=sorted(broke_rules), misplaced=sorted(misplaced),
        grader_errors=sorted(_grader_errors(records)),
        nothing_started=sorted(r["student"] for r in graded if started_nothing(r["results"])),
        skipped=list(skipped), duration=round(duration, 2),
        # from the duration as shown: rounding the raw time twice could show 0.05 s for one student
        # at 0.06 s per student
        per_student=round(round(duration, 2) / graded_in_run, 3) if graded_in_run else 0.0,
        graded_in_run=graded_in_run, reused=reused,
        sandbox=sorted(Counter(str(r["results"].get("sandbox", "process")) for r in ran).items(),
                       key=lambda item: item[0] != "namespaces"))
