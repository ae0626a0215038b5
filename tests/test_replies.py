"""The worker's replies are checked by structure before the grader acts on them: every shape an
honest worker sends is accepted, anything else is refused as the student's error (a
MalformedReply), and no field can carry text or numbers that would break a report."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.sandbox import replies
from grader.sandbox.worker import describe_exception

OUTPUT = {"text": "hi", "dropped": 0}
ERROR = {"type": "ValueError", "mro": ["builtins.ValueError", "builtins.Exception"], "message": "m",
         "frames": [["f.py", 3, "dot", "return 1 / 0"]]}


def test_what_an_honest_worker_sends_is_accepted():
    try:
        compile("x = (", str(Path("/submission/f.py")), "exec")
    except SyntaxError as exc:
        syntax = describe_exception(exc, Path("/submission/f.py"))
    hello = replies.greeting({"hello": ["dot"], "output": OUTPUT})
    assert hello == replies.Hello(("dot",), replies.Output("hi", 0))
    failed = replies.greeting({"import_error": syntax, "output": {"text": "", "dropped": 0}})
    assert isinstance(failed, replies.ImportFailed) and failed.error.offset == 5 and failed.output is replies.NO_OUTPUT
    assert failed.error.traceback().endswith("    ^\nSyntaxError: '(' was never closed")
    assert replies.answer({"value": 1.5}) == replies.Returned(1.5)
    assert replies.answer({"value": None, "output": OUTPUT, "mutated": ["args[0]"]}).mutated == ("args[0]",)
    assert replies.answer({"raised": ERROR, "output": OUTPUT}).error.frames[0].line == 3
    assert replies.answer({"bad_value": "Sub: no", "output": OUTPUT, "mutated": []}).reason == "Sub: no"
    assert replies.answer({"missing": "f.py does not define a function named g"}).message.startswith("f.py")


@pytest.mark.parametrize("raw", [
    None, [], "value", {}, {"value": 1, "raised": ERROR},                  # not exactly one kind
    {"value": 1, "extra": 2}, {"value": 1, "mutated": "args[0]"}, {"value": 1, "mutated": [3]},
    {"value": 1, "output": "text"}, {"value": 1, "output": {"text": 1, "dropped": 0}},
    {"value": 1, "output": {"text": "", "dropped": "many"}}, {"value": 1, "output": {"text": ""}},
    {"raised": "ValueError"}, {"raised": {**ERROR, "frames": 5}}, {"raised": {**ERROR, "frames": [["f.py", 1]]}},
    {"raised": {**ERROR, "frames": [["f.py", "one", "dot", ""]]}}, {"raised": {**ERROR, "mro": "builtins.X"}},
    {"raised": {**ERROR, "offset": "zz"}}, {"raised": {**ERROR, "type": None}}, {"raised": {**ERROR, "more": 1}},
    {"raised": {k: v for k, v in ERROR.items() if k != "message"}},
    {"bad_value": 3}, {"missing": ["x"]}, {"missing": "x", "output": OUTPUT},
    {"hello": ["dot"]},                                                    # a greeting where an answer is due
], ids=repr)
def test_a_forged_answer_is_refused(raw):
    with pytest.raises(replies.MalformedReply):
        replies.answer(raw)


@pytest.mark.parametrize("raw", [
    {"hello": "dot"}, {"hello": [1]}, {"hello": ["dot"], "value": 1}, {"import_error": {**ERROR, "frames": 5}},
    {"value": 1}, {"import_error": ERROR, "output": {"text": "", "dropped": 0, "more": 1}},
], ids=repr)
def test_a_forged_greeting_is_refused(raw):
    with pytest.raises(replies.MalformedReply):
        replies.greeting(raw)


def test_fields_are_clipped_to_what_an_honest_worker_sends():
    """Text a report could not encode (a lone surrogate), text too long, numbers out of range:
    clipped, never passed on as they are."""
    long_line = "x" * 10_000
    error = replies.answer({"raised": {**ERROR, "message": "bad \udc80" + "m" * 5000, "offset": -7,
                                       "frames": [["f.py", 2 ** 80, "dot", long_line]] * 50}}).error
    assert error.message.startswith("bad \ufffd") and len(error.message) <= replies.MESSAGE_CAP
    assert len(error.frames) == replies.FRAMES_CAP and error.offset == 0
    assert error.frames[0].line < 2 ** 63 and len(error.frames[0].code) <= replies.LINE_CAP
    error.traceback().encode("utf-8")  # always encodable
    output = replies.answer({"value": 1, "output": {"text": "y" * 20_000, "dropped": 5}}).output
    assert len(output.text) == replies.OUTPUT_CAP and output.dropped == 5 + 20_000 - replies.OUTPUT_CAP
