"""Network rules shared by callbacks and downloads: which hosts may be contacted, and how
much of an answer is read."""

from __future__ import annotations

import ipaddress

import aiohttp

__all__ = ["ALLOW_HINT", "host_allowed", "read_capped"]

ALLOW_HINT = (
    "allow it with --allow-callback-host {host} (env SUNO_MOCK_ALLOW_CALLBACK_HOST, "
    "setting allow_callback_hosts)"
)


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
