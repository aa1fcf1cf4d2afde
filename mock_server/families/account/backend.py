"""The account behind the API key(s): the credit balance and the submit rate limit.

Every family charges through here; the rules (what a shortfall answers, what the limit answers)
are the account's, not the families'."""

from __future__ import annotations

import logging

from mock_server.core.clock import Clock
from mock_server.core.errors import InsufficientCredits, error_for_code
from mock_server.core.settings import Settings
from mock_server.families.account.ratelimit import RateLimiter
from mock_server.families.family import Backend, BackendKey, Parts

__all__ = ["ACCOUNT", "Account"]

log = logging.getLogger(__name__)


class Account(Backend):
    """Credits and the per-key submit window of one server."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._settings = settings
        self.credits: float = settings.credits
        """The balance; fractional after operations priced in tenths (boost style: 0.4)."""
        self._rate = RateLimiter(settings.rate, clock)

    def charge(self, cost: float) -> None:
        """Take `cost` credits, or answer 429 with the real message when the balance is too
        low (the numbers go to the log, for the test author)."""
        if self.credits < cost:
            log.info("insufficient credits: %g left, the operation costs %g", self.credits, cost)
            raise InsufficientCredits
        self.credits = round(self.credits - cost, 2)

    def admit(self, key: str) -> None:
        """Count one submit by API `key`, or answer the documented rate-limit error."""
        if not self._rate.allow(key):
            log.info("rate limit %s exceeded by key %s…", self._settings.rate_limit, key[:4])
            raise error_for_code(self._settings.rate_limit_code)


def counters(account: Account) -> dict[str, int | float]:
    """The account's numbers in the control plane's health."""
    return {"credits": account.credits}


def build(parts: Parts) -> Account:
    """The account backend, with nothing in it."""
    return Account(parts.settings, parts.clock)


ACCOUNT = BackendKey("account", Account)
"""How the account handlers reach this backend."""
