"""The documented request rate limit: at most N submits per window, per API key, on the mock
clock (docs/api.md, "Rate limit"). Polling (GET) is not counted."""

from __future__ import annotations

from collections import OrderedDict, deque

from mock_server.core.clock import Clock
from mock_server.core.settings import RateLimit

__all__ = ["RateLimiter"]

_KEYS_KEPT = 10_000
"""API keys whose recent submits are remembered; the least recently seen are forgotten."""


class RateLimiter:
    """A sliding window per API key."""

    def __init__(self, limit: RateLimit | None, clock: Clock) -> None:
        self.limit = limit
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count one request by `key`; False when it is over the limit (and so not counted)."""
        if self.limit is None:
            return True
        now = self._clock.now()
        times = self._seen.pop(key, None) or deque()
        self._seen[key] = times  # most recently seen last
        while times and times[0] <= now - self.limit.window:
            times.popleft()
        if len(self._seen) > _KEYS_KEPT:
            self._seen.popitem(last=False)
        if len(times) >= self.limit.count:
            return False
        times.append(now)
        return True
