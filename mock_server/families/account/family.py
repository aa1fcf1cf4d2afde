"""The account: credits, charged by every family, and the submit rate limit."""

from __future__ import annotations

from mock_server.families.account import handlers
from mock_server.families.account.backend import ACCOUNT, build, counters
from mock_server.families.family import Endpoint, Family

__all__ = ["FAMILY"]

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/api/v1/generate/credit", handlers.credit, "Remaining credits",
             tag="account", data={"type": "integer"}),
)  # fmt: skip


FAMILY = Family("account", ENDPOINTS, backend=ACCOUNT, build=build, counters=counters)
