"""Every tunable number and switch of the mock, in one frozen model.

Durations are seconds of *mock* time (the clock's time), except `callback_timeout`, which bounds
real network I/O: a receiver answers in real time whatever the clock does, so that limit is
wall-clock seconds (see README, "Time").
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["CreateTimeFormat", "Settings", "StageDelays"]

CreateTimeFormat = Literal["epoch_ms", "string"]


class StageDelays(BaseModel):
    """When each callback stage fires, in mock seconds after the task was accepted.

    Defaults follow the docs: stream URLs in ~30-40 s, downloads in ~2-3 min.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: float = Field(default=30.0, ge=0)
    first: float = Field(default=60.0, ge=0)
    complete: float = Field(default=150.0, ge=0)

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

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = 0
    """Seed of generated ids, titles, tags, durations: same seed + same requests => same bytes."""

    api_keys: tuple[str, ...] = ()
    """Accepted Bearer keys; empty accepts any non-empty key."""

    credits: int = Field(default=10_000, ge=0)
    """Credits the account starts with (GET /api/v1/generate/credit)."""

    task_cost: int = Field(default=12, ge=0)
    """Credits charged per accepted task; a balance below it answers code 429."""

    stage_delays: StageDelays = StageDelays()

    job_delay: float = Field(default=30.0, ge=0)
    """When lyrics, WAV, vocal-removal, MP4, cover and MIDI jobs complete (mock seconds)."""

    callback_timeout: float = Field(default=15.0, gt=0)
    """Wall-clock seconds a callback receiver has to answer (documented: 15 s)."""

    callback_connections_per_host: int | None = Field(default=64, ge=1)
    """Callback attempts in flight at once per receiver (scheme, host, port); more wait in the
    mock, and that wait never counts against `callback_timeout`. None: no cap. There is no cap
    across receivers, so one slow or dead receiver never delays another."""

    retry_delays: tuple[float, ...] = (60.0, 300.0, 900.0)
    """Mock seconds to wait before each retry of a failed callback (documented: 1, 5, 15 min)."""

    allow_callback_hosts: tuple[str, ...] = ()
    """Hosts besides loopback that callbacks may be sent to ('*' allows every host)."""

    public_base_url: str | None = None
    """Base URL written into audio/image URLs; default: the origin the client used."""

    mirror_http_status: bool = False
    """Send business error codes as the HTTP status too (documented behaviour: HTTP 200)."""

    max_body_bytes: int = Field(default=1024 * 1024, gt=0)

    journal_limit: int | None = Field(default=100_000, ge=10)
    """Requests and deliveries the journal keeps (oldest dropped); None keeps everything."""

    task_limit: int | None = Field(default=100_000, ge=10)
    """Music tasks kept: past it the oldest finished ones (no event still to come) are forgotten,
    with their tracks and files; None keeps everything."""

    job_limit: int | None = Field(default=100_000, ge=10)
    """Lyrics, WAV, stems, MIDI, MP4 and cover jobs kept: past it the oldest completed ones are
    forgotten (their record-info then answers 400); None keeps everything."""

    default_source_duration: float = Field(default=240.0, gt=0)
    """Duration assumed for an audioId the mock did not produce (extend's continueAt check)."""

    default_upload_duration: float = Field(default=120.0, gt=0)
    """Duration assumed for an uploadUrl (upload-extend's continueAt check)."""

    create_time_format: CreateTimeFormat = "epoch_ms"
    """Tracks' createTime: epoch milliseconds (real payloads) or 'YYYY-MM-DD HH:MM:SS' (docs)."""

    text_callback_tracks: bool = False
    """Send the two tracks (stream URLs only) in the `text` callback instead of `[]`."""

    title_limit_v4_5: Literal[80, 100] = 100
    """Title limit for V4_5 / V4_5PLUS / V5 / V5_5 (the docs say 100 in G2, 80 in G1/G3)."""

    upload_extend_default_requires_prompt: bool = False
    """upload-extend with defaultParamFlag=false also requires `prompt` (G2 zh / old KIE pages)."""

    max_upload_duration: float = Field(default=480.0, gt=0)
    """Longest uploadUrl audio for upload-cover/upload-extend (8 min in G2/G3; G1 said 2 min)."""

    max_upload_duration_v4_5all: float = Field(default=60.0, gt=0)
    """The same limit for model V4_5ALL (1 min, G2)."""

    max_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    """Largest file the mock accepts on the upload API or downloads from an uploadUrl."""

    upload_retention: float = Field(default=3 * 24 * 3600.0, gt=0)
    """Mock seconds an uploaded file is kept (3 days documented; one KIE copy says 24 h)."""

    upload_store_bytes: int | None = Field(default=256 * 1024 * 1024, gt=0)
    """Total bytes of uploaded files kept: a new upload evicts the oldest files to fit (and
    expired files go first); None: no limit besides `upload_retention`."""

    upload_base_url: str | None = None
    """Base of uploaded files' downloadUrl (the real upload API has its own host); default:
    public_base_url, else the origin the client used."""

    upload_fetch_timeout: float = Field(default=30.0, gt=0)
    """Wall-clock seconds a download of an uploadUrl may take."""

    infill_min_seconds: float = Field(default=6.0, ge=0)
    """Shortest replace-section window (6 s in G2/KIE; G3 says 10 s)."""

    infill_max_seconds: float | None = Field(default=60.0, gt=0)
    """Longest replace-section window (60 s in G2/KIE; G3 states none: None)."""

    webhook_hmac_key: str | None = None
    """Sign callbacks like kie.ai does (X-Webhook-Timestamp, X-Webhook-Signature); off by default,
    as sunoapi.org documents no signature."""

    scenario: str | None = None
    """Default scenario (bundled name, name in a scenarios dir, or .yaml path); None: plain."""

    scenario_dirs: tuple[str, ...] = ()
    """Folders of user scenarios; their files with a `match` block route requests."""

    start_time: float = 1_767_225_600.0
    """Epoch seconds at which a manual clock starts (2026-01-01T00:00:00Z)."""

    @field_validator("retry_delays")
    @classmethod
    def _non_negative(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(delay < 0 for delay in value):
            raise ValueError(f"retry delays must be >= 0, got {list(value)}")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None
