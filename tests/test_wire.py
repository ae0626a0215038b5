"""The codec between the grader and a student's worker: what crosses comes back exactly, and
anything else (a subclass, an object, a forged or malformed message) is refused, never built."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from grader.sandbox import wire


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return (type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape
                and a.tobytes() == np.ascontiguousarray(b).tobytes())
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.generic):  # bit for bit: -0.0, NaN payloads
        return type(b) is type(a) and a.tobytes() == b.tobytes()
    if isinstance(a, float) and math.isnan(a):
        return type(b) is type(a) and math.isnan(b)
    return type(a) is type(b) and a == b


ROUND_TRIPS = [
    None, True, False, 0, -(2 ** 70), 1.5, float("inf"), float("-inf"), float("nan"), 1 - 2j, "",
    "héllo \udc80",  # a lone surrogate, as a file name may hold
    np.float64(0.1), np.float64(-0.0), np.float64("nan"), np.float64("-inf"), np.float64(5e-324),
    np.int64(2 ** 63 - 1), np.int64(-2 ** 63), np.bool_(False),  # these travel as JSON numbers
    np.float32(2.5), np.float16(1.0), np.int64(-3), np.uint8(200), np.bool_(True), np.longdouble(1) / 3,
    np.complex128(1j), np.array(5.0), np.arange(6).reshape(2, 3), np.zeros((0, 3)),
    np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.arange(10.0)[::3],  # non-contiguous layouts
    np.array([1, 2], dtype=">i4"), np.array([True, False]), np.ones((2, 2), dtype=np.complex64),
    [1, [2.0, (3, "x")]], (), {"a": [np.ones(2)], "b": {"c": None}, "__ndarray__": 1},
]


@pytest.mark.parametrize("value", ROUND_TRIPS, ids=lambda v: type(v).__name__)
def test_plain_data_comes_back_exactly(value):
    back = wire.loads(wire.dumps(value))
    assert _same(value, back), (value, back)
    if isinstance(back, np.ndarray):
        assert back.flags.writeable and back.flags.owndata  # the student may modify it in place


def test_a_generator_arrives_in_the_same_state_and_the_senders_is_not_advanced():
    rng = np.random.default_rng(7)
    copy = wire.loads(wire.dumps(rng))
    assert copy is not rng and copy.random() == rng.random()


class Subfloat(float):
    pass


class Subarray(np.ndarray):
    pass


@pytest.mark.parametrize("value", [
    Subfloat(1.0), np.arange(3).view(Subarray), {1: 2}, object(), np.array(["text"]),
    np.array([object()]), b"bytes", {"k": [set()]}, np.random.default_rng(0).bit_generator,
], ids=lambda v: type(v).__name__)
def test_anything_else_is_refused_when_sent(value):
    with pytest.raises(wire.WireError):
        wire.dumps(value)


def test_nesting_and_size_are_bounded():
    deep: list = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.dumps(deep)
    with pytest.raises(wire.WireError):
        wire.dumps(list(range(wire.MAX_ITEMS + 1)))
    with pytest.raises(wire.WireError):
        wire.loads(b"[" * 40 + b"]" * 40)


ONE = "AAAAAAAA8D8="  # base64 of float64 1.0


@pytest.mark.parametrize("message", [
    {"__ndarray__": ["|O8", [1], ONE]},               # object arrays would unpickle
    {"__ndarray__": ["V8", [1], ONE]},                # raw void
    {"__ndarray__": ["<f8", [2], ONE]},               # data shorter than its shape
    {"__ndarray__": ["<f8", [-1], ""]},
    {"__ndarray__": ["<f8", [1.0], ONE]},
    {"__ndarray__": ["<f8", [True], ONE]},
    {"__ndarray__": ["<f8", [1], "!!!!"]},            # not base64
    {"__ndarray__": [["<f8"], [1], ONE]},
    {"__ndarray__": {"dtype": "<f8", "shape": [1], "data": ONE}},
    {"__scalar__": ["<f8", [1], ONE]},                # a scalar has no dimensions
    {"__scalar__": ["<f8", 1]},                       # an int where the float64 is
    {"__scalar__": ["<f8", "1.0"]},
    {"__scalar__": ["<i8", 2 ** 63]},                 # out of int64's range
    {"__scalar__": ["|b1", 1]},
    {"__scalar__": ["<f4", 1.0]},                     # only float64, int64 and bool travel as numbers
    {"__float__": "1.0"},
    {"__tuple__": 3},
    {"__complex__": ["1", 2.0]},
    {"__generator__": {"bit_generator": "Evil"}},
    {"__unknown__": 1},
    {"a": 1, "b": 2},                                 # dicts travel tagged
], ids=lambda m: next(iter(m)))
def test_a_malformed_or_forged_message_is_refused(message):
    with pytest.raises(wire.WireError):
        wire.loads(json.dumps(message).encode())


@pytest.mark.parametrize("data", [b"", b"not json", b'{"__tuple__": []} trailing', b"\xff\xfe", b"[1] [2]"])
def test_bytes_that_are_not_one_message_are_refused(data):
    with pytest.raises(wire.WireError):
        wire.loads(data)
