"""The plain-data codec between the grader and the student's worker.

Only these cross the process boundary: None, bool, int, float, complex, str, numpy arrays of
numeric or boolean dtype, numpy scalars of those dtypes, numpy random Generators (by value:
the receiver gets a new generator in the same state; the sender's is not advanced), and
lists, tuples and string-keyed dicts of these. Messages are length-prefixed JSON; an array
travels as ``{"__ndarray__": [dtype, shape, base64 of its bytes in C order]}`` (a numpy
scalar as ``__scalar__``, a 0-d array). Nothing is ever unpickled, and decoding builds only the types
above, so an ndarray subclass or an object with a clever ``__eq__`` cannot reach the grader.

Both directions enforce the same caps (bytes, nesting depth, items, integer digits, string length),
so a forged message can cost the grader no more to decode than an honest one of the same size:
before the JSON is parsed, a message whose brackets and commas outnumber ``MAX_STRUCTURE`` is
refused (the parser would otherwise build millions of small objects), and the decoded values are
counted against ``MAX_ITEMS`` as the encoder counts them. Whatever goes wrong while decoding is a
:class:`WireError`, never another exception.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import struct
from typing import Any

import numpy as np

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 20
MAX_ITEMS = 100_000
MAX_STR = 1_000_000
MAX_INT_DIGITS = 400
MAX_DTYPE_NAME = 16  # the longest dtype.str an honest worker sends is 5 characters ('<c16')
# Brackets and commas in one message: every JSON value but the first follows one of "[{," so
# this bounds the objects the JSON parser builds before any of our checks run. An array costs
# the encoder one item but ~8 of these (more with many dimensions): a list of 100,000 matrices
# still fits. Checked only for messages longer than the bound (shorter ones cannot exceed it).
MAX_STRUCTURE = 8 * MAX_ITEMS
_INT_LIMIT = 10 ** MAX_INT_DIGITS
_STRUCTURE = bytes(range(256)).translate(None, b"[{,")  # every byte but the structural ones
_ALLOWED_KINDS = set("biufc")  # bool, int, uint, float, complex
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")
_DTYPES: dict[str, np.dtype] = {}  # accepted dtype names, parsed once
# numpy scalars sent as [dtype, JSON number]: exact both ways (others travel as bytes)
_PLAIN_SCALARS: dict[type, Any] = {np.float64: float, np.int64: int, np.bool_: bool}
_PLAIN_DECODE = {np.dtype(t).str: (t, plain) for t, plain in _PLAIN_SCALARS.items()}


class WireError(ValueError):
    """A value cannot be sent, or a received message is malformed or too large."""


def _encode(value: Any, depth: int, budget: list[int]) -> Any:
    if depth > MAX_DEPTH:
        raise WireError(f"nested deeper than {MAX_DEPTH} levels")
    budget[0] -= 1
    if budget[0] < 0:
        raise WireError(f"more than {MAX_ITEMS} items")
    kind = type(value)  # exact types: a subclass (of float, ndarray, dict...) is refused below
    if kind is np.ndarray:
        return _encode_array(value, "__ndarray__")
    if kind is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if kind is list:
        return [_encode(v, depth + 1, budget) for v in value]
    if kind is str:
        if len(value) > MAX_STR:
            raise WireError("string too long")
        return value
    if kind is int:
        if abs(value) >= _INT_LIMIT:
            raise WireError("integer too large")
        return value
    if value is None or kind is bool:
        return value
    if kind is tuple:
        return {"__tuple__": [_encode(v, depth + 1, budget) for v in value]}
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise WireError("dict keys must be strings")
        return {"__dict__": {k: _encode(v, depth + 1, budget) for k, v in value.items()}}
    if kind is complex:
        return {"__complex__": [_encode(value.real, depth, budget), _encode(value.imag, depth, budget)]}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        plain = _PLAIN_SCALARS.get(kind)  # the usual reply: a float64 (as a JSON number, exactly)
        if plain is not None and (kind is not np.float64 or math.isfinite(value)):
            return {"__scalar__": [value.dtype.str, plain(value)]}
        return _encode_array(np.asarray(value), "__scalar__")
    if kind is np.random.Generator:
        state = value.bit_generator.state
        if state.get("bit_generator") not in _BIT_GENERATORS:
            raise WireError(f"cannot send a generator with bit generator {state.get('bit_generator')}")
        return {"__generator__": _encode(state, depth + 1, budget)}
    raise WireError(f"cannot send a value of type {kind.__name__}")


def _encode_array(array: np.ndarray, tag: str) -> dict:
    if array.dtype.kind not in _ALLOWED_KINDS:
        raise WireError(f"arrays of dtype {array.dtype} cannot be sent")
    if array.nbytes > MAX_MESSAGE_BYTES:
        raise WireError("array too large")
    # tobytes() is C order whatever the array's layout; dtype.str names the byte order too
    return {tag: [array.dtype.str, list(array.shape), binascii.b2a_base64(array.tobytes(), newline=False).decode("ascii")]}


def _decode(obj: Any, depth: int, budget: list[int]) -> Any:
    if depth > MAX_DEPTH + 2:
        raise WireError("nested too deeply")
    budget[0] -= 1
    if budget[0] < 0:
        raise WireError(f"more than {MAX_ITEMS} items")
    kind = type(obj)
    if kind is list:
        return [_decode(v, depth + 1, budget) for v in obj]
    if kind is dict and len(obj) == 1:
        (tag, body), = obj.items()
        if tag == "__ndarray__":
            return _decode_array(body, scalar=False)
        if tag == "__scalar__":
            return _decode_scalar(body)
        if tag == "__dict__" and type(body) is dict:
            return {k: _decode(v, depth + 1, budget) for k, v in body.items()}  # JSON keys are strings
        if tag == "__tuple__" and type(body) is list:
            return tuple(_decode(v, depth + 1, budget) for v in body)
        if tag == "__float__" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "__complex__" and type(body) is list and len(body) == 2:
            re, im = (_decode(v, depth, budget) for v in body)
            if type(re) is float and type(im) is float:
                return complex(re, im)
        if tag == "__generator__":
            return _decode_generator(_decode(body, depth + 1, budget))
    if kind is str:
        if len(obj) > MAX_STR:
            raise WireError("string too long")
        return obj
    if kind is int:
        if abs(obj) >= _INT_LIMIT:
            raise WireError("integer too large")
        return obj
    if obj is None or kind is float or kind is bool:
        return obj
    raise WireError("malformed message")


def _dtype(name: Any) -> np.dtype:
    dtype = _DTYPES.get(name) if type(name) is str else None
    if dtype is None:
        if type(name) is not str or len(name) > MAX_DTYPE_NAME:  # numpy's error would quote all of it
            raise WireError("malformed array dtype")
        try:
            dtype = np.dtype(str(name))
        except (TypeError, ValueError) as exc:
            raise WireError(f"malformed array: {exc}") from None
        if dtype.kind not in _ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            raise WireError(f"arrays of dtype {dtype} are not accepted")
        if len(_DTYPES) < 64:  # the dtypes seen so far; bounded, whatever a worker sends
            _DTYPES[name] = dtype
    return dtype


def _decode_scalar(body: Any) -> Any:
    if type(body) is list and len(body) == 2 and type(body[0]) is str:
        kind, plain = _PLAIN_DECODE.get(body[0], (None, None))
        if kind is not None and type(body[1]) is plain and (plain is not int or -2 ** 63 <= body[1] < 2 ** 63):
            return kind(body[1])
        raise WireError("malformed scalar")
    return _decode_array(body, scalar=True)


def _decode_array(body: Any, scalar: bool) -> Any:
    if type(body) is not list or len(body) != 3 or type(body[1]) is not list or type(body[2]) is not str:
        raise WireError("malformed array")
    dtype = _dtype(body[0])
    shape = body[1]
    if len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
        raise WireError("malformed array shape")
    try:
        raw = base64.b64decode(body[2], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WireError(f"malformed array: {exc}") from None
    if len(raw) != dtype.itemsize * math.prod(shape):
        raise WireError("array data does not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()  # writable, and owns its data
    if scalar:
        if array.ndim != 0:
            raise WireError("malformed scalar")
        return array[()]
    return array


def _decode_generator(state: Any) -> np.random.Generator:
    name = state.get("bit_generator") if type(state) is dict else None
    if name not in _BIT_GENERATORS:
        raise WireError("malformed generator")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except Exception as exc:  # numpy raises Overflow-, Index-, Type-, Value- and KeyErrors here
        raise WireError(f"malformed generator state: {type(exc).__name__}") from None
    return np.random.Generator(bit_generator)


# One encoder and one decoder for the life of the process: json.dumps(obj, **options) builds a
# new encoder per call, which cost more than the encoding of a typical message.
_JSON_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"))
_JSON_DECODER = json.JSONDecoder()


def dumps(message: Any) -> bytes:
    """Encode a message (plain data only) to bytes, or raise WireError."""
    try:
        text = _JSON_ENCODER.encode(_encode(message, 0, [MAX_ITEMS]))
    except RecursionError:
        raise WireError("nested too deeply") from None
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError(f"message larger than {MAX_MESSAGE_BYTES} bytes")
    _check_structure(data)  # what loads() would refuse is never sent
    return data


def loads(data: bytes) -> Any:
    """Decode bytes produced by :func:`dumps`; anything else raises WireError."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError("message too large")
    _check_structure(data)
    try:
        text = data.decode("utf-8", "surrogatepass")
        obj, end = _JSON_DECODER.raw_decode(text)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not a valid message: {type(exc).__name__}") from None
    if end != len(text):
        raise WireError("not a valid message: data after the end")
    try:
        return _decode(obj, 0, [MAX_ITEMS])
    except WireError:
        raise
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError, MemoryError) as exc:
        raise WireError(f"malformed message: {type(exc).__name__}") from None


def _check_structure(data: bytes) -> None:
    if len(data) > MAX_STRUCTURE and len(data.translate(None, _STRUCTURE)) > MAX_STRUCTURE:
        raise WireError(f"more than {MAX_STRUCTURE} brackets and commas in one message")


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def header_length(header: bytes) -> int:
    (length,) = struct.unpack(">I", header)
    if length > MAX_MESSAGE_BYTES:
        raise WireError("message too large")
    return length
