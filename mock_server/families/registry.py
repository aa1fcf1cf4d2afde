"""The families of the API, one folder each, and the one registry that lists them.

`FAMILIES` is read by the route table and /openapi.json (`mock_server.http.routes`), the
engine that builds the backends (`mock_server.service.engine`), the waits and the test
helpers (`CALLBACK_TYPES`) and the probe. Adding a family is a folder with the same file names
as its neighbours (see `mock_server.families.family`) and one line in `FAMILIES`;
`tests/architecture/test_families_registry.py` fails while a family is registered halfway.
"""

from __future__ import annotations

from mock_server.families.account import family as account
from mock_server.families.family import Family
from mock_server.families.jobs import family as jobs
from mock_server.families.music import family as music
from mock_server.families.recovery import family as recovery
from mock_server.families.sync_ops import family as sync_ops
from mock_server.families.uploads import family as uploads
from mock_server.families.voice import family as voice

__all__ = ["CALLBACK_TYPES", "FAMILIES", "build_order"]

FAMILIES: tuple[Family, ...] = (
    music.FAMILY,
    account.FAMILY,
    sync_ops.FAMILY,
    jobs.FAMILY,
    voice.FAMILY,
    recovery.FAMILY,
    uploads.FAMILY,
)
"""In the order /openapi.json lists their routes."""

CALLBACK_TYPES: tuple[str, ...] = tuple(
    dict.fromkeys(kind for family in FAMILIES for kind in family.callback_types)
)
"""Callback types the mock journals: a music task's stages and `error`; jobs such as lyrics or
WAV send only `complete` (or `error`); Suno Voice steps send `validate`, `regenerate` and
`generate`."""


def build_order(families: tuple[Family, ...] = FAMILIES) -> list[Family]:
    """The families that build a backend, each after the ones it `needs`."""
    building = {f.name: f for f in families if f.build is not None}
    done: list[Family] = []

    def visit(family: Family, path: tuple[str, ...]) -> None:
        if family in done:
            return
        if family.name in path:
            raise ValueError(f"families need each other in a circle: {' -> '.join(path)}")
        for need in family.needs:
            if need not in building:
                raise ValueError(f"family {family.name!r} needs {need!r}, which builds nothing")
            visit(building[need], (*path, family.name))
        done.append(family)

    for family in building.values():
        visit(family, ())
    return done
