"""The probe's battery: named cases of realistic callbacks. Each family with callbacks makes
its own (`probe` in its `Family`, from its `probe.py`), in the registry's order; then the cases of
what any receiver must survive (unknown fields, a pending URL, broken bodies) and, with a webhook
key, of signed callbacks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mock_server.core.encoding import encode
from mock_server.core.settings import Settings
from mock_server.families.music.payloads import stage_callback
from mock_server.families.music.probe import ERROR_CODES
from mock_server.families.probe import Case, Expect, ProbeKit, Shot
from mock_server.families.registry import FAMILIES

__all__ = ["ERROR_CODES", "Case", "Expect", "Shot", "battery"]

UNKNOWN_FIELD = "probeUnknownField"
UNKNOWN_VALUE = "added by suno-mock probe: a receiver must ignore fields it does not know"


# What a receiver must survive: unknown fields, a pending URL, broken bodies.


def _with_unknown_fields(body: dict[str, Any]) -> dict[str, Any]:
    body[UNKNOWN_FIELD] = UNKNOWN_VALUE
    body["data"][UNKNOWN_FIELD] = UNKNOWN_VALUE
    for item in body["data"]["data"]:
        item[UNKNOWN_FIELD] = UNKNOWN_VALUE
    return body


def _robustness_cases(make: ProbeKit) -> list[Case]:
    task = make.task()
    extended = _with_unknown_fields(stage_callback(task, "complete", make.settings))
    unknown = Shot("complete", task.id, "complete", encode(extended))
    pending = make.stages("first")
    task = make.task()
    empty = Shot("empty body", task.id, "complete", b"", expect="robust")
    whole = make.stage(task, "complete").payload
    broken = Shot("malformed body", task.id, "complete", whole[: len(whole) // 2], expect="robust")
    return [
        Case("unknown-field", "complete with an unknown field at every level", (unknown,)),
        Case("pending-audio-url", 'first alone: its second track has audio_url ""', pending),
        Case("empty-body", "an empty body (a 4xx is fine; a 5xx or no answer fails)", (empty,)),
        Case("malformed-body", "truncated JSON (a 4xx is fine; a 5xx or no answer fails)",
             (broken,)),
    ]  # fmt: skip


# Signed callbacks (with a webhook HMAC key): a good signature, a wrong one.


def _signature_cases(make: ProbeKit) -> list[Case]:
    signed = make.stages("complete")
    (bad,) = make.stages("complete")
    bad = replace(bad, label="complete (bad signature)", expect="refuse", bad_signature=True)
    return [
        Case("signed", "complete, correctly signed", signed, needs_key=True),
        Case("bad-signature", "complete signed with a wrong key: must be refused", (bad,),
             needs_key=True),
    ]  # fmt: skip


def battery(settings: Settings, url: str, base_url: str) -> list[Case]:
    """Every case, always built in this order."""
    make = ProbeKit(settings, url, base_url)
    cases = [case for family in FAMILIES if family.probe for case in family.probe(make)]
    return cases + _robustness_cases(make) + _signature_cases(make)
