"""`suno-mock proxy`: stand between a client and the real service, and record both directions.

Every API request (`/api/...`) goes to the upstream with the client's own headers (its
Authorization included) and the upstream's answer goes back unchanged. A request with a
`callBackUrl` is sent on with the proxy's own callback endpoint instead, so each real callback
reaches the proxy first: it is recorded, then sent on (same body and headers) to the client's
URL, and the upstream gets the client's status. The client notices nothing but the base URL.

Only the upstream (and the upload upstream, when given) is contacted, besides callback targets
on loopback (or hosts allowed by name); with `download_files`, also the hosts of the media URLs
the upstream handed out when they are the upstream's or named in `download_hosts`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from yarl import URL

from mock_server.capture import (
    TASK_LIMIT,
    Recorder,
    Redactor,
    bounded,
    callback_task_id,
    media_urls,
)
from mock_server.core.clock import Clock, ScaledClock
from mock_server.core.net import host_allowed, read_capped
from mock_server.core.web import forget_middleware_chains
from mock_server.http.guard import TOKEN_HEADER, same_token
from mock_server.http.listener import Listener

__all__ = ["CALLBACK_PREFIX", "Proxy", "ProxyConfig", "create_proxy_app", "token_guard"]

log = logging.getLogger(__name__)

T = TypeVar("T")

CALLBACK_PREFIX = "/__suno_mock_proxy__/callback/"
"""Path of the proxy's callback endpoint; a random key follows, one per submit."""
ANSWER_LIMIT = 64 * 1024 * 1024
MEDIA_LIMIT = 200 * 1024 * 1024
PROBLEM_LIMIT = 1000
"""Problems (`Proxy.problems`) kept, newest last."""
_HOP = frozenset(
    {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "upgrade", "te",
     "proxy-connection", "accept-encoding"}
)  # fmt: skip


@dataclass(frozen=True)
class ProxyConfig:
    """What `suno-mock proxy` was told."""

    upstream: str
    """Base URL of the real API, e.g. https://api.sunoapi.org."""
    upload_upstream: str | None = None
    """Base URL of the File Upload API (`/api/file-*`), when it has its own host."""
    record_dir: Path | None = None
    download_files: bool = False
    download_hosts: tuple[str, ...] = ()
    """Hosts besides the upstream's that media may be downloaded from ('*' = any)."""
    redact: tuple[str, ...] = ()
    """More JSON fields, query parameters and headers to blank in the recording."""
    public_url: str | None = None
    """Base URL the upstream reaches this proxy at (a tunnel); default: the URL the client used."""
    allow_callback_hosts: tuple[str, ...] = ()
    """Callback targets besides loopback (the client's callBackUrl hosts)."""
    callback_timeout: float = 15.0
    """Seconds the client's callback receiver has to answer."""
    upstream_timeout: float = 120.0


@dataclass
class _Slot:
    """A submit's callBackUrl, replaced by the proxy's endpoint."""

    url: str
    request_seq: int
    """The submit's number in the recording (0: not recording)."""
    at: float
    """When the submit arrived (seconds since the proxy started)."""
    task_id: str | None = None


@dataclass
class _State:
    config: ProxyConfig
    clock: Clock
    recorder: Recorder | None
    started: float
    slots: dict[str, _Slot] = field(default_factory=dict)
    session: aiohttp.ClientSession | None = None
    downloads: set[asyncio.Task[None]] = field(default_factory=set)
    fetched: dict[str, None] = field(default_factory=dict)
    """Media URLs already fetched (or being fetched), oldest first."""
    errors: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        self.errors.append(message)
        del self.errors[:-PROBLEM_LIMIT]

    def http(self) -> aiohttp.ClientSession:
        if self.session is None:
            raise RuntimeError("the proxy app is not started")
        return self.session


STATE = web.AppKey("proxy_state", _State)


def _envelope(code: int, msg: str) -> web.Response:
    body = json.dumps({"code": code, "msg": msg, "data": None}).encode()
    return web.Response(body=body, status=code, content_type="application/json")


def _json_bytes(value: Any) -> bytes:
    """JSON to send on: compact UTF-8, or ASCII escapes when a string holds a lone surrogate
    (a `\\ud800` escape the client sent), which then reaches the upstream as it was sent."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":")).encode()


def _sendable(header: str) -> bool:
    """Whether a header value received can be sent on (bytes that were not UTF-8 cannot)."""
    try:
        header.encode()
    except UnicodeEncodeError:
        return False
    return header.isprintable()


def _shown(url: str, text: str | None = None) -> str:
    """`text` (default: the URL) as logged: the URL's secret query parameters blanked (a
    callBackUrl with a token, a signed media URL)."""
    return (url if text is None else text).replace(url, Redactor().url(url))


def _host(url: str) -> str | None:
    try:
        return URL(url).host
    except ValueError:
        return None


def _record(state: _State, what: str, write: Callable[[], T]) -> T | None:
    """Write to the recording; a failure (a full disk, a bug) is logged and listed in
    `problems`, and never costs the client the answer the upstream already gave."""
    try:
        return write()
    except (OSError, RecursionError) as err:  # a full disk; JSON nested too deep to walk
        message = f"recording: {what} not written: {err}"
        log.error("%s", message)
    except Exception as err:
        message = f"recording: {what} not written: {type(err).__name__}: {err}"
        log.exception("%s", message)
    state.problem(message)
    return None


def _forwardable(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in _HOP}


def _upstream_for(state: _State, path: str) -> str:
    if path.startswith("/api/file-") and state.config.upload_upstream:
        return state.config.upload_upstream.rstrip("/")
    return state.config.upstream.rstrip("/")


async def forward(request: web.Request) -> web.Response:
    """Any /api/ request: to the upstream and back, recorded."""
    state = request.app[STATE]
    raw = await request.read()
    at = state.clock.now() - state.started
    sent = raw
    slot: _Slot | None = None
    body = _json(raw) if raw and "json" in request.content_type else None
    if isinstance(body, dict) and isinstance(body.get("callBackUrl"), str) and body["callBackUrl"]:
        key = secrets.token_urlsafe(16)
        seq = state.recorder.reserve() if state.recorder else 0
        slot = state.slots[key] = _Slot(body["callBackUrl"], seq, at)
        bounded(state.slots, TASK_LIMIT)
        public = state.config.public_url or f"{request.scheme}://{request.host}"
        swapped = dict(body, callBackUrl=f"{public.rstrip('/')}{CALLBACK_PREFIX}{key}")
        sent = _json_bytes(swapped)
    target = _upstream_for(state, request.path) + request.rel_url.path_qs
    try:
        async with state.http().request(
            request.method,
            target,
            data=sent if raw else None,
            headers=_forwardable(request.headers),
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=state.config.upstream_timeout),
        ) as answer:
            status = answer.status
            content = await read_capped(answer.content, ANSWER_LIMIT)
            content_type = answer.headers.get("Content-Type", "application/json")
            if not _sendable(content_type):
                content_type = "application/octet-stream"
    except (aiohttp.ClientError, TimeoutError) as err:
        # The path only: a query may carry a key.
        log.warning("upstream %s unreachable: %r", _upstream_for(state, request.path), err)
        return _envelope(502, f"suno-mock proxy: the upstream did not answer: {err!r}")
    log.info("%s %s -> upstream %s", request.method, request.path, status)
    recorder = state.recorder
    if recorder is not None:
        write = functools.partial(
            recorder.exchange, at=at, method=request.method, path=request.path,
            query=dict(request.query), headers=request.headers, raw_body=raw, status=status,
            raw_response=content, seq=slot.request_seq if slot else None,
        )  # fmt: skip
        exchange = _record(state, f"{request.method} {request.path[:100]}", write)
        if slot is not None:
            slot.task_id = exchange.task_id if exchange else callback_task_id(_json(content))
    elif slot is not None:
        slot.task_id = callback_task_id(_json(content))
    if state.config.download_files:
        _download_media(state, _json(content), None)
    return web.Response(body=content, status=status, headers={"Content-Type": content_type})


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


async def callback(request: web.Request) -> web.Response:
    """POST from the upstream: recorded, then sent on to the client's callBackUrl."""
    state = request.app[STATE]
    slot = state.slots.get(request.match_info["key"])
    if slot is None:
        return _envelope(404, "suno-mock proxy: no submit gave out this callback URL")
    raw = await request.read()
    at = state.clock.now() - state.started
    status, answer, content_type = await _pass_on(state, slot, raw, request.headers)
    recorder = state.recorder
    if recorder is not None:
        write = functools.partial(
            recorder.callback, at=at, request_seq=slot.request_seq, submit_at=slot.at,
            headers=request.headers, raw_body=raw, client_status=status,
        )  # fmt: skip
        _record(state, "a callback", write)
    if state.config.download_files:
        _download_media(state, _json(raw), slot.task_id)
    return web.Response(body=answer, status=status or 502, headers={"Content-Type": content_type})


async def _pass_on(
    state: _State, slot: _Slot, raw: bytes, headers: Mapping[str, str]
) -> tuple[int | None, bytes, str]:
    """Send a callback on to the client; its status (None: unreachable), body, content type."""
    host = _host(slot.url)
    if not host_allowed(host, state.config.allow_callback_hosts):
        message = (
            f"callback not sent on: {host!r} is not a loopback host; "
            f"allow it with --allow-callback-host {host}"
        )
        log.warning("%s", message)
        state.problem(message)
        return None, message.encode(), "text/plain"
    try:
        async with (
            asyncio.timeout(state.config.callback_timeout),
            state.http().post(
                slot.url, data=raw, headers=_forwardable(headers), allow_redirects=False
            ) as answer,
        ):
            body = await read_capped(answer.content, 64 * 1024)
            log.info("callback -> %s: HTTP %s", _shown(slot.url), answer.status)
            return answer.status, body, answer.headers.get("Content-Type", "text/plain")
    except (aiohttp.ClientError, TimeoutError) as err:
        log.warning("callback to %s failed: %s", _shown(slot.url), _shown(slot.url, repr(err)))
        return None, f"client unreachable: {err!r}".encode(), "text/plain"


def _download_media(state: _State, body: Any, fallback_task: str | None) -> None:
    recorder = state.recorder
    if recorder is None:
        return
    for task_id, index, kind, suffix, url in media_urls(body):
        task = task_id or fallback_task
        if task is None or url in state.fetched:
            continue
        state.fetched[url] = None
        bounded(state.fetched, TASK_LIMIT)
        job = asyncio.get_running_loop().create_task(
            _download(state, recorder, task, index, kind, suffix, url)
        )
        state.downloads.add(job)
        job.add_done_callback(state.downloads.discard)


async def _download(
    state: _State, recorder: Recorder, task_id: str, index: int, kind: str, suffix: str, url: str
) -> None:
    config = state.config
    host = _host(url)
    upstream_hosts = {_host(u) for u in (config.upstream, config.upload_upstream) if u}
    if host not in upstream_hosts and not (
        "*" in config.download_hosts or host in config.download_hosts
    ):
        message = f"not downloaded: {_shown(url)} (allow its host with --download-host {host})"
        log.warning("%s", message)
        state.problem(message)
        return
    try:
        async with state.http().get(
            url, allow_redirects=False, timeout=aiohttp.ClientTimeout(total=300)
        ) as answer:
            if answer.status != 200:
                raise aiohttp.ClientResponseError(
                    answer.request_info, (), status=answer.status, message=answer.reason or ""
                )
            data = await read_capped(answer.content, MEDIA_LIMIT)
    except (aiohttp.ClientError, TimeoutError) as err:
        message = f"download of {_shown(url)} failed: {_shown(url, repr(err))}"
        log.warning("%s", message)
        state.problem(message)
        state.fetched.pop(url, None)  # a later payload may name it again
        return
    path = recorder.media_path(task_id, index, kind, Path(URL(url).path).suffix or suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    recorder.media_saved(task_id, index, kind, path)
    log.info("downloaded %s (%d bytes) to %s", _shown(url), len(data), path)


@web.middleware
async def _always_answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Whatever goes wrong inside the proxy, the client gets an answer in the API's envelope;
    the traceback goes to the proxy's log only."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as err:
        log.exception("%s %s: the proxy failed", request.method, request.path[:200])
        return _envelope(
            500, f"suno-mock proxy: internal error ({type(err).__name__}); see the proxy's log"
        )


def token_guard(token: str) -> Middleware:
    """The server's rule for an exposed control plane, applied to an exposed proxy: every
    request carries `X-Suno-Mock-Token` (a proxy passes on the client's API key and records
    what it sees, so the network must not use it); the callback endpoint stays open for the
    upstream, guarded by its random key."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        given = request.headers.get(TOKEN_HEADER)
        if request.path.startswith(CALLBACK_PREFIX) or same_token(given, token):
            return await handler(request)
        return web.json_response(
            {"code": 401, "msg": f"Unauthorized: this proxy is exposed; send {TOKEN_HEADER}",
             "data": None},
            status=401,
        )  # fmt: skip

    return guard


def create_proxy_app(
    config: ProxyConfig, clock: Clock | None = None, middlewares: Iterable[Middleware] = ()
) -> web.Application:
    """The proxy as an aiohttp app; `middlewares` run before it (e.g. a token guard)."""
    clock = clock or ScaledClock(1.0)
    recorder = None
    if config.record_dir is not None:
        recorder = Recorder(config.record_dir, upstream=config.upstream, redact=config.redact)
    app = web.Application(
        middlewares=[_always_answer, *middlewares], client_max_size=200 * 1024 * 1024
    )
    state = app[STATE] = _State(config, clock, recorder, clock.now())
    app.router.add_post(CALLBACK_PREFIX + "{key}", callback)
    app.router.add_route("*", "/api/{tail:.*}", forward)

    async def lifecycle(_: web.Application) -> Any:
        state.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None), auto_decompress=True
        )
        yield
        if state.downloads:
            await asyncio.gather(*state.downloads, return_exceptions=True)
        await state.session.close()
        forget_middleware_chains()

    app.cleanup_ctx.append(lifecycle)
    return app


class Proxy(Listener):
    """The proxy listening on `host:port` (port 0 picks a free one)."""

    def __init__(
        self,
        config: ProxyConfig,
        *,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        middlewares: Iterable[Middleware] = (),
    ) -> None:
        super().__init__(host, port)
        self.config = config
        self.app = create_proxy_app(config, clock, middlewares)

    def build_app(self) -> web.Application:
        return self.app

    @property
    def problems(self) -> list[str]:
        """Callbacks that could not be sent on, files that could not be downloaded and
        recordings that could not be written (the newest PROBLEM_LIMIT)."""
        return self.app[STATE].errors

    async def idle(self) -> None:
        """Wait for the downloads under way (`download_files`)."""
        state = self.app[STATE]
        while state.downloads:
            await asyncio.gather(*list(state.downloads), return_exceptions=True)
