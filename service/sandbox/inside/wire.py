"""Plain-data wire format shared by the host and the in-sandbox driver.

Values travel as JSON. JSON scalars and lists stand for themselves; every JSON object is a tag
``{"t": kind, "v": payload}``: ``tuple``, ``dict`` (list of [key, value] pairs), ``nd`` (a numpy
array as base64 ``.npy`` written with ``allow_pickle=False``), ``np`` (a numpy scalar, same
encoding, 0-d) and ``complex``. Anything else is refused: no pickle, no custom classes.

This module is copied into the sandbox, so it imports only the standard library and numpy.
"""

from __future__ import annotations

import base64
import io
import json
import math
import struct
from typing import Any

import numpy as np

MAX_DEPTH = 32
ARRAY_KINDS = "biufc"  # bool, signed, unsigned, float, complex: nothing else crosses
_FRAME = struct.Struct(">I")


class WireError(ValueError):
    """A value cannot be encoded, or bytes are not a valid encoding."""


def _npy_bytes(arr: np.ndarray) -> str:
    if arr.dtype.kind not in ARRAY_KINDS or arr.dtype.fields is not None:
        raise WireError(f"arrays of dtype {arr.dtype} are not supported")
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def encode(value: Any, depth: int = 0) -> Any:
    """Turn plain data into JSON-ready data; WireError names the first unsupported type."""
    if depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value
    if kind is complex:
        return {"t": "complex", "v": [value.real, value.imag]}
    if kind is list:
        return [encode(v, depth + 1) for v in value]
    if kind is tuple:
        return {"t": "tuple", "v": [encode(v, depth + 1) for v in value]}
    if kind is dict:
        pairs = []
        for key, item in value.items():
            if type(key) not in (str, int, bool) and key is not None:
                raise WireError(f"dict keys of type {type(key).__name__} are not supported")
            pairs.append([key, encode(item, depth + 1)])
        return {"t": "dict", "v": pairs}
    if isinstance(value, np.ndarray):
        return {"t": "nd", "v": _npy_bytes(np.asarray(value))}
    if isinstance(value, np.generic):
        return {"t": "np", "v": _npy_bytes(np.asarray(value))}
    raise WireError(f"unsupported type {kind.__name__}")


def _load_npy(text: Any) -> np.ndarray:
    if type(text) is not str:
        raise WireError("array payload is not text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise WireError("array payload is not base64") from exc
    buf = io.BytesIO(raw)
    try:  # check the header before numpy allocates anything the header claims
        major, _minor = np.lib.format.read_magic(buf)
        if major == 1:
            shape, _fortran, dtype = np.lib.format.read_array_header_1_0(buf)
        elif major == 2:
            shape, _fortran, dtype = np.lib.format.read_array_header_2_0(buf)
        else:
            raise WireError("unsupported .npy version")
    except (ValueError, EOFError) as exc:
        raise WireError(f"bad .npy header: {exc}") from exc
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.hasobject:
        raise WireError(f"arrays of dtype {dtype} are not supported")
    if math.prod(shape) * dtype.itemsize != len(raw) - buf.tell():
        raise WireError(".npy payload size does not match its header")
    try:
        arr = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise WireError(f"bad .npy payload: {exc}") from exc
    if not isinstance(arr, np.ndarray):
        raise WireError("payload is not a single array")
    return arr


def decode(data: Any, depth: int = 0) -> Any:
    """Inverse of ``encode``; WireError on anything that is not a valid encoding."""
    if depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply")
    kind = type(data)
    if data is None or kind in (bool, int, float, str):
        return data
    if kind is list:
        return [decode(v, depth + 1) for v in data]
    if kind is not dict or set(data) != {"t", "v"}:
        raise WireError(f"unexpected {kind.__name__} in the wire data")
    tag, payload = data["t"], data["v"]
    if tag == "tuple" and type(payload) is list:
        return tuple(decode(v, depth + 1) for v in payload)
    if tag == "dict" and type(payload) is list:
        out: dict[Any, Any] = {}
        for pair in payload:
            if type(pair) is not list or len(pair) != 2:
                raise WireError("bad dict entry")
            key = pair[0]
            if type(key) not in (str, int, bool) and key is not None:
                raise WireError("bad dict key")
            out[key] = decode(pair[1], depth + 1)
        return out
    if tag == "complex" and type(payload) is list and len(payload) == 2:
        re_, im = payload
        if type(re_) not in (int, float) or type(im) not in (int, float):
            raise WireError("bad complex number")
        return complex(re_, im)
    if tag == "nd":
        return _load_npy(payload)
    if tag == "np":
        arr = _load_npy(payload)
        if arr.shape != ():
            raise WireError("numpy scalar with a shape")
        return arr[()]
    raise WireError(f"unknown tag {str(tag)[:20]!r}")


def dumps(value: Any) -> bytes:
    """JSON bytes of already-encoded data."""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def loads(raw: bytes) -> Any:
    """Parse JSON bytes strictly enough for untrusted input (WireError on failure)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise WireError(f"not valid JSON: {str(exc)[:80]}") from exc


def frame(payload: bytes) -> bytes:
    """Length-prefix ``payload`` for a pipe."""
    return _FRAME.pack(len(payload)) + payload


def frame_length(header: bytes) -> int:
    """Length announced by a 4-byte frame header."""
    return int(_FRAME.unpack(header)[0])
