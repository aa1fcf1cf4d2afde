"""How JSON becomes bytes and text: compact UTF-8 JSON (`encode`) and the `param` string (the
request as received, echoed as JSON text inside record-info and other answers). Base layer:
payloads and tasks both use it."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["encode", "param_json"]

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"))


def encode(payload: Any) -> bytes:
    """Compact UTF-8 JSON, the way the payloads go over the wire."""
    return _ENCODER.encode(payload).encode()


def param_json(request: Any, *, ascii_only: bool = False) -> str:
    """`param`: the request as compact JSON text, non-ASCII characters as they are (music
    and lyrics record-info); `ascii_only` escapes them as `\\uXXXX` (boost style's answer)."""
    return (_ASCII_ENCODER if ascii_only else _ENCODER).encode(request)
