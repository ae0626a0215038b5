"""The plain-data codec between the grader and the student's worker.

Only these cross the process boundary: None, bool, int, float, complex, str, numpy arrays of
numeric or boolean dtype, numpy scalars of those dtypes, numpy random Generators (by value:
the receiver gets a new generator in the same state; the sender's is not advanced), and
lists, tuples and string-keyed dicts of these. Messages are length-prefixed JSON; arrays travel as base64 of their raw bytes
with an explicit dtype and shape. Nothing is ever unpickled, and decoding builds only the types
above, so an ndarray subclass or an object with a clever ``__eq__`` cannot reach the grader.
"""
from __future__ import annotations

import base64
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
_ALLOWED_KINDS = set("biufc")  # bool, int, uint, float, complex
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")


class WireError(ValueError):
    """A value cannot be sent, or a received message is malformed or too large."""


def _encode(value: Any, depth: int, budget: list[int]) -> Any:
    if depth > MAX_DEPTH:
        raise WireError(f"nested deeper than {MAX_DEPTH} levels")
    budget[0] -= 1
    if budget[0] < 0:
        raise WireError(f"more than {MAX_ITEMS} items")
    if value is None or type(value) is bool or type(value) is str:
        if type(value) is str and len(value) > MAX_STR:
            raise WireError("string too long")
        return value
    if type(value) is int:
        if abs(value) >= 10 ** MAX_INT_DIGITS:
            raise WireError("integer too large")
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if type(value) is complex:
        return {"__complex__": [_encode(value.real, depth, budget), _encode(value.imag, depth, budget)]}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return _encode_array(np.asarray(value), scalar=True)
    if type(value) is np.ndarray:
        return _encode_array(value, scalar=False)
    if type(value) is np.random.Generator:
        state = value.bit_generator.state
        if state.get("bit_generator") not in _BIT_GENERATORS:
            raise WireError(f"cannot send a generator with bit generator {state.get('bit_generator')}")
        return {"__generator__": _encode(state, depth + 1, budget)}
    if type(value) is list:
        return [_encode(v, depth + 1, budget) for v in value]
    if type(value) is tuple:
        return {"__tuple__": [_encode(v, depth + 1, budget) for v in value]}
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise WireError("dict keys must be strings")
        return {"__dict__": {k: _encode(v, depth + 1, budget) for k, v in value.items()}}
    raise WireError(f"cannot send a value of type {type(value).__name__}")


def _encode_array(array: np.ndarray, scalar: bool) -> dict:
    if array.dtype.kind not in _ALLOWED_KINDS:
        raise WireError(f"arrays of dtype {array.dtype} cannot be sent")
    if array.nbytes > MAX_MESSAGE_BYTES:
        raise WireError("array too large")
    data = np.array(array, order="C", copy=True)  # ascontiguousarray would make 0-d arrays 1-d
    return {"__ndarray__": {
        "dtype": data.dtype.str, "shape": list(data.shape), "scalar": scalar,
        "data": base64.b64encode(data.tobytes()).decode("ascii"),
    }}


def _decode(obj: Any, depth: int) -> Any:
    if depth > MAX_DEPTH + 2:
        raise WireError("nested too deeply")
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is list:
        return [_decode(v, depth + 1) for v in obj]
    if type(obj) is dict and len(obj) == 1:
        (tag, body), = obj.items()
        if tag == "__tuple__" and type(body) is list:
            return tuple(_decode(v, depth + 1) for v in body)
        if tag == "__dict__" and type(body) is dict:
            return {str(k): _decode(v, depth + 1) for k, v in body.items()}
        if tag == "__float__" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "__complex__" and type(body) is list and len(body) == 2:
            re, im = (_decode(v, depth + 1) for v in body)
            if type(re) is float and type(im) is float:
                return complex(re, im)
        if tag == "__ndarray__" and type(body) is dict:
            return _decode_array(body)
        if tag == "__generator__":
            return _decode_generator(_decode(body, depth + 1))
    raise WireError("malformed message")


def _decode_array(body: dict) -> Any:
    try:
        dtype = np.dtype(str(body["dtype"]))
        shape = tuple(int(n) for n in body["shape"])
        raw = base64.b64decode(str(body["data"]), validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise WireError(f"malformed array: {exc}") from None
    if dtype.kind not in _ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError(f"arrays of dtype {dtype} are not accepted")
    if any(n < 0 for n in shape) or len(shape) > 32:
        raise WireError("malformed array shape")
    if len(raw) != dtype.itemsize * math.prod(shape):
        raise WireError("array data does not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return array[()] if body.get("scalar") is True and array.ndim == 0 else array


def _decode_generator(state: Any) -> np.random.Generator:
    name = state.get("bit_generator") if type(state) is dict else None
    if name not in _BIT_GENERATORS:
        raise WireError("malformed generator")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise WireError(f"malformed generator state: {exc}") from None
    return np.random.Generator(bit_generator)


def dumps(message: Any) -> bytes:
    """Encode a message (plain data only) to bytes, or raise WireError."""
    try:
        text = json.dumps(_encode(message, 0, [MAX_ITEMS]), allow_nan=False, separators=(",", ":"))
    except RecursionError:
        raise WireError("nested too deeply") from None
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError(f"message larger than {MAX_MESSAGE_BYTES} bytes")
    return data


def loads(data: bytes) -> Any:
    """Decode bytes produced by :func:`dumps`; anything else raises WireError."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError("message too large")
    try:
        obj = json.loads(data.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not a valid message: {type(exc).__name__}") from None
    return _decode(obj, 0)


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def header_length(header: bytes) -> int:
    (length,) = struct.unpack(">I", header)
    if length > MAX_MESSAGE_BYTES:
        raise WireError("message too large")
    return length
