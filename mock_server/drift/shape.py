"""Compare two JSON documents by shape: keys, nesting, value types and enum values.

Used to hold the mock's answers and callbacks against payloads the real service sent (the
drift guard in `tests/fixtures/real/`, `suno-mock drift`). Values that are meant to differ
(ids, URLs, times, generated text) are not compared; only fields named as enums are.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["DEFAULT_ENUMS", "Difference", "compare", "ignored", "json_type"]

DifferenceKind = Literal["missing", "extra", "type", "enum", "order"]

DEFAULT_ENUMS = frozenset(
    {"code", "msg", "status", "callbackType", "operationType", "successFlag", "type", "state"}
)
"""Keys whose values are enums of the real API: the mock must send the same value."""


@dataclass(frozen=True)
class Difference:
    """One place where the two documents differ in shape."""

    location: str
    """Where, as a JSONPath-like string: `$.data.response.sunoData[0].duration`."""
    kind: DifferenceKind
    expected: str
    actual: str

    def __str__(self) -> str:
        what = {
            "missing": "key missing",
            "extra": "key not in the reference",
            "type": "type differs",
            "enum": "enum value differs",
            "order": "sequence differs",
        }[self.kind]
        return f"{self.location}: {what} (reference: {self.expected}; got: {self.actual})"


def json_type(value: Any) -> str:
    """The JSON type of a decoded value: null, boolean, number, string, array or object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def compare(
    expected: Any,
    actual: Any,
    *,
    enums: Collection[str] = DEFAULT_ENUMS,
    path: str = "$",
    ignore: Collection[str] = (),
) -> list[Difference]:
    """Every shape difference of `actual` from the reference `expected`.

    Objects must have the same keys; values the same JSON type, recursively. Each element of
    an array is compared with the reference element at the same index (the last one when the
    reference is shorter). Values of keys in `enums` must be equal. An empty reference array
    accepts any array.

    `ignore` leaves places out: a key name (`msg`) anywhere, or a location with `[*]` for any
    index (`$.data.data[*].tags`), which also covers everything below it.
    """
    found: list[Difference] = []
    _compare(expected, actual, enums, path, None, found)
    if not ignore:
        return found
    return [d for d in found if not ignored(d.location, ignore)]


_INDEX = re.compile(r"\[\d+\]")


def ignored(location: str, ignore: Collection[str]) -> bool:
    """Whether `location` is covered by one of the `ignore` entries (see `compare`)."""
    general = _INDEX.sub("[*]", location)
    keys = set(re.split(r"[.\[\]]", location))
    for entry in ignore:
        if entry.startswith("$"):
            if general == entry or general.startswith((entry + ".", entry + "[")):
                return True
        elif entry in keys:
            return True
    return False


def _compare(
    expected: Any,
    actual: Any,
    enums: Collection[str],
    path: str,
    key: str | None,
    found: list[Difference],
) -> None:
    want, got = json_type(expected), json_type(actual)
    if want != got:
        found.append(Difference(path, "type", want, got))
        return
    if key is not None and key in enums and want not in {"object", "array"}:
        if expected != actual:
            found.append(Difference(path, "enum", repr(expected), repr(actual)))
        return
    if want == "object":
        for name, value in expected.items():
            if name not in actual:
                found.append(Difference(f"{path}.{name}", "missing", json_type(value), "absent"))
            else:
                _compare(value, actual[name], enums, f"{path}.{name}", name, found)
        for name, value in actual.items():
            if name not in expected:
                found.append(Difference(f"{path}.{name}", "extra", "absent", json_type(value)))
    elif want == "array" and expected:
        for i, item in enumerate(actual):
            reference = expected[min(i, len(expected) - 1)]
            _compare(reference, item, enums, f"{path}[{i}]", key, found)
