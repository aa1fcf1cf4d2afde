"""How JSON becomes bytes and text: compact UTF-8 JSON (`encode`) and the `param` string (the
request as received, echoed as JSON text inside record-info and other answers). Base layer:
payloads and tasks both use it.

The standard library's encoder, through its public API only. Faster encoders were measured and
give other bytes for some values a client may send back to us: pydantic-core writes 1e-07 as
1e-7 and 2.5e-05 as 0.000025, and a None key as "None"; orjson also refuses integers beyond 64
bits and non-string keys, and writes infinity as null (tests/contract/test_encoding.py pins
the bytes).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["encode", "encode_built", "encode_text", "param_json", "request_size"]

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"))
_BUILT_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def encode(payload: Any) -> bytes:
    """Compact UTF-8 JSON, the way the payloads go over the wire."""
    return _ENCODER.encode(payload).encode()


def encode_built(payload: Any) -> bytes:
    """`encode`'s bytes for a payload the mock built itself, fresh dicts and lists that hold
    no container twice (a stage callback): no check for cycles, which costs every dict and
    list a mark in a table (docs/performance.md, "Per-callback pieces")."""
    return _BUILT_ENCODER.encode(payload).encode()


def encode_text(payload: Any) -> str:
    """`encode_built`'s JSON as text (a part of a body put together by hand)."""
    return _BUILT_ENCODER.encode(payload)


def param_json(request: Any, *, ascii_only: bool = False) -> str:
    """`param`: the request as compact JSON text, non-ASCII characters as they are (music
    and lyrics record-info); `ascii_only` escapes them as `\\uXXXX` (boost style's answer)."""
    return (_ASCII_ENCODER if ascii_only else _ENCODER).encode(request)


def request_size(value: Any) -> int:
    """About how many bytes a decoded JSON value takes: its strings' lengths plus a little
    per value. A walk of what the request holds, cheaper than encoding it on the submit path;
    a request's own fields (a flat object, the usual body) are counted in one pass."""
    if type(value) is not dict:
        return _walk_size(value)
    size = 64 + 50 * len(value) + sum(map(len, value))
    for item in value.values():
        kind = type(item)
        if kind is str:
            size += len(item) + 50
        elif kind is dict or kind is list:
            size += _walk_size(item)
        else:
            size += 32
    return size


def _walk_size(value: Any) -> int:
    size, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            size += len(item) + 50
        elif isinstance(item, dict):
            size += 64
            stack.extend(item.values())
            stack.extend(item)
        elif isinstance(item, list):
            size += 56 + 8 * len(item)
            stack.extend(item)
        else:
            size += 32
    return size
