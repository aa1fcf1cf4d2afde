"""What the mock saw and did: every API request and every callback delivery attempt."""

from __future__ import annotations

import bisect
import json
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from mock_server.core.events import Event, EventHub, Wire
from mock_server.core.reclaim import reclaim

__all__ = [
    "SHARED_ANSWER_CHARS",
    "Attempt",
    "Delivery",
    "DeliveryState",
    "Journal",
    "Page",
    "RequestJournaled",
    "RequestRecord",
    "page",
]

AttemptOutcome = Literal["in_flight", "delivered", "failed", "blocked", "cancelled", "mock_fault"]
DeliveryState = Literal["pending", "delivered", "exhausted", "blocked", "cancelled", "dropped"]


SHARED_ANSWER_CHARS = 64
"""Receivers' answers up to this long are one shared copy each (callbacks.Dispatcher)."""


def _decode(raw: bytes | None, size: int | None = None) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if size is not None and size > len(raw):
        return (
            f"<{size} bytes, the first {len(raw)} kept (setting journal_body_bytes)> "
            + text.rstrip("\ufffd")  # a character cut in two
        )
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):  # a rejected body can be any text
        return text


@dataclass(slots=True)
class RequestRecord:
    """One API request and the answer it got."""

    seq: int
    at: float
    """Mock time (epoch seconds) the request arrived."""
    method: str
    path: str
    _query: dict[str, str] | None
    raw_body: bytes | None
    http_status: int
    raw_response: bytes | None
    # Kept as bytes, decoded on demand: a long-running server journals a lot, and bytes cost
    # the garbage collector nothing.
    body_size: int | None = None
    """The body's size as received when only its first `journal_body_bytes` are kept."""
    response_size: int | None = None
    """Likewise for the answer."""

    @property
    def held(self) -> int:
        """Bytes of body and answer kept."""
        return len(self.raw_body or b"") + len(self.raw_response or b"")

    @property
    def query(self) -> dict[str, str]:
        """The query string's parameters (most requests have none: nothing is kept then)."""
        return dict(self._query) if self._query else {}

    @property
    def body(self) -> Any:
        """The request body as JSON, else as text (None when there was none); a cut body is
        text that starts with `<SIZE bytes, the first N kept ...>`."""
        return _decode(self.raw_body, self.body_size)

    @property
    def response(self) -> Any:
        """The answer's body as JSON, else as text (None when there was none)."""
        return _decode(self.raw_response, self.response_size)

    @property
    def code(self) -> int | None:
        """The envelope's business code, when the answer was an envelope."""
        response = self.response
        if isinstance(response, dict) and isinstance(response.get("code"), int):
            return int(response["code"])
        return None

    def __repr__(self) -> str:
        size = len(self.raw_body or b"")
        return (
            f"<RequestRecord {self.seq}: {self.method} {self.path} ({size} bytes) -> "
            f"HTTP {self.http_status} code={self.code}>"
        )

    def to_json(self) -> dict[str, Any]:
        response = self.response
        return {
            "seq": self.seq,
            "at": self.at,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": self.body,
            "bodyBytes": self.body_size or len(self.raw_body or b""),
            "httpStatus": self.http_status,
            "code": response.get("code") if isinstance(response, dict) else None,
            "response": response,
        }


@dataclass(slots=True)
class RequestJournaled(Event):
    record: RequestRecord

    def wire(self) -> Wire:
        return {"type": "request", "id": self.record.seq}


@dataclass(slots=True)
class Attempt:
    """One POST of a callback (or a decision not to send it)."""

    number: int
    """1 for the first try, 2.. for retries."""
    scheduled_at: float
    started_at: float
    outcome: AttemptOutcome = "in_flight"
    status: int | None = None
    """The receiver's HTTP status."""
    error: str | None = None
    latency_ms: float | None = None
    """Real milliseconds from sending to the end of the receiver's answer."""
    held_up_ms: float | None = None
    """Real milliseconds the mock itself was held up (its event loop could not run) while
    waiting for this answer, added once to the receiver's deadline (at most the timeout)."""
    response_body: str | None = None

    def summary(self) -> str:
        """`#1 HTTP 500 in 3.2 ms` or `#2 failed: timed out ...`, for messages and reprs."""
        if self.status is not None:
            took = f" in {self.latency_ms:g} ms" if self.latency_ms is not None else ""
            answer = f" answer {self.response_body[:80]!r}" if self.response_body else ""
            return f"#{self.number} HTTP {self.status}{took}{answer}"
        return f"#{self.number} {self.outcome}: {self.error or 'no answer yet'}"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "scheduledAt": self.scheduled_at,
            "startedAt": self.started_at,
            "outcome": self.outcome,
            "status": self.status,
            "error": self.error,
            "latencyMs": self.latency_ms,
            "heldUpMs": self.held_up_ms,
            "responseBody": self.response_body,
        }


@dataclass(slots=True)
class Delivery:
    """One callback (a task's stage) and all attempts to deliver it."""

    id: int
    task_id: str
    callback_type: str
    url: str
    _payload: bytes | Callable[[], bytes]
    """The bytes sent, or, once delivered, a recipe that makes them again (100k tasks'
    payloads would cost more memory than everything else they keep; see docs/performance.md,
    "Payloads kept as recipes")."""
    attempts: list[Attempt] = field(default_factory=list)
    state: DeliveryState = "pending"
    next_attempt_at: float | None = None
    retry_delays: tuple[float, ...] = ()
    timeout: float = 0.0
    bad_signature: bool = False
    simulate: Literal["down", "slow"] | None = None
    """A receiver fault the scenario plays (`delivery.receiver`), journaled as simulated."""

    recipe: Callable[[], bytes] | None = field(default=None, repr=False)
    """Makes exactly the payload's bytes again (deterministic); kept instead of them once
    the delivery is settled."""

    @property
    def payload(self) -> bytes:
        """The callback's body, byte for byte as sent."""
        payload = self._payload
        return payload if isinstance(payload, bytes) else payload()

    def __repr__(self) -> str:
        tries = ", ".join(a.summary() for a in self.attempts) or "none yet"
        return (
            f"<Delivery {self.id}: {self.callback_type} of task {self.task_id} to {self.url}, "
            f"{self.state}; attempts: {tries}>"
        )

    def shelve(self) -> None:
        """Waiting in a long line: keep the recipe rather than the bytes until sent."""
        if self.recipe is not None:
            self._payload = self.recipe

    def settle(self) -> None:
        """Delivered: from now on keep the recipe rather than the bytes."""
        if self.recipe is not None:
            self._payload, self.recipe = self.recipe, None

    @property
    def body(self) -> Any:
        """The payload as JSON."""
        return json.loads(self.payload)

    @property
    def response_status(self) -> int | None:
        """The receiver's HTTP status on the last attempt."""
        return self.attempts[-1].status if self.attempts else None

    @property
    def response_body(self) -> str | None:
        """What the receiver answered on the last attempt."""
        return self.attempts[-1].response_body if self.attempts else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "taskId": self.task_id,
            "callbackType": self.callback_type,
            "url": self.url,
            "state": self.state,
            "nextAttemptAt": self.next_attempt_at,
            "payload": self.body,
            "attempts": [a.to_json() for a in self.attempts],
        }


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A slice of an ordered collection, for the control plane's `limit` / `since` paging."""

    items: Sequence[T]
    next: int
    """The cursor to pass as `since` for what comes after this page."""
    more: bool
    """Whether items after this page exist already."""


def page(items: Sequence[T], key: Callable[[T], int], since: int | None, limit: int) -> Page[T]:
    """Items ordered by `key` (strictly increasing): those after `since`, oldest first, at
    most `limit`; without `since`, the newest `limit`. O(log n + limit)."""
    if since is None:
        start = max(0, len(items) - limit)
    else:
        start = bisect.bisect_right(items, since, key=key)
    chosen = items[start : start + limit]
    if chosen:
        cursor = key(chosen[-1])
    elif since is not None:
        cursor = since
    else:
        cursor = 0
    return Page(chosen, cursor, start + limit < len(items))


class Journal:
    """Append-only record of requests and deliveries, cleared by reset.

    Deliveries are also indexed by task, so a task's deliveries (and their count) cost what
    that task has, not what the journal holds."""

    def __init__(
        self,
        limit: int | None = None,
        *,
        body_bytes: int = 64 * 1024,
        total_bytes: int = 64 * 1024 * 1024,
        events: EventHub | None = None,
    ) -> None:
        self.events = EventHub() if events is None else events
        self.limit = limit
        """Keep at most this many requests and deliveries (the oldest go first); None: all."""
        self.body_bytes = body_bytes
        """Bytes kept of each request body and answer (the rest is cut, its size noted)."""
        self.total_bytes = total_bytes
        """Bytes of bodies and answers kept in all (the oldest requests go first)."""
        self.held_bytes = 0
        """Bytes of bodies and answers the journal holds now."""
        self.answer_bytes = 0
        """Bytes of receivers' answers kept on attempts (at most `total_bytes`)."""
        self._answers: deque[Attempt] = deque()
        self.requests: list[RequestRecord] = []
        self._deliveries: list[Delivery] = []
        self._by_task: dict[str, list[Delivery]] = {}
        self._last_id = 0
        self._seq = 0
        self._reset_seq = self._reset_id = 0
        self._paths: dict[str, str] = {}

    def keep_answer(self, attempt: Attempt, text: str) -> None:
        """Keep a receiver's answer on its attempt: cut to `body_bytes` (its size noted), and
        all answers held to `total_bytes`, past which the oldest become a note of their size.
        Short answers (the dispatcher shares one copy of each) are not counted."""
        if len(text) > self.body_bytes:
            kept = text[: self.body_bytes]
            text = f"<{len(text)} bytes, the first {len(kept)} kept (setting journal_body_bytes)> "
            text += kept
        attempt.response_body = text
        if len(text) <= SHARED_ANSWER_CHARS:
            return
        self._answers.append(attempt)
        self.answer_bytes += len(text)
        while self.answer_bytes > self.total_bytes:
            old = self._answers.popleft()
            size = len(old.response_body or "")
            old.response_body = f"<{size} bytes, let go (setting journal_bytes)>"
            self.answer_bytes -= size

    def clear(self) -> None:
        # New containers at once; the old ones are freed a slice at a time (100k records
        # freed in one go would hold up every request for a second).
        reclaim(self.requests, self._deliveries, self._by_task)
        self.requests, self._deliveries, self._by_task = [], [], {}
        self.held_bytes = self.answer_bytes = 0
        self._answers = deque()
        # Numbers go on rising across a reset: a client paging with `since` misses nothing.
        self._reset_seq, self._reset_id = self._seq, self._last_id

    @property
    def requests_seen(self) -> int:
        """API requests journaled since the last reset (trimmed ones included)."""
        return self._seq - self._reset_seq

    @property
    def deliveries_made(self) -> int:
        """Deliveries created since the last reset (trimmed ones included)."""
        return self._last_id - self._reset_id

    def add_request(
        self,
        at: float,
        method: str,
        path: str,
        query: dict[str, str],
        raw_body: bytes | None,
        http_status: int,
        raw_response: bytes | None,
    ) -> RequestRecord:
        self._seq += 1
        known = self._paths.get(path)  # one copy of each route's path
        if known is not None:
            path = known
        elif len(self._paths) < 1024:
            self._paths[path] = path
        body_size = answer_size = None  # the sizes of what is cut to `body_bytes`
        if raw_body is not None and len(raw_body) > self.body_bytes:
            raw_body, body_size = raw_body[: self.body_bytes], len(raw_body)
        if raw_response is not None and len(raw_response) > self.body_bytes:
            raw_response, answer_size = raw_response[: self.body_bytes], len(raw_response)
        record = RequestRecord(
            self._seq, at, method, path, query or None, raw_body, http_status, raw_response,
            body_size, answer_size,
        )  # fmt: skip
        self.requests.append(record)
        self.held_bytes += len(raw_body or b"") + len(raw_response or b"")
        if self.limit is not None and len(self.requests) > self.limit:
            # Trim in slices of a tenth, so the cost per request stays constant.
            self._drop(len(self.requests) - self.limit + self.limit // 10)
        if self.held_bytes > self.total_bytes:
            self._drop_bytes(self.held_bytes - self.total_bytes + self.total_bytes // 10)
        if self.events.heard(RequestJournaled):  # no event made when nobody listens
            self.events.publish(RequestJournaled(record))
        return record

    def _drop(self, count: int) -> None:
        """Forget the `count` oldest requests."""
        self.held_bytes -= sum(record.held for record in self.requests[:count])
        del self.requests[:count]

    def _drop_bytes(self, wanted: int) -> None:
        """Forget the oldest requests until `wanted` bytes are freed."""
        freed = count = 0
        for record in self.requests:
            if freed >= wanted:
                break
            freed += record.held
            count += 1
        self._drop(count)

    def new_delivery(self, task_id: str, callback_type: str, url: str, payload: bytes) -> Delivery:
        self._last_id += 1
        delivery = Delivery(self._last_id, task_id, callback_type, url, payload)
        self._deliveries.append(delivery)
        self._by_task.setdefault(task_id, []).append(delivery)
        if self.limit is not None and len(self._deliveries) > self.limit:
            cut = len(self._deliveries) - self.limit + self.limit // 10
            for gone in self._deliveries[:cut]:
                # The oldest delivery overall is also the oldest of its task.
                own = self._by_task[gone.task_id]
                if len(own) == 1:
                    del self._by_task[gone.task_id]
                else:
                    del own[0]
            del self._deliveries[:cut]
        return delivery

    def deliveries(self, task_id: str | None = None) -> list[Delivery]:
        """Deliveries in the order their stage fired, optionally of one task."""
        if task_id is None:
            return list(self._deliveries)
        return list(self._by_task.get(task_id, ()))

    def delivery_count(self, task_id: str | None = None) -> int:
        """How many deliveries the journal holds (of one task)."""
        if task_id is None:
            return len(self._deliveries)
        return len(self._by_task.get(task_id, ()))

    def deliveries_page(
        self, since: int | None, limit: int, task_id: str | None = None
    ) -> Page[Delivery]:
        """Deliveries (of one task) after delivery id `since`, or the newest; see `page`."""
        held = self._deliveries if task_id is None else self._by_task.get(task_id, [])
        return page(held, _delivery_id, since, limit)

    def requests_page(self, since: int | None, limit: int) -> Page[RequestRecord]:
        """Requests after sequence number `since`, or the newest; see `page`."""
        return page(self.requests, _request_seq, since, limit)


def _delivery_id(delivery: Delivery) -> int:
    return delivery.id


def _request_seq(record: RequestRecord) -> int:
    return record.seq
