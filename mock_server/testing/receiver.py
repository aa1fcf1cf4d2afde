"""CallbackReceiver: a real loopback HTTP endpoint to hand out as `callBackUrl`.

It records every callback (parsed JSON, headers, arrival time) and answers as scripted:
`respond_with(statuses=[500, 500, 200], delay=0.3)` answers 500, 500, then 200 for every later
call, each after 0.3 real seconds; `delay=[1.0, 0]` makes only the first call slow.
`CallbackReceiverThread` is the same receiver on its own loop in a thread, for synchronous tests.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from mock_server.http.listener import Listener
from mock_server.testing.loop_thread import LoopThread

__all__ = ["CallbackReceiver", "CallbackReceiverThread", "ReceivedCallback"]


@dataclass(frozen=True)
class ReceivedCallback:
    """One POST the receiver got."""

    path: str
    headers: dict[str, str]
    raw: bytes
    arrived: float
    """time.perf_counter() at arrival."""
    answered: int
    """The HTTP status the receiver answered with."""

    @property
    def json(self) -> Any:
        """The body as JSON (raises ValueError when it is not, e.g. a `malformed` scenario)."""
        return json.loads(self.raw)

    @property
    def callback_type(self) -> str | None:
        """`data.callbackType` of the body, None when it has none."""
        try:
            return str(self.json["data"]["callbackType"])
        except (ValueError, KeyError, TypeError):
            return None


class CallbackReceiver(Listener):
    """A started aiohttp server on 127.0.0.1 that records callbacks."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__(host, 0)
        self.requests: list[ReceivedCallback] = []
        self._statuses: list[int] = [200]
        self._delays: list[float] = [0.0]
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        """`wait_for` calls under way: the count each waits for, and its future."""

    @property
    def url(self) -> str:
        """A callBackUrl pointing at this receiver."""
        return f"{super().url}/callback"

    def respond_with(
        self, statuses: Sequence[int] = (200,), delay: float | Sequence[float] = 0.0
    ) -> None:
        """Answer the next calls with `statuses` in turn, each after the matching `delay` in
        real seconds (a single delay applies to every call); the last of each list repeats."""
        if not statuses:
            raise ValueError("respond_with needs at least one status")
        bad: list[object] = [
            s
            for s in statuses
            if isinstance(s, bool) or not isinstance(s, int) or not 100 <= s <= 599
        ]
        if bad:
            raise ValueError(f"respond_with: statuses are HTTP codes 100-599, got {bad}")
        delays = [delay] if isinstance(delay, int | float) else list(delay) or [0.0]
        if any(d < 0 for d in delays):
            raise ValueError(f"respond_with: delays are seconds >= 0, got {delays}")
        self._statuses = list(statuses)
        self._delays = delays

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        status = self._statuses.pop(0) if len(self._statuses) > 1 else self._statuses[0]
        delay = self._delays.pop(0) if len(self._delays) > 1 else self._delays[0]
        arrived = time.perf_counter()
        if delay:
            # A receiver is a real peer outside the mock's clock: its slowness is real time.
            await asyncio.sleep(delay)
        self.requests.append(
            ReceivedCallback(request.path, dict(request.headers), raw, arrived, status)
        )
        if self._waiters:  # no lock and no condition: every callback passes here
            self._wake()
        # What `web.json_response({"status": ...})` answers, without encoding it every time.
        answer = _RECEIVED if status == 200 else _ERROR
        return web.Response(text=answer, status=status, content_type="application/json")

    async def wait_for(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - a real-time deadline is the point here
    ) -> list[ReceivedCallback]:
        """Wait (real time) until `count` callbacks arrived; raise with what did arrive."""
        __tracebackhide__ = True

        async def enough() -> None:
            if len(self.requests) >= count:
                return
            waiter = asyncio.get_running_loop().create_future()
            entry = (count, waiter)
            self._waiters.append(entry)
            try:
                await waiter
            finally:
                if entry in self._waiters:
                    self._waiters.remove(entry)

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError as err:
            got = [r.callback_type for r in self.requests]
            raise AssertionError(
                f"expected {count} callbacks within {timeout} s, got {len(got)}: {got}"
            ) from err
        return self.requests

    def _wake(self) -> None:
        """Resolve the waits whose count has arrived."""
        arrived, waiting = len(self.requests), []
        for count, waiter in self._waiters:
            if arrived < count:
                waiting.append((count, waiter))
            elif not waiter.done():
                waiter.set_result(None)
        self._waiters = waiting

    def build_app(self) -> web.Application:
        app = web.Application()
        app[_RECEIVER] = self
        app.router.register_resource(_any_path())
        return app


_RECEIVER = web.AppKey("receiver", CallbackReceiver)
_RECEIVED, _ERROR = json.dumps({"status": "received"}), json.dumps({"status": "error"})


async def _received(request: web.Request) -> web.Response:
    return await request.app[_RECEIVER]._handle(request)


@functools.cache
def _any_path() -> web.AbstractResource:
    """The receiver's one route (POST to any path), built once and shared by every receiver's
    app, as the mock's routes are: a resource holds only its pattern and handler, which finds
    its receiver through the request's app (a suite starts a receiver per test)."""
    scratch = web.Application()
    scratch.router.add_route("POST", "/{tail:.*}", _received)
    return next(iter(scratch.router.resources()))


class CallbackReceiverThread:
    """A CallbackReceiver on its own event loop in a thread, for synchronous tests: it answers
    while the test blocks (in `requests`, or in `SunoMockThread.wait_for_callback`)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._thread = LoopThread("suno-mock-receiver")
        self._receiver: CallbackReceiver | None = None

    @property
    def receiver(self) -> CallbackReceiver:
        if self._receiver is None:
            raise RuntimeError("CallbackReceiverThread is not started; call start() first")
        return self._receiver

    @property
    def url(self) -> str:
        """A callBackUrl pointing at this receiver."""
        return self.receiver.url

    @property
    def requests(self) -> list[ReceivedCallback]:
        """The callbacks received so far, in arrival order (a copy)."""
        return self._thread.run(lambda: list(self.receiver.requests))

    def respond_with(
        self, statuses: Sequence[int] = (200,), delay: float | Sequence[float] = 0.0
    ) -> None:
        """See `CallbackReceiver.respond_with`."""
        self._thread.run(lambda: self.receiver.respond_with(statuses, delay))

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedCallback]:
        """Block (real time) until `count` callbacks arrived; raise with what did arrive."""
        __tracebackhide__ = True
        return list(self._thread.call(self.receiver.wait_for(count, timeout)))

    def start(self) -> Self:
        self._thread.start()

        async def boot() -> CallbackReceiver:
            return await CallbackReceiver(self._host).start()

        self._receiver = self._thread.call(boot())
        return self

    def stop(self) -> None:
        if self._receiver is not None:
            self._thread.call(self._receiver.close())
        self._thread.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
