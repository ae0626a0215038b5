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
    np.complex128(1j), np.array(5.0), np.array(True), np.arange(6).reshape(2, 3), np.zeros((0, 3)),
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


ONE = np.float64(1.0).tobytes()


def _message(header, arrays: bytes = b"") -> bytes:
    """A hand-made message: HEADER as JSON, then (if any) a NUL and the arrays' bytes."""
    data = json.dumps(header).encode()
    return data + b"\0" + arrays if arrays else data


@pytest.mark.parametrize("message, arrays", [
    ({"__ndarray__": ["|O8", [1], 0]}, ONE),                 # object arrays would unpickle
    ({"__ndarray__": ["V8", [1], 0]}, ONE),                  # raw void
    ({"__ndarray__": ["<f8", [2], 0]}, ONE),                 # data shorter than its shape
    ({"__ndarray__": ["<f8", [-1], 0]}, b""),
    ({"__ndarray__": ["<f8", [1.0], 0]}, ONE),
    ({"__ndarray__": ["<f8", [True], 0]}, ONE),
    ({"__ndarray__": ["<f8", [1], "AAAAAAAA8D8="]}, b""),     # base64 in the JSON: not this codec
    ({"__ndarray__": ["<f8", [1], True]}, ONE),
    ({"__ndarray__": ["<f8", [1], 8]}, ONE + ONE),           # a gap before it
    ({"__ndarray__": ["<f8", [1], -8]}, ONE),
    ({"__ndarray__": ["<f8", [1], 0]}, ONE + ONE),           # bytes after the last array
    ({"__ndarray__": ["<f8", [1], 0]}, b""),                 # no bytes at all
    ({"__tuple__": [{"__ndarray__": ["<f8", [1], 0]},        # two arrays over the same bytes
                    {"__ndarray__": ["<f8", [1], 0]}]}, ONE),
    ({"__tuple__": [{"__ndarray__": ["<f8", [1], 8]},        # in another order than their bytes
                    {"__ndarray__": ["<f8", [1], 0]}]}, ONE + ONE),
    ({"__ndarray__": [["<f8"], [1], 0]}, ONE),
    ({"__ndarray__": {"dtype": "<f8", "shape": [1], "data": 0}}, ONE),
    ({"__scalar__": ["<f8", [1], 0]}, ONE),                  # a scalar has no dimensions
    ({"__scalar__": ["<f8", 1]}, b""),                       # an int where the float64 is
    ({"__scalar__": ["<f8", "1.0"]}, b""),
    ({"__scalar__": ["<i8", 2 ** 63]}, b""),                 # out of int64's range
    ({"__scalar__": ["|b1", 1]}, b""),
    ({"__scalar__": ["<f4", 1.0]}, b""),                     # only float64, int64 and bool travel as numbers
    ({"__float__": "1.0"}, b""),
    ({"__tuple__": 3}, b""),
    ({"__complex__": ["1", 2.0]}, b""),
    ({"__generator__": {"bit_generator": "Evil"}}, b""),
    ({"__unknown__": 1}, b""),
    ({"a": 1, "b": 2}, b""),                                 # dicts travel tagged
    ([1, 2], ONE),                                           # bytes no array claims
], ids=lambda m: next(iter(m)) if isinstance(m, dict) else None)
def test_a_malformed_or_forged_message_is_refused(message, arrays):
    with pytest.raises(wire.WireError):
        wire.loads(_message(message, arrays))


def test_a_forged_boolean_byte_is_true_not_two():
    """numpy would keep the byte 2 in a boolean array (and sum it as 2); the decoder rebuilds it."""
    back = wire.loads(_message({"__ndarray__": ["|b1", [3], 0]}, bytes([2, 0, 255])))
    assert back.dtype == np.bool_ and back.tolist() == [True, False, True]
    assert int(back.sum()) == 2 and back.view(np.uint8).tolist() == [1, 0, 1]


def test_arrays_travel_as_raw_bytes_after_the_json():
    """No base64: a 128 KB stack of matrices costs its bytes plus a short header."""
    stack = [np.arange(64 * 64, dtype=np.float64).reshape(64, 64) for _ in range(4)]
    data = wire.dumps({"value": stack})
    assert len(data) < 4 * 64 * 64 * 8 + 400
    header, _, raw = data.partition(b"\0")
    assert json.loads(header)["__dict__"]["value"][1] == {"__ndarray__": ["<f8", [64, 64], 64 * 64 * 8]}
    assert raw == b"".join(m.tobytes() for m in stack)


@pytest.mark.parametrize("data", [b"", b"not json", b'{"__tuple__": []} trailing', b"\xff\xfe", b"[1] [2]"])
def test_bytes_that_are_not_one_message_are_refused(data):
    with pytest.raises(wire.WireError):
        wire.loads(data)


@pytest.mark.parametrize("name", ["x" * 5_000_000, "<f8" + "x" * 5_000_000, "(,)f8", "a", "f8,(", "<f8"[::-1], "|O"],
                         ids=["junk", "after a real dtype", "numpy-parses-it", "deprecated", "a-tuple", "reversed",
                              "object"])
def test_a_forged_dtype_name_is_refused_without_quoting_it(name):
    """Only the names an honest worker sends are looked up; numpy never parses the others (its
    error quoted the whole name, 5 MB of it in the student's report per call; "(,)f8" made it
    raise SyntaxError, which escaped the decoder and read as the grader's own failure)."""
    with pytest.raises(wire.WireError) as refused:
        wire.loads(_message({"__ndarray__": [name, [1], 0]}, ONE))
    assert str(refused.value) == "malformed array dtype"


def test_decoding_enforces_the_encoders_caps():
    """A forged message may cost the grader no more than an honest one: items, integer digits
    and string length are capped when decoding as when encoding, and a message of millions of
    tiny values is refused before the JSON parser builds them."""
    at_the_cap = list(range(wire.MAX_ITEMS - 1))  # the list itself is an item too
    assert wire.loads(wire.dumps(at_the_cap)) == at_the_cap
    forged = [
        json.dumps(list(range(wire.MAX_ITEMS + 1))).encode(),          # one item too many
        json.dumps([[]] * (wire.MAX_ITEMS + 1)).encode(),              # ... as empty lists
        b"[" + b"0," * 5_000_000 + b"0]",                              # millions: refused unparsed
        b"[" + b"[]," * (wire.MAX_STRUCTURE + 1) + b"[]]",
        json.dumps(10 ** wire.MAX_INT_DIGITS).encode(),                # an integer no float holds
        json.dumps({"__tuple__": [-(10 ** 500)]}).encode(),
        json.dumps("x" * (wire.MAX_STR + 1)).encode(),
    ]
    for data in forged:
        with pytest.raises(wire.WireError):
            wire.loads(data)


def _forged_generator(state: dict) -> bytes:
    out = wire._Outgoing()
    return wire.assemble({"__generator__": wire._encode(state, 0, out)}, out.chunks)


@pytest.mark.parametrize("state", [
    {"bit_generator": "PCG64", "state": {"state": 2 ** 200, "inc": 1}, "has_uint32": 0, "uinteger": 0},
    {"bit_generator": "PCG64", "state": {"state": -1, "inc": 1}, "has_uint32": 0, "uinteger": 0},
    {"bit_generator": "PCG64", "state": {"state": 1, "inc": 1}, "has_uint32": 2 ** 70, "uinteger": 0},
    {"bit_generator": "MT19937", "state": {"key": [1] * 624, "pos": 2 ** 70}},
    {"bit_generator": "MT19937", "state": {"key": np.zeros(3, dtype=np.uint32), "pos": 0}},
    {"bit_generator": "Philox", "state": {"counter": np.zeros(4, dtype=np.uint64), "key": np.zeros(2, dtype=np.uint64)},
     "buffer": np.zeros(4, dtype=np.uint64), "buffer_pos": 2 ** 80, "has_uint32": 0, "uinteger": 0},
    {"bit_generator": "SFC64", "state": {"state": "abc"}, "has_uint32": 0, "uinteger": 0},
    {"bit_generator": "MT19937", "state": {"key": [0] * 624, "pos": -10 ** 8}},
    {"bit_generator": "MT19937", "state": {"key": [0] * 624, "pos": 625}},
    {"bit_generator": "Philox", "state": {"counter": [0] * 4, "key": [0] * 2}, "buffer": [0] * 4,
     "buffer_pos": -10 ** 8, "has_uint32": 0, "uinteger": 0},
    {"bit_generator": "Philox", "state": {"counter": [0] * 4, "key": [0] * 2}, "buffer": [0] * 4,
     "buffer_pos": 5, "has_uint32": 0, "uinteger": 0},
], ids=["pcg-huge", "pcg-negative", "pcg-flag", "mt-pos", "mt-short-key", "philox-pos", "sfc-text",
        "mt-pos-below", "mt-pos-past-the-key", "philox-pos-below", "philox-pos-past-the-buffer"])
def test_an_out_of_range_generator_state_is_refused_not_raised(state):
    """numpy raises OverflowError or IndexError for some of these, and accepts the positions out
    of range, whose first draw then reads outside the generator's buffer (a segfault of the
    grader); the decoder says WireError, which the grader turns into the student's error."""
    with pytest.raises(wire.WireError):
        wire.loads(_forged_generator(state))
