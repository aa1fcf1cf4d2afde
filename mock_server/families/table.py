"""The families' routes and callback types as plain data, and a family's declaration on demand.

A server registers every route at start, but a test reaches one or two families: the route
table is this list of paths, and a family's `family.py` (its handlers, request and callback
models, backend) is imported when a request first reaches one of its routes, or when its
backend is first asked for (see docs/performance.md, "Families imported when first reached"). The
registry (`mock_server.families.registry.FAMILIES`) still imports them all, for /openapi.json,
the probe and the health view; `tests/architecture/test_families_registry.py` fails while this
table and the registry disagree.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from mock_server.families.family import Family

__all__ = ["CALLBACK_TYPES", "NAMES", "ROUTES", "declared", "declared_handler"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROUTES: tuple[tuple[str, str, str], ...] = (
    ("music", "POST", "/api/v1/generate"),
    ("music", "POST", "/api/v1/generate/extend"),
    ("music", "POST", "/api/v1/generate/upload-cover"),
    ("music", "POST", "/api/v1/generate/upload-extend"),
    ("music", "POST", "/api/v1/generate/add-instrumental"),
    ("music", "POST", "/api/v1/generate/add-vocals"),
    ("music", "POST", "/api/v1/generate/replace-section"),
    ("music", "POST", "/api/v1/generate/mashup"),
    ("music", "POST", "/api/v1/generate/sounds"),
    ("music", "GET", "/api/v1/generate/record-info"),
    ("account", "GET", "/api/v1/generate/credit"),
    ("sync_ops", "POST", "/api/v1/generate/generate-persona"),
    ("sync_ops", "POST", "/api/v1/generate/get-timestamped-lyrics"),
    ("sync_ops", "POST", "/api/v1/style/generate"),
    ("jobs", "POST", "/api/v1/lyrics"),
    ("jobs", "GET", "/api/v1/lyrics/record-info"),
    ("jobs", "POST", "/api/v1/wav/generate"),
    ("jobs", "GET", "/api/v1/wav/record-info"),
    ("jobs", "POST", "/api/v1/vocal-removal/generate"),
    ("jobs", "GET", "/api/v1/vocal-removal/record-info"),
    ("jobs", "POST", "/api/v1/midi/generate"),
    ("jobs", "GET", "/api/v1/midi/record-info"),
    ("jobs", "POST", "/api/v1/mp4/generate"),
    ("jobs", "GET", "/api/v1/mp4/record-info"),
    ("jobs", "POST", "/api/v1/suno/cover/generate"),
    ("jobs", "GET", "/api/v1/suno/cover/record-info"),
    ("voice", "POST", "/api/v1/voice/validate"),
    ("voice", "GET", "/api/v1/voice/validate-info"),
    ("voice", "POST", "/api/v1/voice/regenerate"),
    ("voice", "POST", "/api/v1/voice/generate"),
    ("voice", "GET", "/api/v1/voice/record-info"),
    ("voice", "POST", "/api/v1/voice/check-voice"),
    ("recovery", "POST", "/api/v1/suno/recovery"),
    ("recovery", "GET", "/api/v1/suno/recovery/record-info"),
    ("uploads", "POST", "/api/file-base64-upload"),
    ("uploads", "POST", "/api/file-stream-upload"),
    ("uploads", "POST", "/api/file-url-upload"),
)
"""(family, method, path) of every route of the mocked API, in the registry's order."""

NAMES: frozenset[str] = frozenset(name for name, _, _ in ROUTES)
"""Every family's name (each has routes)."""

CALLBACK_TYPES: tuple[str, ...] = (
    "text", "first", "complete", "error", "validate", "regenerate", "generate",
)  # fmt: skip
"""Callback types the mock journals: a music task's stages and `error`; jobs such as lyrics or
WAV send only `complete` (or `error`); Suno Voice steps send `validate`, `regenerate` and
`generate` (the families' `callback_types`, in the registry's order)."""


def declared(name: str) -> Family:
    """The family `name` as its `family.py` declares it (imported on first call); `KeyError`
    for a name that is no family's."""
    family = _DECLARED.get(name)
    if family is None:
        if name not in NAMES:
            raise KeyError(name)
        family = _DECLARED[name] = importlib.import_module(
            f"mock_server.families.{name}.family"
        ).FAMILY
    return family


_DECLARED: dict[str, Family] = {}
"""The families imported so far (a server asks at every start and every reset)."""


def declared_handler(name: str, method: str, path: str) -> Handler:
    """The handler family `name` declares for a route (the family is imported on first call:
    a route's front door asks at the route's first request)."""
    found = declared(name).endpoints
    return next(e.handler for e in found if (e.method, e.path) == (method, path))
