"""Callback delivery with the real policy: POST JSON, a receiver timeout, retries on the clock.

Success is HTTP 200 and nothing else; any other status, a timeout or a connection error is a
failure, retried after each of `retry_delays` (mock seconds, counted from the failure). When the
last retry fails the delivery is exhausted and `on_exhausted` runs. Redirects are not followed
(a redirect could leave loopback), and only loopback or allow-listed hosts are ever contacted.

Receivers are independent: there is no shared connection pool one receiver could fill, only a
cap per receiver (`callback_connections_per_host`, per scheme, host and port). An attempt over
that cap waits in the mock, and the receiver's timeout starts only once it may connect: the
timeout covers connecting, sending and reading the answer, never the mock's own queue. Nor
the mock's own stalls: time the event loop could not run (a busy or starved process) while
an attempt was waiting is added to that attempt's deadline (see `_LagMeter`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import aiohttp
from yarl import URL

from mock_server.clock import Clock, Timer
from mock_server.journal import Attempt, Delivery, Journal
from mock_server.net import ALLOW_HINT, host_allowed, read_capped
from mock_server.settings import Settings
from mock_server.slots import HostSlots, Origin

__all__ = ["PLAIN_POLICY", "DeliveryPolicy", "Dispatcher", "webhook_signature"]

log = logging.getLogger(__name__)

RESPONSE_BODY_LIMIT = 64 * 1024
_PLAIN_HEADERS = {"Content-Type": "application/json"}


def webhook_signature(key: str, task_id: str, timestamp: str) -> str:
    """base64(HMAC-SHA256(key, "<taskId>.<timestamp>")), as kie.ai documents (docs/api.md)."""
    digest = hmac.new(key.encode(), f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True, slots=True)
class _Target:
    """What a callback URL means to the dispatcher, decided once per URL."""

    host: str | None
    allowed: bool
    origin: tuple[str, str | None, int | None]
    """Scheme, host and port: one receiver, one connection cap."""


class _LagMeter:
    """How long the mock's own event loop was held up, so a receiver is not blamed for it.

    While attempts are in flight a tick runs every TICK seconds; whatever it runs late beyond
    TOLERANCE is time the mock could not have read an answer. A `_Deadline` arms an attempt's
    timeout and, when it falls due, extends it once by the lag seen since the attempt began
    (at most by the timeout again)."""

    TICK = 0.05
    TOLERANCE = 0.02

    def __init__(self) -> None:
        self._lost = 0.0
        self._due = 0.0
        self._users = 0
        self._tick: asyncio.TimerHandle | None = None

    def lost(self, now: float) -> float:
        """Seconds of lag so far, counting a tick that is overdue right now."""
        overdue = now - self._due if self._tick is not None else 0.0
        return self._lost + (overdue if overdue > self.TOLERANCE else 0.0)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """An attempt begins: make sure the ticks run."""
        self._users += 1
        if self._tick is None:
            self._due = loop.time() + self.TICK
            self._tick = loop.call_at(self._due, self._on_tick)

    def stop(self) -> None:
        """An attempt ended (the tick after the last one's end is the last)."""
        self._users -= 1

    def _on_tick(self) -> None:
        loop = asyncio.get_running_loop()
        late = loop.time() - self._due
        if late > self.TOLERANCE:
            self._lost += late
        self._tick = None
        if self._users:  # with no users left, this tick was the last
            self._due = loop.time() + self.TICK
            self._tick = loop.call_at(self._due, self._on_tick)


class _Deadline:
    """One attempt's receiver timeout: `limit` expires `seconds` after the attempt begins,
    plus the mock's own lag meanwhile (added up in `granted`). A context manager with slots:
    every callback makes one (issue 13)."""

    __slots__ = ("_counted", "_handle", "_limit", "_loop", "_meter", "_seconds", "granted")

    def __init__(self, meter: _LagMeter, limit: asyncio.Timeout, seconds: float) -> None:
        self._meter, self._limit, self._seconds = meter, limit, seconds
        self._loop = asyncio.get_running_loop()
        self._handle: asyncio.TimerHandle | None = None
        self._counted = 0.0
        self.granted = 0.0

    def __enter__(self) -> None:
        loop = self._loop
        self._meter.start(loop)
        now = loop.time()
        self._counted = self._meter.lost(now)
        self._handle = loop.call_at(now + self._seconds, self._check)

    def _check(self) -> None:
        now = self._loop.time()
        # Once, and at most `seconds` more: an answer that arrived while the mock could not
        # read it is taken, but a receiver never gets over twice its time in all.
        owed = (
            min(self._meter.lost(now) - self._counted, self._seconds) if not self.granted else 0.0
        )
        if owed > 0.001:
            self.granted = owed
            self._handle = self._loop.call_at(now + owed, self._check)
        else:
            self._limit.reschedule(now)  # the receiver had all of its time

    def __exit__(self, *_: object) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._meter.stop()


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How the dispatcher sends one task's callbacks (None: the server's settings)."""

    retry_delays: tuple[float, ...] | None = None
    timeout: float | None = None
    bad_signature: frozenset[str] = frozenset()
    """Callback kinds signed with a wrong key."""
    simulate: Literal["down", "slow"] | None = None
    """Play a receiver that is down (nothing sent) or too slow (its answer counts as none)."""


PLAIN_POLICY = DeliveryPolicy()


class Dispatcher:
    """Delivers callbacks and journals every attempt."""

    def __init__(self, clock: Clock, settings: Settings, journal: Journal) -> None:
        self._clock = clock
        self._settings = settings
        self._journal = journal
        self._session: aiohttp.ClientSession | None = None
        self._targets: dict[str, _Target] = {}
        self._slots = HostSlots(settings.callback_connections_per_host, clock, _cancelled_parked)
        self._lag = _LagMeter()
        self._answers: dict[str, str] = {}

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                # No pool-wide or per-host limit in aiohttp: its waits would count against the
                # receiver's timeout. _HostSlots caps each receiver before the clock starts.
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=0),
                timeout=aiohttp.ClientTimeout(total=None),
                auto_decompress=True,
            )

    def _target(self, url: str) -> _Target:
        """Where the URL points and whether it may be called; decided once per URL (a task's
        callbacks and retries, and usually all tasks of a client, share one)."""
        decided = self._targets.get(url)
        if decided is None:
            if len(self._targets) > 4096:
                self._targets.clear()
            parsed = URL(url)
            decided = self._targets[url] = _Target(
                parsed.host,
                host_allowed(parsed.host, self._settings.allow_callback_hosts),
                (parsed.scheme, parsed.host, parsed.port),
            )
        return decided

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def deliver(
        self,
        task_id: str,
        callback_type: str,
        url: str,
        payload: bytes,
        on_exhausted: Callable[[Delivery], None],
        *,
        policy: DeliveryPolicy = PLAIN_POLICY,
        recipe: Callable[[], bytes] | None = None,
    ) -> Delivery:
        """Send a callback now (first attempt inline); failures are retried on the clock.

        `policy` (a task's script) may override the settings' retries and timeout, and sign
        with a wrong key. `recipe` makes `payload` again; once delivered, the journal keeps it
        instead of the bytes."""
        delivery = self._journal.new_delivery(task_id, callback_type, url, payload)
        delivery.recipe = recipe
        retry_delays, timeout = policy.retry_delays, policy.timeout
        delivery.retry_delays = tuple(
            self._settings.retry_delays if retry_delays is None else retry_delays
        )
        delivery.bad_signature = callback_type in policy.bad_signature
        delivery.simulate = policy.simulate
        delivery.timeout = self._settings.callback_timeout if timeout is None else timeout
        now = self._clock.now()
        target = self._target(url)
        if not target.allowed:
            host = target.host
            hint = ALLOW_HINT.format(host=host)
            delivery.attempts.append(
                Attempt(
                    1,
                    now,
                    now,
                    outcome="blocked",
                    error=f"not sent: {host!r} is not a loopback host; {hint}",
                )
            )
            delivery.state = "blocked"
            self._finished(delivery, delivery.attempts[0])
            return delivery
        await self._attempt(delivery, 1, now, on_exhausted)
        return delivery

    async def _attempt(
        self,
        delivery: Delivery,
        number: int,
        scheduled_at: float,
        on_exhausted: Callable[[Delivery], None],
    ) -> None:
        delivery.next_attempt_at = None
        attempt = Attempt(number, scheduled_at, self._clock.now())
        delivery.attempts.append(attempt)
        origin = self._target(delivery.url).origin
        held = self._slots.take(origin)
        if held is False:  # over the receiver's cap: wait in line, parked on the clock
            parked = self._clock.park(self._woken, delivery, attempt, on_exhausted, origin)
            if self._slots.wait(origin, parked) >= KEEP_READY:
                delivery.shelve()
            return
        await self._send(delivery, attempt, on_exhausted, origin if held else None)

    async def _woken(
        self,
        delivery: Delivery,
        attempt: Attempt,
        on_exhausted: Callable[[Delivery], None],
        origin: Origin,
    ) -> None:
        """A waiting attempt's turn: a connection was released for it."""
        if not self._slots.take(origin, woken=True):  # taken meanwhile by a newcomer
            parked = self._clock.park(self._woken, delivery, attempt, on_exhausted, origin)
            self._slots.wait(origin, parked, first=True)
            return
        await self._send(delivery, attempt, on_exhausted, origin)

    async def _send(
        self,
        delivery: Delivery,
        attempt: Attempt,
        on_exhausted: Callable[[Delivery], None],
        origin: Origin | None,
    ) -> None:
        """Make the attempt on a connection already held (`origin`; None: no cap)."""
        try:
            attempt.started_at = self._clock.now()  # after any wait for a free connection
            started = self._clock.perf()
            try:
                await self._post(delivery, attempt)
            finally:
                attempt.latency_ms = round((self._clock.perf() - started) * 1000, 3)
        except asyncio.CancelledError:
            _cancelled(delivery, attempt)
            raise
        finally:
            if origin is not None:
                self._slots.release(origin)
        number = attempt.number
        if attempt.status == 200:
            attempt.outcome = "delivered"
            delivery.state = "delivered"
            delivery.settle()
            self._finished(delivery, attempt)
            return
        attempt.outcome = "failed"
        if attempt.error is None:
            attempt.error = f"receiver answered HTTP {attempt.status}; only 200 counts as delivered"
        retries = delivery.retry_delays
        if number > len(retries):
            delivery.state = "exhausted"
            self._finished(delivery, attempt)
            on_exhausted(delivery)
            return
        delay = retries[number - 1]
        due = self._clock.now() + delay
        delivery.next_attempt_at = due
        self._finished(delivery, attempt)
        self._clock.call_at(due, self._attempt, delivery, number + 1, due, on_exhausted)

    def _finished(self, delivery: Delivery, attempt: Attempt) -> None:
        """An attempt ended: tell the journal's listeners and log one line about it."""
        self._journal.notify(delivery, attempt)
        level = logging.INFO if delivery.state in ("delivered", "pending") else logging.WARNING
        if not log.isEnabledFor(level):
            return
        if attempt.outcome == "delivered":
            result = f"-> {attempt.status} in {attempt.latency_ms:.1f} ms"
        elif attempt.outcome == "blocked":
            result = f"blocked: {attempt.error}"
        elif delivery.next_attempt_at is not None:
            wait = delivery.retry_delays[attempt.number - 1]
            result = f"failed: {attempt.error}; retry in {wait:g} s"
        else:
            result = f"failed: {attempt.error}; retries exhausted"
        log.log(
            level,
            "callback %s #%d task %s %s",
            delivery.callback_type,
            attempt.number,
            delivery.task_id,
            result,
            extra={
                "event": "delivery",
                "task_id": delivery.task_id,
                "callback_type": delivery.callback_type,
                "attempt": attempt.number,
                "outcome": attempt.outcome,
                "status": attempt.status,
                "latency_ms": attempt.latency_ms,
                "error": attempt.error,
                "url": delivery.url,
            },
        )

    def _answer(self, raw: bytes) -> str:
        """A receiver's answer as text; one copy of each short answer (receivers tend to say
        the same `{}` or `ok` every time, and the journal keeps one per attempt)."""
        text = raw.decode("utf-8", errors="replace")
        if len(text) > 64:
            return text
        known = self._answers.get(text)
        if known is None and len(self._answers) < 1024:
            known = self._answers[text] = text
        return known or text

    def _headers(self, delivery: Delivery) -> dict[str, str]:
        key = self._settings.webhook_hmac_key
        if key is None and not delivery.bad_signature:
            return _PLAIN_HEADERS  # aiohttp copies them
        headers = dict(_PLAIN_HEADERS)
        # The wall clock, not mock time: the receiver checks freshness against its own clock,
        # which --time-scale or a ManualClock would leave hours or years behind.
        timestamp = str(int(time.time()))
        if delivery.bad_signature:
            key = f"not-{key or 'the-key'}"
        headers["X-Webhook-Timestamp"] = timestamp
        headers["X-Webhook-Signature"] = webhook_signature(str(key), delivery.task_id, timestamp)
        return headers

    async def _post(self, delivery: Delivery, attempt: Attempt) -> None:
        if self._session is None:
            raise RuntimeError("Dispatcher.start() was not awaited before delivering callbacks")
        timeout = delivery.timeout
        if delivery.simulate == "down":
            attempt.error = SIMULATED_DOWN
            return
        deadline: _Deadline | None = None
        try:
            async with asyncio.timeout(None) as limit:
                deadline = _Deadline(self._lag, limit, timeout)
                with deadline:
                    async with self._session.post(
                        delivery.url,
                        data=delivery.payload,
                        headers=self._headers(delivery),
                        allow_redirects=False,
                    ) as response:
                        attempt.status = response.status
                        raw = await read_capped(response.content, RESPONSE_BODY_LIMIT)
                        attempt.response_body = self._answer(raw)
        except TimeoutError:
            attempt.error = f"timed out: no answer within callback_timeout={timeout:g} s"
            attempt.status = None
        except aiohttp.ClientError as err:
            attempt.error = f"connection failed: {err.__class__.__name__}: {err}"
            attempt.status = None
        finally:
            if deadline is not None and deadline.granted:
                attempt.held_up_ms = round(deadline.granted * 1000, 3)
        if delivery.simulate == "slow" and attempt.status is not None:
            attempt.error = SIMULATED_SLOW.format(status=attempt.status, timeout=timeout)
            attempt.status = None


SIMULATED_DOWN = "simulated by the scenario: receiver down (connection refused), nothing sent"
SIMULATED_SLOW = (
    "simulated by the scenario: slow receiver; its answer (HTTP {status}) counts as none "
    "within callback_timeout={timeout:g} s"
)
KEEP_READY = 1024
"""Attempts waiting for one receiver that keep their payload's bytes; those further back keep
only its recipe (rebuilt, the same bytes, when their turn comes)."""


def _cancelled(delivery: Delivery, attempt: Attempt) -> None:
    attempt.outcome = "cancelled"
    attempt.error = "cancelled: the server shut down or was reset"
    delivery.state = "cancelled"


def _cancelled_parked(parked: Timer) -> None:
    """A waiting attempt cancelled before its turn (its timer's args are `_woken`'s)."""
    delivery, attempt = parked.args[0], parked.args[1]
    _cancelled(delivery, attempt)
