"""Every tunable number and switch of the mock, in one frozen model.

Durations are seconds of *mock* time (the clock's time), except `callback_timeout` and the read
timeouts (`header_read_timeout`, `body_read_timeout`), which bound real network I/O: a peer
answers or sends in real time whatever the clock does, so those limits are wall-clock seconds
(see docs/configuration.md, "Time").
"""

from __future__ import annotations

import ast
import functools
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

__all__ = [
    "MAX_CLOCK_STEP",
    "MAX_DELAY",
    "MAX_EPOCH",
    "MAX_REAL_WAIT",
    "MAX_RETRIES",
    "MAX_TRACK_SECONDS",
    "SCENARIO_MAX_BYTES",
    "CreateTimeFormat",
    "RateLimit",
    "Settings",
    "StageDelays",
    "parse_rate_limit",
    "setting_docs",
    "settings_of",
    "settings_problems",
]

# Every duration a user gives is finite and ranged: a NaN breaks the ordering of the clock's
# timer heap (nothing fires again) and an infinity or 1e308 makes a timer that never fires,
# a file no struct can describe, or a date no calendar has.
MAX_DELAY = 30 * 24 * 3600.0
"""Longest delay in mock seconds (stages, errors, retries, lateness, jobs, retention): 30 days."""
MAX_REAL_WAIT = 24 * 3600.0
"""Longest wait in real seconds (timeouts, scripted API latency): a day."""
MAX_TRACK_SECONDS = 3600.0
"""Longest track or source audio the mock describes (an hour; real songs run minutes): its
made-up MP3 is 3.6 MB, its WAV 29 MB."""
MAX_RETRIES = 100
"""Most retries of a callback."""
MAX_EPOCH = 32_503_680_000.0
"""Latest mock time (the year 3000): a clock past it could not be written as a date."""
SCENARIO_MAX_BYTES = 1024 * 1024
"""Largest scenario file read (setting scenario_max_bytes); real ones are a few hundred bytes."""
MAX_CLOCK_STEP = 366 * 24 * 3600.0
"""Longest single move of the clock (control plane, `advance()`): a year."""

CreateTimeFormat = Literal["epoch_ms", "string"]

_FORM = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class RateLimit:
    """`count` requests per `window` mock seconds."""

    count: int
    window: float


def parse_rate_limit(text: str) -> RateLimit | None:
    """`"20/10s"` (also `ms`, `m`, `h`; a bare number is seconds) or `"off"` (None)."""
    if text.strip().lower() in {"off", "none", "0"}:
        return None
    match = _FORM.match(text)
    if (
        match is None
        or int(match[1]) < 1
        or not 0 < float(match[2]) * _UNIT[match[3] or "s"] <= MAX_DELAY
    ):
        raise ValueError(
            f"rate limit must look like '20/10s' (requests/window, units ms, s, m, h; a window "
            f"above 0 and at most {MAX_DELAY:.0f} s) or 'off', got {text!r}"
        )
    return RateLimit(int(match[1]), float(match[2]) * _UNIT[match[3] or "s"])


class StageDelays(BaseModel):
    """When each callback stage fires, in mock seconds after the task was accepted.

    Defaults follow the docs: stream URLs in ~30-40 s, downloads in ~2-3 min.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    text: float = Field(default=30.0, ge=0, le=MAX_DELAY)
    first: float = Field(default=60.0, ge=0, le=MAX_DELAY)
    complete: float = Field(default=150.0, ge=0, le=MAX_DELAY)

    @model_validator(mode="after")
    def _ordered(self) -> StageDelays:
        if not self.text <= self.first <= self.complete:
            raise ValueError(
                f"stage delays must not decrease: text={self.text} <= first={self.first} "
                f"<= complete={self.complete}"
            )
        return self


class Settings(BaseModel):
    """Configuration of one mock server; build it in code, from CLI flags or SUNO_MOCK_* vars."""

    # The fields' docstrings document them (`suno-mock serve --help` shows them); they are read
    # by `setting_docs` when asked for, not by pydantic's `use_attribute_docstrings`, which
    # parses this module's source at import, a cost every test session paid at its first
    # fixture use (see docs/performance.md, "Imports a test does not use"). Its validator is
    # built when something is first validated (`defer_build`); the defaults need none.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)

    seed: int = 0
    """Seed of generated ids, titles, tags, durations: same seed + same requests => same bytes."""

    api_keys: tuple[str, ...] = ()
    """Accepted Bearer keys; empty accepts any non-empty key."""

    rate_limit: str | None = "20/10s"
    """Submits (POST /api/v1/...) allowed per API key per window of mock time, like the real
    service's 20 per 10 s; 'off' or None switches it off (load tests, benchmarks)."""

    rate_limit_code: Literal[405, 430] = 430
    """Code of a submit over the rate limit: 430 "call frequency too high" (default) or 405
    "rate limit exceeded"; the docs list both and tie neither to the limit."""

    cover_repeat_code: Literal[400, 409] = 400
    """Code of a repeated cover request (both carry the existing `taskId`): 400 as the cover
    page says, or 409 as its code list and one client expect."""

    vocal_removal_track_field: Literal["audioId", "musicIndex"] = "audioId"
    """Vocal-removal record-info as sunoapi.org's page shows it (`audioId`, no `pianoUrl`) or
    as kie.ai's does (`musicIndex`, and a `pianoUrl` key)."""

    lyrics_limit_unit: Literal["words", "characters"] = "words"
    """What the 200 of POST /api/v1/lyrics counts (the docs say words; a kie.ai note says
    characters)."""

    credits: int = Field(default=10_000, ge=0)
    """Credits the account starts with (GET /api/v1/generate/credit)."""

    task_cost: int = Field(default=12, ge=0)
    """Credits charged per accepted task; a balance below it answers code 429."""

    stage_delays: StageDelays = StageDelays()
    """When the text, first and complete callbacks fire, in mock seconds after submission."""

    job_delay: float = Field(default=30.0, ge=0, le=MAX_DELAY)
    """When lyrics, WAV, vocal-removal, MP4, cover and MIDI jobs complete (mock seconds)."""

    callback_timeout: float = Field(default=15.0, gt=0, le=MAX_REAL_WAIT)
    """Wall-clock seconds a callback receiver has to answer (documented: 15 s)."""

    callback_connections_per_host: int | None = Field(default=64, ge=1)
    """Callback attempts in flight at once per receiver URL (scheme, host, port and path; not
    the query), so a hung path of a host does not hold back its other paths; more wait in the
    mock, and that wait never counts against `callback_timeout`. None: no cap."""

    callback_socket_budget: int | None = Field(default=None, ge=1, le=1_000_000)
    """Sockets open to all callback receivers together; more attempts wait in the mock (never
    counted against `callback_timeout`). None: the open-file limit (its soft limit raised to
    the hard one at start) less a quarter, at least 64, kept for the API's own sockets."""

    retry_delays: tuple[float, ...] = (60.0, 300.0, 900.0)
    """Mock seconds to wait before each retry of a failed callback (documented: 1, 5, 15 min)."""

    allow_callback_hosts: tuple[str, ...] = ()
    """Hosts besides loopback that callbacks may be sent to ('*' allows every host)."""

    public_base_url: str | None = None
    """Base URL written into audio/image URLs; default: the origin the client used."""

    mirror_http_status: bool = False
    """Send business error codes as the HTTP status too (documented behaviour: HTTP 200)."""

    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    """Largest JSON body of an API request (a larger one answers 413)."""

    journal_limit: int | None = Field(default=100_000, ge=10)
    """Requests and deliveries the journal keeps (oldest dropped); None keeps everything."""

    journal_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    """Bytes of each journaled request body and answer kept (1 KiB to 16 MiB): a longer one is
    cut, marked with its original size."""

    journal_bytes: int = Field(default=64 * 1024 * 1024, ge=1024 * 1024)
    """Total bytes of journaled request bodies and answers (from 1 MiB): past it the oldest
    requests are dropped."""

    task_store_bytes: int = Field(default=256 * 1024 * 1024, ge=1024 * 1024)
    """Total bytes of the request bodies music tasks keep (unknown fields included; from
    1 MiB): past it the oldest finished tasks are forgotten, as past `task_limit`."""

    job_store_bytes: int = Field(default=256 * 1024 * 1024, ge=1024 * 1024)
    """Total bytes of the request bodies jobs keep (lyrics, WAV, stems, MIDI, MP4, cover;
    unknown fields included; from 1 MiB): past it the oldest completed jobs are forgotten, as
    past `job_limit`."""

    event_streams: int = Field(default=32, ge=1, le=10_000)
    """Dashboard event streams (GET /__mock__/events) open at once; one more is answered 503."""

    write_timeout: float = Field(default=60.0, gt=0, le=MAX_REAL_WAIT)
    """Wall-clock seconds a client has to take an answer (or the next event of a stream) once
    the mock writes it; a client that never reads is cut off after it."""

    task_limit: int | None = Field(default=100_000, ge=10)
    """Music tasks kept: past it the oldest finished ones (no event still to come) are forgotten,
    with their tracks and files; None keeps everything."""

    job_limit: int | None = Field(default=100_000, ge=10)
    """Lyrics, WAV, stems, MIDI, MP4 and cover jobs kept: past it the oldest completed ones are
    forgotten (their record-info then answers 400); None keeps everything."""

    default_source_duration: float = Field(default=240.0, gt=0, le=MAX_TRACK_SECONDS)
    """Duration assumed for an audioId the mock did not produce (extend's continueAt check)."""

    default_upload_duration: float = Field(default=120.0, gt=0, le=MAX_TRACK_SECONDS)
    """Duration assumed for an uploadUrl (upload-extend's continueAt check)."""

    create_time_format: CreateTimeFormat = "epoch_ms"
    """Tracks' createTime: epoch milliseconds (real payloads) or 'YYYY-MM-DD HH:MM:SS' (docs)."""

    text_callback_tracks: bool = False
    """Send the two tracks (stream URLs only) in the `text` callback instead of `[]`."""

    title_limit_v4_5: Literal[80, 100] = 100
    """Title limit of extend and upload-extend with V4_5 / V4_5PLUS / V5 / V5_5 (the extend
    pages say 100; every other endpoint and model has 80)."""

    upload_extend_default_requires_prompt: bool = False
    """upload-extend with defaultParamFlag=false also requires `prompt` (G2 zh / old KIE pages)."""

    max_upload_duration: float = Field(default=480.0, gt=0, le=MAX_TRACK_SECONDS)
    """Longest uploadUrl audio for upload-cover/upload-extend (8 min today; older pages: 2 min)."""

    upload_extend_max_duration_v4_5all: float = Field(default=60.0, gt=0, le=MAX_TRACK_SECONDS)
    """Longest upload for upload-extend with model V4_5ALL (both upload-extend pages: 1 min)."""

    upload_cover_max_duration_v4_5all: float = Field(default=480.0, gt=0, le=MAX_TRACK_SECONDS)
    """Longest upload for upload-cover with model V4_5ALL (8 min, as for every model today; an
    older page said 1 min)."""

    duration_spread: float = Field(default=2.0, ge=0, le=30)
    """A requested `duration` gives tracks within this many seconds of it (seeded, so the same
    request gives the same lengths); 0 makes them last exactly what was asked."""

    unknown_audio_id: Literal["accept", "refuse"] = "accept"
    """Extend of an audioId the mock never made: accepted with a warning in the log and the
    task's history (it may be a real track made before the mock started; its length is taken
    as `default_source_duration`), or refused with code 400 as production refuses ids it
    never made."""

    repeat_file_job: Literal["conflict", "new_task"] = "conflict"
    """A second WAV or MP4 of the same track: code 409 "... record already exists" (both pages'
    code lists), or a new task every time."""

    legacy_custom_mode: Literal["ignore", "refuse"] = "ignore"
    """upload-cover with the old `customMode: false` (the page: it "always runs in custom
    mode"): ignored like any unknown field, or refused with code 400."""

    wav_source: Literal["both", "either"] = "both"
    """What WAV conversion needs: `taskId` and `audioId` (the schema and its example) or either
    one (its usage guide: "Provide either taskId or audioId")."""

    voice_regenerate_callback: Literal["calBackUrl", "either"] = "calBackUrl"
    """Callback field of voice regenerate: only `calBackUrl` as its page spells it (a body with
    `callBackUrl` is refused, naming the documented spelling), or either spelling."""

    upload_api_http_200: bool = False
    """Answer File Upload API errors with HTTP 200 (then only `mirror_http_status` changes
    that); by default they use HTTP 400/401/500, as that API's page documents."""

    max_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    """Largest file the mock accepts on the upload API or downloads from an uploadUrl."""

    upload_retention: float = Field(default=3 * 24 * 3600.0, gt=0, le=MAX_DELAY)
    """Mock seconds an uploaded file is kept (3 days documented; one KIE copy says 24 h)."""

    upload_store_bytes: int | None = Field(default=256 * 1024 * 1024, gt=0)
    """Total bytes of uploaded files kept: a new upload evicts the oldest files to fit (and
    expired files go first); None: no limit besides `upload_retention`."""

    upload_base_url: str | None = None
    """Base of uploaded files' downloadUrl (the real upload API has its own host); default:
    public_base_url, else the origin the client used."""

    upload_fetch_timeout: float = Field(default=30.0, gt=0, le=MAX_REAL_WAIT)
    """Wall-clock seconds a download of an uploadUrl may take."""

    infill_min_seconds: float = Field(default=10.0, ge=0, le=MAX_TRACK_SECONDS)
    """Shortest replace-section window (10 s today; older pages said 6 s)."""

    infill_max_seconds: float | None = Field(default=None, gt=0, le=MAX_TRACK_SECONDS)
    """Longest replace-section window (none today; older pages said 60 s)."""

    webhook_hmac_key: str | None = None
    """Sign callbacks like kie.ai does (X-Webhook-Timestamp, X-Webhook-Signature); off by default,
    as sunoapi.org documents no signature."""

    scenario: str | None = None
    """Default scenario (bundled name, name in a scenarios dir, or .yaml path); None: plain."""

    scenario_dirs: tuple[str, ...] = ()
    """Folders of user scenarios; their files with a `match` block route requests."""

    start_time: float = Field(default=1_767_225_600.0, ge=0, le=MAX_EPOCH)
    """Epoch seconds at which a manual clock starts (2026-01-01T00:00:00Z)."""

    control_token: str | None = None
    """Token the /__mock__/ control plane requires (header X-Suno-Mock-Token, or the dashboard
    opened as /__mock__/?token=...); generated when bound to a non-loopback address."""

    control_max_body_bytes: int = Field(default=64 * 1024, gt=0)
    """Largest control-plane request body."""

    scenario_max_bytes: int = Field(default=SCENARIO_MAX_BYTES, gt=0)
    """Largest scenario file read."""

    header_read_timeout: float = Field(default=60.0, gt=0, le=MAX_REAL_WAIT)
    """Wall-clock seconds a connection has to send a request's headers (from connecting or the
    end of the previous answer); an idle keep-alive connection is closed after it too."""

    body_read_timeout: float = Field(default=300.0, gt=0, le=MAX_REAL_WAIT)
    """Wall-clock seconds a request's body has to arrive in full once its headers are read."""

    @model_validator(mode="after")
    def _infill_window(self) -> Settings:
        high, low = self.infill_max_seconds, self.infill_min_seconds
        if high is not None and high < low:
            raise ValueError(
                f"infill_max_seconds ({high:g}) must not be below infill_min_seconds ({low:g})"
            )
        return self

    @field_validator("retry_delays")
    @classmethod
    def _non_negative(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if len(value) > MAX_RETRIES or not all(0 <= delay <= MAX_DELAY for delay in value):
            raise ValueError(
                f"retry delays: at most {MAX_RETRIES}, each 0 to {MAX_DELAY:.0f} s, "
                f"got {list(value)[:10]}"
            )
        return value

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str | None) -> str | None:
        if value is None or parse_rate_limit(value) is None:
            return None
        return value.strip()

    @property
    def rate(self) -> RateLimit | None:
        """`rate_limit` parsed."""
        return parse_rate_limit(self.rate_limit) if self.rate_limit is not None else None

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None


@functools.cache
def setting_docs() -> dict[str, str]:
    """Each `Settings` field's docstring (the string under it in this module), by field name,
    whitespace as written; read from the source on first call (CLI help, docs, tests)."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    body = next(
        node.body
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "Settings"
    )
    docs: dict[str, str] = {}
    for field, after in itertools.pairwise(body):
        if (
            isinstance(field, ast.AnnAssign)
            and isinstance(field.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[field.target.id] = after.value.value
    return docs


KEPT_SETTINGS = 64
"""Distinct sets of values whose validated `Settings` `settings_of` keeps."""
_KEPT: dict[str, Settings] = {}


def settings_of(values: dict[str, Any]) -> Settings:
    """`Settings.model_validate(values)`; for plain JSON values the same (immutable) object
    again for the same values: a suite builds the same settings for every test, and validating
    them was a good part of a fixture's start (see docs/performance.md). No values give the
    defaults constructed, not validated (pydantic validates no default either): `Settings`
    builds its validator when first asked to validate (`defer_build`), so a session that
    keeps the defaults never builds it."""
    try:  # (no values, the usual test's: no encoder made to say so)
        key = json.dumps(values, sort_keys=True, allow_nan=False) if values else "{}"
    except (TypeError, ValueError):  # an object among them (a StageDelays, a Path)
        return Settings.model_validate(values)
    settings = _KEPT.get(key)
    if settings is None:
        settings = Settings.model_construct() if not values else Settings.model_validate(values)
        if len(_KEPT) >= KEPT_SETTINGS:
            _KEPT.clear()
        _KEPT[key] = settings
    return settings


def settings_problems(err: ValidationError) -> str:
    """A pydantic error about settings as one line per setting, without pydantic's links."""
    return "\n".join(
        f"  {'.'.join(map(str, e['loc'])) or '(settings)'}: "
        f"{str(e['msg']).removeprefix('Value error, ')}, got {e['input']!r:.80}"
        for e in err.errors(include_url=False)
    )
