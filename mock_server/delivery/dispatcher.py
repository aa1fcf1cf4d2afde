"""Callback delivery with the real policy: POST JSON, a receiver timeout, retries on the clock.

Success is HTTP 200 and nothing else; any other status, a timeout or a connection error is a
failure, retried after each of `retry_delays` (mock seconds, counted from the failure). When the
last retry fails the delivery is exhausted (`DeliveryExhausted` is published on the event hub).
Redirects are not followed (a redirect could leave loopback), and only loopback or allow-listed
hosts are ever contacted.

Receivers are independent: there is no shared connection pool one receiver could fill, only a
cap per receiver URL (`callback_connections_per_host`, per scheme, host, port and path: a hung
path does not hold back the host's other paths) and one socket budget across all receivers
(`callback_socket_budget`, by default from the open-file limit), so the process never runs
out of descriptors. An attempt over either waits in the mock, and the receiver's timeout
starts only once it may connect: the timeout covers connecting, sending and reading the
answer, never the mock's own queue. Nor the mock's own stalls: time the event loop could not
run (a busy or starved process) while an attempt was waiting is added to that attempt's
deadline (see `LagMeter`). An attempt the process itself could not make (out of descriptors,
buffers or local ports) is the mock's fault: journaled as `mock_fault`, retried when a
socket is free, and never counted against the receiver's retries.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Literal

import aiohttp

from mock_server.core.clock import Clock, Timer
from mock_server.core.events import EventHub
from mock_server.core.net import (
    ALLOW_HINT,
    SHORT_URL_CHARS,
    host_allowed,
    own_fault,
    parse_url,
    read_capped,
)
from mock_server.core.settings import Settings
from mock_server.delivery.deadline import Deadline, LagMeter
from mock_server.delivery.events import AttemptEnded, DeliveryExhausted
from mock_server.delivery.journal import SHARED_ANSWER_CHARS, Attempt, Delivery, Journal
from mock_server.delivery.pools import Pools
from mock_server.delivery.slots import HostSlots, Origin

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
    origin: Origin
    """Scheme, host and port: one receiver, one connection pool."""
    line: Hashable
    """Scheme, host, port and path (not the query): one line, one connection cap."""


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
    """Delivers callbacks and journals every attempt; tells what happened on the journal's
    event hub (`AttemptEnded`, `DeliveryExhausted`)."""

    def __init__(self, clock: Clock, settings: Settings, journal: Journal) -> None:
        self._clock = clock
        self._settings = settings
        self._journal = journal
        self._events: EventHub = journal.events
        self._targets: dict[str, _Target] = {}
        self._slots = HostSlots(settings.callback_connections_per_host, clock, _cancelled_parked)
        self._pools = Pools(clock, settings.callback_socket_budget, self._cancelled_waiting)
        self._lag = LagMeter(clock.machine)
        self._answers: dict[str, str] = {}

    @property
    def pools(self) -> Pools:
        """The receivers' connection pools and the socket budget they share."""
        return self._pools

    async def start(self) -> None:
        self._pools.start()

    def _target(self, url: str) -> _Target:
        """Where the URL points and whether it may be called; decided once per URL (a task's
        callbacks and retries, and usually all tasks of a client, share one) when it is short:
        a long one is decided again each time rather than kept (4,096 of them could hold GBs)."""
        decided = self._targets.get(url)
        if decided is None:
            parsed = parse_url(url)
            origin = (parsed.scheme, parsed.host, parsed.port)
            decided = _Target(
                parsed.host,
                host_allowed(parsed.host, self._settings.allow_callback_hosts),
                origin,
                (*origin, parsed.path),
            )
            if len(url) <= SHORT_URL_CHARS:
                if len(self._targets) > 4096:
                    self._targets.clear()
                self._targets[url] = decided
        return decided

    async def close(self) -> None:
        await self._pools.close()

    async def deliver(
        self,
        task_id: str,
        callback_type: str,
        url: str,
        payload: bytes,
        *,
        policy: DeliveryPolicy = PLAIN_POLICY,
        recipe: Callable[[], bytes] | None = None,
    ) -> Delivery:
        """Send a callback now (first attempt inline); failures are retried on the clock.

        `policy` (a task's script) may override the settings' retries and timeout, and sign
        with a wrong key. `recipe` makes `payload` again; once delivered, the journal keeps it
        instead of the bytes. Retries run out: `DeliveryExhausted`."""
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
        await self._attempt(delivery, 1, now)
        return delivery

    async def _attempt(self, delivery: Delivery, number: int, scheduled_at: float) -> None:
        delivery.next_attempt_at = None
        attempt = Attempt(number, scheduled_at, self._clock.now())
        delivery.attempts.append(attempt)
        line = self._target(delivery.url).line
        held = self._slots.take(line)
        if held is False:  # over the line's cap: wait in line, parked on the clock
            parked = self._clock.park(self._woken, delivery, attempt, line)
            if self._slots.wait(line, parked) >= KEEP_READY:
                delivery.shelve()
            return
        await self._connect(delivery, attempt, line if held else None)

    async def _woken(self, delivery: Delivery, attempt: Attempt, line: Hashable) -> None:
        """A waiting attempt's turn: a connection of its line was released for it."""
        if not self._slots.take(line, woken=True):  # taken meanwhile by a newcomer
            parked = self._clock.park(self._woken, delivery, attempt, line)
            self._slots.wait(line, parked, first=True)
            return
        await self._connect(delivery, attempt, line)

    async def _connect(
        self,
        delivery: Delivery,
        attempt: Attempt,
        line: Hashable | None,
        *,
        woken: bool = False,
    ) -> None:
        """With a place in its line (`line`; None: no cap), take a socket of the budget or
        wait for one (first in line when `woken` or retried after the mock's own fault)."""
        origin = self._target(delivery.url).origin
        if not self._pools.budget.take(origin, woken=woken):
            parked = self._clock.park(self._connect_woken, delivery, attempt, line)
            self._pools.budget.wait(origin, parked, first=woken)
            return
        await self._send(delivery, attempt, line, origin)

    async def _connect_woken(
        self,
        delivery: Delivery,
        attempt: Attempt,
        line: Hashable | None,
    ) -> None:
        await self._connect(delivery, attempt, line, woken=True)

    def _cancelled_waiting(self, parked: Timer) -> None:
        """An attempt cancelled while waiting for a socket: it gives its line's place back."""
        _cancelled_parked(parked)
        line = parked.args[2]
        if line is not None:
            self._slots.release(line)

    async def _send(
        self,
        delivery: Delivery,
        attempt: Attempt,
        line: Hashable | None,
        origin: Origin,
    ) -> None:
        """Make the attempt with its line's place (`line`; None: no cap) and a socket."""
        closed = own = False
        try:
            attempt.started_at = self._clock.now()  # after any wait for a free connection
            started = self._clock.perf()
            try:
                closed = await self._post(delivery, attempt, origin)
            finally:
                attempt.latency_ms = round((self._clock.perf() - started) * 1000, 3)
        except asyncio.CancelledError:
            _cancelled(delivery, attempt)
            raise
        finally:
            own = attempt.outcome == "mock_fault"
            if own:
                self._pools.paused()  # no new socket for a moment, but as others are freed
            self._pools.budget.release(origin, closed=closed)
            if line is not None and not own:
                self._slots.release(line)
        if own:  # the mock's fault: retried first in line for a socket, keeping its place
            self._finished(delivery, attempt)
            now = self._clock.now()
            retry = Attempt(attempt.number + 1, now, now)
            delivery.attempts.append(retry)
            parked = self._clock.park(self._connect_woken, delivery, retry, line)
            self._pools.budget.wait(origin, parked, first=True)
            return
        self._settle(delivery, attempt)

    def _settle(self, delivery: Delivery, attempt: Attempt) -> None:
        """The receiver answered, or failed to: delivered, retried later or exhausted."""
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
        failures = _receiver_failures(delivery)
        if failures > len(retries):
            delivery.state = "exhausted"
            self._finished(delivery, attempt)
            self._events.publish(DeliveryExhausted(delivery))
            return
        due = self._clock.now() + retries[failures - 1]
        delivery.next_attempt_at = due
        self._finished(delivery, attempt)
        self._clock.call_at(due, self._attempt, delivery, attempt.number + 1, due)

    def _finished(self, delivery: Delivery, attempt: Attempt) -> None:
        """An attempt ended: tell (`AttemptEnded`) and log one line about it."""
        self._events.publish(AttemptEnded(delivery, attempt))
        level = logging.INFO if delivery.state in ("delivered", "pending") else logging.WARNING
        if not log.isEnabledFor(level):
            return
        if attempt.outcome == "delivered":
            result = f"-> {attempt.status} in {attempt.latency_ms:.1f} ms"
        elif attempt.outcome == "blocked":
            result = f"blocked: {attempt.error}"
        elif attempt.outcome == "mock_fault":
            result = f"{attempt.error}"
        elif delivery.next_attempt_at is not None:
            wait = delivery.retry_delays[_receiver_failures(delivery) - 1]
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

    def _hand_over(self, response: aiohttp.ClientResponse, origin: Origin) -> bool:
        """While another receiver waits for a socket, this one is closed at the answer's end
        rather than kept alive (decided before the end: by then aiohttp has pooled it)."""
        held = response.connection
        if held is None or held.protocol is None or not self._pools.budget.contended(origin):
            return False
        held.protocol.force_close()
        return True

    def _answer(self, raw: bytes) -> str:
        """A receiver's answer as text; one copy of each short answer (receivers tend to say
        the same `{}` or `ok` every time, and the journal keeps one per attempt)."""
        text = raw.decode("utf-8", errors="replace")
        if len(text) > SHARED_ANSWER_CHARS:
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

    async def _post(self, delivery: Delivery, attempt: Attempt, origin: Origin) -> bool:
        """POST the callback; whether its socket was closed (not kept alive for the next)."""
        session = self._pools.session(origin)
        timeout = delivery.timeout
        if delivery.simulate == "down":
            attempt.error = SIMULATED_DOWN
            return False
        deadline: Deadline | None = None
        closed = False
        try:
            async with asyncio.timeout(None) as limit:
                deadline = Deadline(self._lag, limit, timeout)
                with deadline:
                    async with session.post(
                        parse_url(delivery.url),  # a long one kept out of yarl's cache
                        data=delivery.payload,
                        headers=self._headers(delivery),
                        allow_redirects=False,
                    ) as response:
                        attempt.status = response.status
                        closed = self._hand_over(response, origin)
                        raw = await read_capped(response.content, RESPONSE_BODY_LIMIT)
                        self._journal.keep_answer(attempt, self._answer(raw))
        except TimeoutError:
            attempt.error = f"timed out: no answer within callback_timeout={timeout:g} s"
            attempt.status = None
        except OSError as err:  # aiohttp's connection errors are OSErrors too
            attempt.status = None
            fault = own_fault(err)
            if fault is not None:
                attempt.outcome = "mock_fault"
                attempt.error = self._pools.fault(fault)
                return True
            if not isinstance(err, aiohttp.ClientError):
                raise
            attempt.error = f"connection failed: {err.__class__.__name__}: {err}"
            closed = isinstance(err, aiohttp.ClientConnectorError)  # no socket was left open
        except aiohttp.ClientError as err:
            attempt.error = f"connection failed: {err.__class__.__name__}: {err}"
            attempt.status = None
        finally:
            if deadline is not None and deadline.granted:
                attempt.held_up_ms = round(deadline.granted * 1000, 3)
        if delivery.simulate == "slow" and attempt.status is not None:
            attempt.error = SIMULATED_SLOW.format(status=attempt.status, timeout=timeout)
            attempt.status = None
        return closed


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


def _receiver_failures(delivery: Delivery) -> int:
    """Attempts the receiver failed (the mock's own faults are not its retries)."""
    return sum(a.outcome == "failed" for a in delivery.attempts)
