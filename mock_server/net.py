"""Network rules shared by callbacks, downloads and the server: which hosts may be contacted,
how much of an answer is read, and where the server itself listens."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass

import aiohttp

__all__ = ["ALLOW_HINT", "Exposure", "host_allowed", "is_loopback", "read_capped"]

ALLOW_HINT = (
    "allow it with --allow-callback-host {host} (env SUNO_MOCK_ALLOW_CALLBACK_HOST, "
    "setting allow_callback_hosts)"
)
WILDCARDS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 (names of the wildcard address)


def host_allowed(host: str | None, allowed: tuple[str, ...]) -> bool:
    """Loopback is always allowed; anything else only when listed (or '*' is listed)."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        if ipaddress.ip_address(host).is_loopback:
            return True
    except ValueError:
        pass
    return "*" in allowed or host in {h.lower() for h in allowed}


async def read_capped(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """Read to the end, or until `limit` bytes (`StreamReader.read(n)` returns only what is
    buffered so far, which truncates larger files)."""
    chunks, size = [], 0
    async for chunk in stream.iter_chunked(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def is_loopback(host: str) -> bool:
    """localhost, *.localhost, 127.0.0.0/8 or ::1 (brackets allowed)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Exposure:
    """Where the server listens and the token its control plane requires (None: no token)."""

    host: str = "127.0.0.1"
    token: str | None = None

    @classmethod
    def of(cls, host: str, token: str | None) -> Exposure:
        """A token is generated when `host` is not loopback and none was given."""
        if token is None and not is_loopback(host):
            token = secrets.token_urlsafe(24)
        return cls(host, token)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def wildcard(self) -> bool:
        return self.host.strip("[]") in WILDCARDS
