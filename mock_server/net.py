"""Network rules shared by callbacks, downloads and the server: which hosts may be contacted,
how much of an answer is read, and where the server itself listens."""

from __future__ import annotations

import ipaddress
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from yarl import URL

log = logging.getLogger(__name__)

__all__ = [
    "ALLOW_HINT",
    "CONTAINER_HINT",
    "Exposure",
    "LoopbackHint",
    "host_allowed",
    "in_container",
    "is_loopback",
    "read_capped",
]

ALLOW_HINT = (
    "allow it with --allow-callback-host {host} (env SUNO_MOCK_ALLOW_CALLBACK_HOST, "
    "setting allow_callback_hosts)"
)
CONTAINER_HINT = (
    "callbacks to {host} cannot reach your machine: this mock runs in a container, where "
    "{host} is the container itself. Give a callBackUrl the container can reach (with Docker: "
    "http://host.docker.internal:PORT/... and --add-host=host.docker.internal:host-gateway; in "
    "compose, the service's name) and allow that host with --allow-callback-host HOST "
    "(said once)"
)
_CONTAINER_WORDS = ("docker", "kubepods", "containerd", "libpod", "lxc")
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


def in_container(root: Path = Path("/")) -> bool:
    """Whether this process runs in a container: Docker's /.dockerenv, or a container
    runtime's name in the cgroup of process 1."""
    if (root / ".dockerenv").exists():
        return True
    try:
        cgroup = (root / "proc/1/cgroup").read_text(errors="replace")
    except OSError:
        return False
    return any(word in cgroup for word in _CONTAINER_WORDS)


class LoopbackHint:
    """Explains once, in the log, why a callback to loopback fails in a container."""

    def __init__(self, container: bool | None = None) -> None:
        self.armed = in_container() if container is None else container
        """Still to be said: in a container, and not said yet."""
        self.said: str | None = None

    def failed(self, url: str, *, answered: bool, simulated: bool) -> None:
        """A callback attempt to `url` failed (`answered`: the receiver did answer)."""
        if not self.armed or answered or simulated:
            return
        host = URL(url).host
        if host and is_loopback(host):
            self.armed = False
            self.said = CONTAINER_HINT.format(host=host)
            log.warning(self.said)


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
