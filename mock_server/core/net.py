"""Network rules shared by callbacks, downloads and the server: which hosts may be contacted,
how much of an answer is read, and where the server itself listens."""

from __future__ import annotations

import errno
import functools
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from yarl import URL

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

__all__ = [
    "ALLOW_HINT",
    "CONTAINER_HINT",
    "Exposure",
    "LoopbackHint",
    "host_allowed",
    "in_container",
    "is_loopback",
    "open_file_limit",
    "own_fault",
    "parse_url",
    "read_capped",
    "socket_budget",
]

log = logging.getLogger(__name__)

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
SHORT_URL_CHARS = 2048
"""Longest URL handed to `yarl.URL(str)`, and longest URL any cache of the mock keeps (the
callBackUrl checks, refused uploadUrls, callback targets). yarl remembers the last 128 strings
it parsed, with their parts, in a cache nobody can empty: 128 callBackUrls of 0.5 MB kept
120 MiB alive."""
_LEADING = "".join(map(chr, range(0x21)))  # what a URL parser strips first (C0 and space)


def parse_url(value: str) -> URL:
    """`URL(value)`, but a URL over `SHORT_URL_CHARS` is split here and built without
    passing through yarl's caches; its scheme and authority are still parsed (and checked)
    by yarl. An authority over `SHORT_URL_CHARS` (no host name is longer than 253) is refused."""
    if len(value) <= SHORT_URL_CHARS:
        return URL(value)
    text = value.lstrip(_LEADING)
    for char in "\t\r\n":  # removed anywhere, as yarl and urllib do
        text = text.replace(char, "")
    scheme, colon, rest = text.partition(":")
    if not colon or not rest.startswith("//"):
        raise ValueError("a URL this long must be absolute (scheme://host/path)")
    ends = [found for char in "/?#" if (found := rest.find(char, 2)) >= 0]
    end = min(ends, default=len(rest))  # where the authority ends
    if end > SHORT_URL_CHARS:
        raise ValueError(f"its authority is longer than {SHORT_URL_CHARS} characters")
    head = URL(f"{scheme}:{rest[:end]}")
    tail, _, fragment = rest[end:].partition("#")
    path, _, query = tail.partition("?")
    return URL.build(
        scheme=head.scheme,
        authority=head.raw_authority,
        path=path,
        query_string=query,
        fragment=fragment,
    )


def host_allowed(host: str | None, allowed: tuple[str, ...]) -> bool:
    """Loopback is always allowed; anything else only when listed (or '*' is listed)."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or _loopback_address(host):
        return True
    return "*" in allowed or host in {h.lower() for h in allowed}


_ADDRESSES: dict[str, bool] = {}
"""_loopback_address's answers (at most 256 short hosts): every server's start asks
`is_loopback` about its own host twice, its first callback and upload `host_allowed` about
theirs, and parsing an address, or failing to, is most of that."""


def _loopback_address(host: str) -> bool:
    """Whether `host` (lowercase, no brackets) is a loopback IP address."""
    known = _ADDRESSES.get(host)
    if known is None:
        try:
            known = ipaddress.ip_address(host).is_loopback
        except ValueError:
            known = False
        if len(host) <= 64 and len(_ADDRESSES) < 256:
            _ADDRESSES[host] = known
    return known


async def read_capped(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """Read to the end, or until `limit` bytes (`StreamReader.read(n)` returns only what is
    buffered so far, which truncates larger files)."""
    if stream.is_eof():  # all of it came with the head (a receiver's short answer): no loop
        return stream.read_nowait(limit)
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
    return host == "localhost" or host.endswith(".localhost") or _loopback_address(host)


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


@functools.cache
def _this_process_in_container() -> bool:
    """`in_container()` of this process: it does not change while the process runs, and every
    server (a test suite starts one per test) would otherwise read /proc again."""
    return in_container()


class LoopbackHint:
    """Explains once, in the log, why a callback to loopback fails in a container."""

    def __init__(self, container: bool | None = None) -> None:
        self.armed = _this_process_in_container() if container is None else container
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


OWN_ERRNOS = frozenset(
    {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.EADDRNOTAVAIL}
)
"""Errors of this process or host (out of descriptors, buffers, memory or local ports), never
of the peer it tried to reach."""
_raised: list[int] = []


def open_file_limit() -> int:
    """The process's open-file limit, its soft limit first raised to the hard limit (once per
    process, and logged, as servers commonly do: the soft default of 1024 is a leftover of
    select(), which asyncio does not use)."""
    if _raised:
        return _raised[0]
    if resource is None:
        _raised.append(8192)
        return _raised[0]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # An unlimited hard limit (macOS) cannot be set as the soft one; OPEN_MAX (10240) can.
    target = 10240 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as err:
            log.info("could not raise the open-file limit from %d to %d: %s", soft, target, err)
        else:
            log.info("raised the open-file limit from %d to %d (its hard limit)", soft, target)
            soft = target
    _raised.append(soft if soft != resource.RLIM_INFINITY else 1 << 20)
    return _raised[0]


def socket_budget(open_files: int) -> int:
    """Sockets the callback dispatcher may hold: the open-file limit less a quarter (at least
    64) kept for the API's own connections, listeners, files and downloads."""
    return max(8, open_files - max(64, open_files // 4))


def own_fault(err: BaseException) -> str | None:
    """The errno's name when `err` (or what caused it) is the process's own shortage."""
    seen: BaseException | None = err
    for _ in range(4):
        if seen is None:
            break
        code = getattr(seen, "errno", None)
        if code in OWN_ERRNOS:
            return errno.errorcode[code]
        seen = seen.__cause__ or seen.__context__
    return None
