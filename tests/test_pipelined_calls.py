"""`student.f.each(arguments)`: many calls sent to the student's worker at once.

A statistical test that draws 64 times wakes the worker once instead of 64 times; it must get
exactly what the loop `[student.f(*a) for a in arguments]` gets: the same values, the same
records, and at the first call that does not return a value, the same exception. Each test
here runs real workers (the sandbox of this machine) on small student files.
"""
from __future__ import annotations

import socket

import numpy as np
import pytest

from grader import proxy
from grader.proxy import StudentCrashed, StudentProxy, StudentTimeout, WorkerBackend
from grader.sandbox import ForkServer
from grader.testing import close_context, open_context

STUDENT = r'''
import os, stat, time
import numpy as np
calls = 0

def draw(n, rng, scale=1.0):
    global calls
    calls += 1
    print(f"call {calls}")
    return scale * rng.standard_normal(n)

def picky(x):
    if x == 3:
        raise ValueError("three is not allowed")
    return x * 10

def hang_at(x, at):
    while x == at:
        pass
    return x

def die_at(x, at):
    if x == at:
        os._exit(3)
    return x

def count():
    return calls

def forge_at(x, at):
    if x == at:  # garbage straight onto the worker's channel to the grader
        for fd in range(3, 64):
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.write(fd, b"\xff" * 64)
            except OSError:
                pass
    return x

def echo(payload):
    return payload

def slow_after(x, fail_at):
    if x == fail_at:
        raise ValueError("wrong here")
    if x > fail_at:
        time.sleep(1.0)
    return x

def big(x):
    return np.repeat(x, 40)
'''


@pytest.fixture(scope="module")
def server():
    with ForkServer() as server:
        yield server


@pytest.fixture
def student(server, tmp_path):
    source = tmp_path / "student.py"
    source.write_text(STUDENT)
    server.hide(tmp_path)
    backend = WorkerBackend(server, source, time_limit=1.0)
    assert backend.start().functions
    context, token = open_context()
    yield StudentProxy(backend, ("draw",), "student.py"), context
    close_context(token)
    backend.close()


def _generators(n: int) -> list[np.random.Generator]:
    return [np.random.default_rng(seed) for seed in range(n)]


def test_each_gets_what_the_loop_gets(student):
    proxy_, context = student
    looped = [proxy_.draw(4, rng, scale=2.0) for rng in _generators(64)]
    recorded = list(context.calls)
    context.calls.clear()
    context.output.clear()
    pipelined = proxy_.draw.each([(4, rng) for rng in _generators(64)], scale=2.0)
    assert len(pipelined) == 64 and all(np.array_equal(a, b) for a, b in zip(looped, pipelined))
    assert [c.function for c in context.calls] == ["draw"] * 64
    assert all(c.returned and c.kwargs == {"scale": 2.0} for c in context.calls)
    # the records hold the generators as they were when called: the diagnosis replays them
    assert [c.args[1].standard_normal(4).tolist() for c in context.calls] == \
        [c.args[1].standard_normal(4).tolist() for c in recorded]
    assert [o.text for o in context.output] == [f"call {i}\n" for i in range(65, 129)]  # each call's print, in order


def test_the_first_exception_is_raised_and_the_calls_after_it_are_not_recorded(student):
    proxy_, context = student
    with pytest.raises(ValueError, match="three is not allowed"):
        proxy_.picky.each([(x,) for x in range(6)])
    assert [c.args for c in context.calls] == [[0], [1], [2], [3]]
    assert [c.returned for c in context.calls] == [True, True, True, False]
    # the worker that was still answering 4 and 5 was stopped: the next call gets its own answer
    assert proxy_.picky(7) == 70
    assert proxy_.picky.each([(1,), (2,)]) == [10, 20]


def test_a_call_that_hangs_times_out_and_the_next_call_gets_a_fresh_worker(student):
    proxy_, context = student
    proxy_.draw(1, np.random.default_rng(0))  # the module's counter: 1
    with pytest.raises(StudentTimeout, match=r"hang_at\(\) did not finish within 1 s"):
        proxy_.hang_at.each([(x, 2) for x in range(5)])
    assert [c.args for c in context.calls][1:] == [[0, 2], [1, 2], [2, 2]]
    assert proxy_.count() == 0  # a fresh worker: the hanging one was stopped
    assert proxy_.hang_at.each([(x, 99) for x in range(3)]) == [0, 1, 2]


def test_a_call_that_ends_the_process_is_a_crash_of_that_call(student):
    proxy_, context = student
    with pytest.raises(StudentCrashed, match="ended before it answered"):
        proxy_.die_at.each([(x, 1) for x in range(4)])
    assert [c.args for c in context.calls] == [[0, 1], [1, 1]]
    assert proxy_.die_at.each([(x, 9) for x in range(3)]) == [0, 1, 2]


def test_bytes_forged_on_the_channel_mid_way_are_the_students_error(student):
    proxy_, _ = student
    with pytest.raises(StudentCrashed, match="reply the grader cannot accept"):
        proxy_.forge_at.each([(x, 2) for x in range(5)])
    assert proxy_.forge_at(4, 2) == 4


def test_calls_sent_after_a_failure_cost_none_of_the_time_budget(student):
    """A loop stops at the failing call; the calls already sent after it (a second each, here)
    must not be waited for on the student's budget."""
    proxy_, _ = student
    backend = proxy_._backend
    before = backend.left
    with pytest.raises(ValueError, match="wrong here"):
        proxy_.slow_after.each([(x, 1) for x in range(8)])
    assert before - backend.left < 3.0  # waiting for the six answers after the failure would take 6 s
    assert proxy_.slow_after(0, 1) == 0


def test_a_small_socket_buffer_cannot_deadlock_the_calls(student):
    """Windows fit the grader's send buffer, whatever the machine grants: otherwise the grader
    waits to send while the worker waits to write a large answer, and a correct student times out."""
    proxy_, _ = student
    proxy_._backend.worker.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
    arguments = [(np.full(1000, float(i)),) for i in range(40)]  # 8 KB each way in, 320 KB out
    answers = proxy_.big.each(arguments)
    assert [a[0] for a in answers] == [float(i) for i in range(40)] and all(a.size == 40_000 for a in answers)


def test_calls_beyond_one_window_are_sent_in_several(student, monkeypatch):
    proxy_, _ = student
    monkeypatch.setattr(proxy, "PIPELINE_BYTES", 1000)  # ~200 bytes a call: windows of 4 or 5
    payloads = [np.full(3, float(i)) for i in range(40)]
    answers = proxy_.echo.each([(p,) for p in payloads])
    assert [a.tolist() for a in answers] == [p.tolist() for p in payloads]


def test_a_trusted_backend_makes_the_same_calls_one_by_one():
    """The reference and the mistakes (learn validate) run in-process: each() is the loop there."""
    namespace: dict = {}
    exec(STUDENT, namespace)
    trusted = StudentProxy(proxy.InProcessBackend({"picky": namespace["picky"]}, "student.py"), ("picky",),
                           "student.py")
    assert trusted.picky.each([(1,), (2,)]) == [10, 20]
    with pytest.raises(ValueError, match="three"):
        trusted.picky.each([(2,), (3,), (4,)])
