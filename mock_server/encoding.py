"""How JSON becomes bytes and text: compact UTF-8 JSON (`encode`) and the `param` string (the
request as received, echoed as JSON text inside record-info and other answers). Base layer:
payloads and tasks both use it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

__all__ = ["encode", "param_json"]

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"))


def _unknown(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_C_ENCODER: Callable[[Any, int], Iterable[str]] | None = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, _unknown, encode_basestring, None, ":", ",", False, False, True)
)
"""`_ENCODER`'s C encoder made once: `JSONEncoder.encode` makes a new one on every call,
which is half the cost of a small payload. The same bytes; no cycle check (a payload is a
tree). See docs/performance.md, "A reused JSON encoder"."""


def encode(payload: Any) -> bytes:
    """Compact UTF-8 JSON, the way the payloads go over the wire."""
    if _C_ENCODER is None:  # a Python without the json C accelerator
        return _ENCODER.encode(payload).encode()
    return "".join(_C_ENCODER(payload, 0)).encode()


def param_json(request: Any, *, ascii_only: bool = False) -> str:
    """`param`: the request as compact JSON text, non-ASCII characters as they are (music
    and lyrics record-info); `ascii_only` escapes them as `\\uXXXX` (boost style's answer)."""
    return (_ASCII_ENCODER if ascii_only else _ENCODER).encode(request)
