"""The account: credits, charged by every family, and the submit rate limit."""

from __future__ import annotations

from mock_server.families.account import handlers
from mock_server.families.account.backend import Account
from mock_server.families.family import Endpoint, Family, Parts
from mock_server.families.keys import ACCOUNT

__all__ = ["FAMILY", "build"]

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/api/v1/generate/credit", handlers.credit, "Remaining credits",
             tag="account", data={"type": "integer"}),
)  # fmt: skip


def build(parts: Parts) -> Account:
    """The account backend, with nothing in it."""
    return Account(parts.settings, parts.clock)


FAMILY = Family("account", ENDPOINTS, callback_types=(), backend=ACCOUNT, build=build, needs=())
