"""The plain-data codec between the grader and the student's worker.

Only these cross the process boundary: None, bool, int, float, complex, str, numpy arrays of
numeric or boolean dtype, numpy scalars of those dtypes, numpy random Generators (by value:
the receiver gets a new generator in the same state; the sender's is not advanced), and
lists, tuples and string-keyed dicts of these. A message is JSON (ASCII), then, if it carries
arrays, a NUL byte and their raw bytes one after another: an array travels as
``{"__ndarray__": [dtype, shape, offset]}``, its bytes in C order at OFFSET of that binary part
(a numpy scalar as ``__scalar__``, a 0-d array). Raw bytes cost a copy each way where base64
inside JSON cost an encoding, an escape scan and a decoding (1.8 ms for a 128 KB stack of
matrices, ~0.1 ms now). Nothing is ever unpickled, and decoding builds only the types above,
so an ndarray subclass or an object with a clever ``__eq__`` cannot reach the grader.

Both directions enforce the same caps (bytes, nesting depth, items, integer digits, string length),
so a forged message can cost the grader no more to decode than an honest one of the same size:
before the JSON is parsed, a message whose brackets and commas outnumber ``MAX_STRUCTURE`` is
refused (the parser would otherwise build millions of small objects), and the decoded values are
counted against ``MAX_ITEMS`` as the encoder counts them. The arrays' bytes must follow each
other exactly as the encoder lays them out: each array starts where the one before it ended, and
the last one ends where the message does (no overlap, no gap, nothing after). A boolean array
is rebuilt from its bytes (any nonzero byte is True), so a forged byte 2 cannot count twice.
Whatever goes wrong while decoding is a :class:`WireError`, never another exception.
"""
from __future__ import annotations

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
# Brackets and commas in one message: every JSON value but the first follows one of "[{," so
# this bounds the objects the JSON parser builds before any of our checks run. An array costs
# the encoder one item but ~8 of these (more with many dimensions): a list of 100,000 matrices
# still fits. Checked only for messages longer than the bound (shorter ones cannot exceed it).
MAX_STRUCTURE = 8 * MAX_ITEMS
_INT_LIMIT = 10 ** MAX_INT_DIGITS
_STRUCTURE = bytes(range(256)).translate(None, b"[{,")  # every byte but the structural ones
_ALLOWED_KINDS = set("biufc")  # bool, int, uint, float, complex
_SEPARATOR = b"\0"  # between the JSON and the arrays' bytes: never in the JSON (ASCII, control characters escaped)
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")
_NUMERIC = (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
            np.float16, np.float32, np.float64, np.longdouble, np.complex64, np.complex128, np.clongdouble)
# Every dtype name an honest worker sends (dtype.str of the numeric types, in both byte orders),
# built once: numpy never parses a name a worker wrote (it would, with ast.literal_eval, for
# "(,)f8", and raise SyntaxError).
_DTYPES: dict[str, np.dtype] = {d.str: d for t in _NUMERIC for d in (np.dtype(t).newbyteorder("<"),
                                                                   np.dtype(t).newbyteorder(">"))}
# numpy scalars sent as [dtype, JSON number]: exact both ways (others travel as bytes)
_PLAIN_SCALARS: dict[type, Any] = {np.float64: float, np.int64: int, np.bool_: bool}
_PLAIN_DECODE = {np.dtype(t).str: (t, plain) for t, plain in _PLAIN_SCALARS.items()}
# A bit generator is rebuilt from this and then given the sender's state: without a seed numpy
# would gather fresh entropy from the OS for a state that is overwritten at once.
_ANY_SEED = np.random.SeedSequence(0)


class WireError(ValueError):
    """A value cannot be sent, or a received message is malformed or too large."""


class _Outgoing:
    """What encoding one message has used up: items left, and the arrays' bytes so far."""
    __slots__ = ("items", "chunks", "size")

    def __init__(self) -> None:
        self.items, self.chunks, self.size = MAX_ITEMS, [], 0


class _Incoming:
    """What decoding one message has used up: items left, and how far into the arrays' bytes."""
    __slots__ = ("items", "data", "cursor")

    def __init__(self, data: memoryview) -> None:
        self.items, self.data, self.cursor = MAX_ITEMS, data, 0


def _encode(value: Any, depth: int, out: _Outgoing) -> Any:
    """VALUE as JSON-ready data; its arrays' bytes go to OUT."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested deeper than {MAX_DEPTH} levels")
    out.items -= 1
    if out.items < 0:
        raise WireError(f"more than {MAX_ITEMS} items")
    kind = type(value)  # exact types: a subclass (of float, ndarray, dict...) is refused below
    if kind is np.ndarray:
        return _encode_array(value, "__ndarray__", out)
    if kind is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if kind is list:
        return [_encode(v, depth + 1, out) for v in value]
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
        return {"__tuple__": [_encode(v, depth + 1, out) for v in value]}
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise WireError("dict keys must be strings")
        return {"__dict__": {k: _encode(v, depth + 1, out) for k, v in value.items()}}
    if kind is complex:
        return {"__complex__": [_encode(value.real, depth, out), _encode(value.imag, depth, out)]}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        plain = _PLAIN_SCALARS.get(kind)  # the usual reply: a float64 (as a JSON number, exactly)
        if plain is not None and (kind is not np.float64 or math.isfinite(value)):
            return {"__scalar__": [value.dtype.str, plain(value)]}
        return _encode_array(np.asarray(value), "__scalar__", out)
    if kind is np.random.Generator:
        state = value.bit_generator.state
        if state.get("bit_generator") not in _BIT_GENERATORS:
            raise WireError(f"cannot send a generator with bit generator {state.get('bit_generator')}")
        return {"__generator__": _encode(state, depth + 1, out)}
    raise WireError(f"cannot send a value of type {kind.__name__}")


def _encode_array(array: np.ndarray, tag: str, out: _Outgoing) -> dict:
    if array.dtype.kind not in _ALLOWED_KINDS:
        raise WireError(f"arrays of dtype {array.dtype} cannot be sent")
    if out.size + array.nbytes > MAX_MESSAGE_BYTES:
        raise WireError("array too large")
    offset = out.size
    out.chunks.append(array.tobytes())  # C order whatever the array's layout; dtype.str names the byte order
    out.size += array.nbytes
    return {tag: [array.dtype.str, list(array.shape), offset]}


def _decode(obj: Any, depth: int, into: _Incoming) -> Any:
    if depth > MAX_DEPTH + 2:
        raise WireError("nested too deeply")
    into.items -= 1
    if into.items < 0:
        raise WireError(f"more than {MAX_ITEMS} items")
    kind = type(obj)
    if kind is list:
        return [_decode(v, depth + 1, into) for v in obj]
    if kind is dict and len(obj) == 1:
        (tag, body), = obj.items()
        if tag == "__ndarray__":
            return _decode_array(body, into, scalar=False)
        if tag == "__scalar__":
            return _decode_scalar(body, into)
        if tag == "__dict__" and type(body) is dict:
            return {k: _decode(v, depth + 1, into) for k, v in body.items()}  # JSON keys are strings
        if tag == "__tuple__" and type(body) is list:
            return tuple(_decode(v, depth + 1, into) for v in body)
        if tag == "__float__" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "__complex__" and type(body) is list and len(body) == 2:
            re, im = (_decode(v, depth, into) for v in body)
            if type(re) is float and type(im) is float:
                return complex(re, im)
        if tag == "__generator__":
            return _decode_generator(_decode(body, depth + 1, into))
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
    if dtype is None:  # not quoted: a forged name may be anything
        raise WireError("malformed array dtype")
    return dtype


def _decode_scalar(body: Any, into: _Incoming) -> Any:
    if type(body) is list and len(body) == 2 and type(body[0]) is str:
        kind, plain = _PLAIN_DECODE.get(body[0], (None, None))
        if kind is not None and type(body[1]) is plain and (plain is not int or -2 ** 63 <= body[1] < 2 ** 63):
            return kind(body[1])
        raise WireError("malformed scalar")
    return _decode_array(body, into, scalar=True)


def _decode_array(body: Any, into: _Incoming, scalar: bool) -> Any:
    if type(body) is not list or len(body) != 3 or type(body[1]) is not list or type(body[2]) is not int:
        raise WireError("malformed array")
    dtype = _dtype(body[0])
    shape, offset = body[1], body[2]
    if len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
        raise WireError("malformed array shape")
    if offset != into.cursor:  # each array's bytes start where the one before ended
        raise WireError("array data out of place")
    size = dtype.itemsize * math.prod(shape)
    if size > len(into.data) - offset:
        raise WireError("array data does not match its shape")
    raw = into.data[offset:offset + size]
    into.cursor += size
    if dtype.kind == "b":  # any byte but 0 is True: a forged byte 2 must not count as 2
        array = np.frombuffer(raw, dtype=np.uint8).reshape(shape).astype(np.bool_)  # an array, even 0-d
    else:
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
    bit_generator = getattr(np.random, name)(_ANY_SEED)
    try:
        bit_generator.state = state
        taken = bit_generator.state
    except Exception as exc:  # numpy raises Overflow-, Index-, Type-, Value- and KeyErrors here
        raise WireError(f"malformed generator state: {type(exc).__name__}") from None
    # numpy does not check these positions into the generator's buffers: out of range, the
    # first draw reads (or writes) outside them, in the grader's memory
    if name == "MT19937" and not 0 <= taken["state"]["pos"] <= 624 or \
            name == "Philox" and not 0 <= taken["buffer_pos"] <= 4:
        raise WireError("malformed generator state: a position out of range")
    return np.random.Generator(bit_generator)


# One encoder and one decoder for the life of the process: json.dumps(obj, **options) builds a
# new encoder per call, which cost more than the encoding of a typical message.
_JSON_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"))
_JSON_DECODER = json.JSONDecoder()


def dumps(message: Any) -> bytes:
    """Encode a message (plain data only) to bytes, or raise WireError."""
    out = _Outgoing()
    try:
        encoded = _encode(message, 0, out)
    except RecursionError:
        raise WireError("nested too deeply") from None
    return assemble(encoded, out.chunks)


def assemble(encoded: Any, chunks: list[bytes]) -> bytes:
    """The message: ENCODED as JSON, then the arrays' bytes CHUNKS (what its offsets point into)."""
    try:
        text = _JSON_ENCODER.encode(encoded)  # ASCII: no NUL, every control character escaped
    except RecursionError:
        raise WireError("nested too deeply") from None
    data = text.encode("ascii")
    _check_structure(data)  # what loads() would refuse is never sent
    if chunks:
        data = b"".join((data, _SEPARATOR, *chunks))
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError(f"message larger than {MAX_MESSAGE_BYTES} bytes")
    return data


def loads(data: bytes) -> Any:
    """Decode bytes produced by :func:`dumps`; anything else raises WireError."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError("message too large")
    split = data.find(_SEPARATOR)
    header = data if split < 0 else data[:split]
    arrays = memoryview(data)[len(data):] if split < 0 else memoryview(data)[split + 1:]
    _check_structure(header)
    try:
        text = header.decode("ascii")
        obj, end = _JSON_DECODER.raw_decode(text)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not a valid message: {type(exc).__name__}") from None
    if end != len(text):
        raise WireError("not a valid message: data after the end")
    into = _Incoming(arrays)
    try:
        value = _decode(obj, 0, into)
    except WireError:
        raise
    except Exception as exc:  # whatever numpy or the codec raised on forged data: never the grader's own failure
        raise WireError(f"malformed message: {type(exc).__name__}") from None
    if into.cursor != len(arrays):
        raise WireError("not a valid message: array data after the last array")
    return value


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
