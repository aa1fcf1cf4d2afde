"""Scenarios: YAML files that script how a task behaves. Schema, loader and selection rules.

A scenario says when each callback stage fires, whether the task ends in an `error` callback, how
the callbacks are delivered (retries, timeout, duplicates, reordering, drops, lateness, malformed
bodies), how the submit request itself is answered, and what the tracks look like. Files are read
with `yaml.safe_load` and validated into frozen models that forbid unknown keys; errors name the
file and the dotted location and list what is allowed.

    version: 1
    description: Lyrics flagged as copyrighted after the text stage.
    match: {prompt_contains: copyright}
    stages: {text: 30s}
    error: {after: 40s, code: 400, msg: Lyrics contained copyrighted material,
            status: SENSITIVE_WORD_ERROR}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from mock_server.core.catalog import MODELS, STAGES, Model, Operation, Stage, TaskStatus
from mock_server.core.errors import ScenarioError
from mock_server.core.hints import mistake
from mock_server.core.settings import (
    MAX_DELAY,
    MAX_REAL_WAIT,
    MAX_RETRIES,
    MAX_TRACK_SECONDS,
    SCENARIO_MAX_BYTES,
)
from mock_server.scripting.located import fields_at, line_of

if TYPE_CHECKING:
    import yaml

__all__ = [
    "ApiBehaviour",
    "DeliveryFaults",
    "ErrorOutcome",
    "Match",
    "PayloadOverrides",
    "Scenario",
    "bundled_names",
    "load_bundled",
    "load_scenario",
    "parse_duration",
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
CALLBACK_CODES = (400, 408, 413, 451, 500, 501, 531)
FAILURE_STATUSES: tuple[TaskStatus, ...] = (
    "CREATE_TASK_FAILED",
    "GENERATE_AUDIO_FAILED",
    "SENSITIVE_WORD_ERROR",
)


def parse_duration(value: Any, limit: float = MAX_DELAY) -> float:
    """Seconds from a number or a string like `90s`, `2m`, `1.5h`, `500ms`: finite, from 0 to
    `limit` (a NaN would stop the clock's timers, an infinity is a timer that never fires)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like 30, 90s, 2m, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value) if abs(value) < 1e300 else math.inf
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    else:
        raise ValueError(f"expected a duration like 30, 90s, 2m, 500ms or 1h, got {value!r}")
    if not 0 <= seconds <= limit:  # also false for NaN
        raise ValueError(
            f"a duration from 0 to {limit:.0f} s ({_spoken(limit)}), got {str(value)[:40]}"
        )
    return seconds


def _spoken(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600)):
        if seconds >= size:
            count = seconds / size
            return f"{count:g} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} s"


# A one-argument function each: pydantic may hand its ValidationInfo to a second parameter.
Duration = Annotated[float, BeforeValidator(lambda v: parse_duration(v, MAX_DELAY))]
"""Mock seconds: 0 to MAX_DELAY (30 days)."""
RealDuration = Annotated[float, BeforeValidator(lambda v: parse_duration(v, MAX_REAL_WAIT))]
"""Real seconds (timeouts, API latency): 0 to MAX_REAL_WAIT (a day)."""
TrackSeconds = Annotated[float, BeforeValidator(lambda v: parse_duration(v, MAX_TRACK_SECONDS))]
"""A track's length: 0 to MAX_TRACK_SECONDS (an hour; files are made this long)."""


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


CallbackKind = Literal["text", "first", "complete", "error"]
KindList = Annotated[list[CallbackKind], BeforeValidator(_listify)]


class _Frozen(BaseModel):
    # A model's validator is built when it first validates (see docs/performance.md, "Scenario
    # models built on first use"): a test that reads no scenario file does not pay for them.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)


class Match(_Frozen):
    """Which requests the scenario applies to; every given condition must hold."""

    operation: Annotated[list[Operation], BeforeValidator(_listify)] | None = None
    model: Annotated[list[str], BeforeValidator(_listify)] | None = None
    prompt_contains: str | None = None
    title_contains: str | None = None
    style_contains: str | None = None

    @field_validator("model")
    @classmethod
    def _known_models(cls, value: list[str] | None) -> list[str] | None:
        for model in value or []:
            if model not in MODELS:
                raise ValueError(f"unknown model {model!r}; use one of {', '.join(MODELS)}")
        return value

    def matches(self, operation: str, request: Mapping[str, Any]) -> bool:
        def contains(field: str, needle: str | None) -> bool:
            if needle is None:
                return True
            texts = [request.get(field)] + ([request.get("lyrics")] if field == "prompt" else [])
            return any(isinstance(t, str) and needle.lower() in t.lower() for t in texts)

        return (
            (self.operation is None or operation in self.operation)
            and (self.model is None or request.get("model") in self.model)
            and contains("prompt", self.prompt_contains)
            and contains("title", self.title_contains)
            and contains("style", self.style_contains)
        )


class ErrorOutcome(_Frozen):
    """The task fails: an `error` callback `after` submission; later stages never happen."""

    after: Duration
    code: Literal[400, 408, 413, 451, 500, 501, 531]
    msg: str
    status: Literal["CREATE_TASK_FAILED", "GENERATE_AUDIO_FAILED", "SENSITIVE_WORD_ERROR"] = (
        "GENERATE_AUDIO_FAILED"
    )
    data: Annotated[
        Literal["null", "empty_list"], BeforeValidator(lambda v: "null" if v is None else v)
    ] = "null"
    """`data.data` of the error callback: null (sunoapi.org) or [] (KIE)."""


class DeliveryFaults(_Frozen):
    """How callbacks are delivered, and the faults injected into them."""

    retry_delays: list[Duration] | None = Field(default=None, max_length=MAX_RETRIES)
    timeout: RealDuration | None = Field(default=None, gt=0)
    duplicate: KindList = []
    """Callbacks sent twice (two deliveries of the same body)."""
    swap: list[Stage] | None = None
    """Two stages whose delivery times are exchanged (their state changes keep their times)."""
    drop: KindList = []
    """Callbacks never sent (journaled as dropped)."""
    late: dict[CallbackKind, Duration] = {}
    """Extra delay before a callback is sent."""
    malformed: KindList = []
    """Callbacks sent with a truncated, unparseable JSON body."""
    bad_signature: KindList = []
    """Callbacks whose X-Webhook-Signature is made with a wrong key."""
    receiver: Literal["down", "slow"] | None = None
    """Play a receiver fault whatever the real one does: `down` sends nothing and fails each
    attempt as a refused connection; `slow` sends, then counts the answer as a timeout. Both
    are journaled as simulated, and the retries run out as they would."""

    @field_validator("swap")
    @classmethod
    def _two_stages(cls, value: list[Stage] | None) -> list[Stage] | None:
        if value is not None and (len(value) != 2 or value[0] == value[1]):
            raise ValueError(
                f"swap takes two different stages, like [first, complete]; got {value}"
            )
        return value


class ApiBehaviour(_Frozen):
    """How the submit request itself is answered."""

    respond: Literal[401, 405, 413, 429, 430, 455, 500] | None = None
    """Answer with this business code instead of creating a task."""
    msg: str | None = None
    times: int | None = Field(default=None, ge=1)
    """Apply `respond`/`drop_connection` to the next N submits only (default: always)."""
    latency: RealDuration = 0.0
    """Wait this long (real seconds, scaled by nothing) before answering."""
    drop_connection: bool = False
    """Close the connection without answering."""

    @model_validator(mode="after")
    def _one_fault(self) -> ApiBehaviour:
        if self.respond is not None and self.drop_connection:
            raise ValueError("use either respond or drop_connection, not both")
        return self


class PayloadOverrides(_Frozen):
    """What the produced tracks look like."""

    model: Model | None = None
    """The model a replayed task claims (its tracks' `model_name`); used by `replay` only,
    a real request keeps its own."""
    title: str | None = None
    tags: str | None = None
    lyrics: str | None = None
    """The tracks' `prompt`; an empty string means instrumental."""
    durations: list[Annotated[TrackSeconds, Field(gt=0)]] | None = None
    """Track lengths in seconds (at most an hour: files are made this long)."""
    tracks: int | None = Field(default=None, ge=1, le=10)
    text_tracks: bool | None = None
    create_time: Literal["epoch_ms", "string"] | None = None
    audio: list[str] | None = None
    """Files served as the tracks' audio, one per track: paths relative to the scenario's
    folder and inside it (`suno-mock proxy --download-files` records the real ones)."""
    images: list[str] | None = None
    """Files served as the tracks' cover images, likewise."""


class Scenario(_Frozen):
    """One scripted task behaviour."""

    version: Literal[1]
    name: str = ""
    description: str = ""
    match: Match | None = None
    stages: dict[Stage, Duration] | None = None
    """When each stage fires after submission; stages left out are never reached.
    Omitted entirely: the server's stage delays."""
    error: ErrorOutcome | None = None
    # The defaults as they are (pydantic does not validate a default): made without building
    # these models' validators, which a server that runs no scenario never needs.
    delivery: DeliveryFaults = DeliveryFaults.model_construct()
    api: ApiBehaviour = ApiBehaviour.model_construct()
    payload: PayloadOverrides = PayloadOverrides.model_construct()
    _folder: Path | None = PrivateAttr(default=None)
    """Where `payload.audio` / `payload.images` are read from (set by `load_scenario`)."""

    def media(self, kind: Literal["audio", "images"], index: int) -> Path | None:
        """The recorded file to serve for track `index` (0-based), if the scenario has one."""
        files = self.payload.audio if kind == "audio" else self.payload.images
        if self._folder is None or not files or index >= len(files):
            return None
        return self._folder / files[index]

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        stages = self.stages or {}
        ordered = [stages[s] for s in STAGES if s in stages]
        if ordered != sorted(ordered):
            raise ValueError(
                "stages must not go backwards in time (text <= first <= complete); "
                "to deliver callbacks out of order use delivery.swap"
            )
        for name in self.delivery.swap or []:
            if self.stages is not None and name not in stages:
                raise ValueError(f"delivery.swap names {name!r}, which is not in stages")
        return self

    def stage_times(self, defaults: Mapping[str, float]) -> dict[Stage, float]:
        """Stage -> seconds after submission, cut off at the error (if any)."""
        times: dict[Stage, float] = (
            dict(self.stages) if self.stages is not None else {s: defaults[s] for s in STAGES}
        )
        if self.error is not None:
            times = {s: t for s, t in times.items() if t < self.error.after}
        return times


def _located(err: ValidationError, text: str) -> str:
    lines: list[tuple[int, str]] = []
    for item in err.errors(include_url=False):
        line = line_of(text, item["loc"])
        parts: list[str] = []
        for part in item["loc"]:
            if part == "[key]" and parts:
                parts[-1] += " (the key)"
            elif isinstance(part, int):
                parts[-1:] = [f"{parts[-1]}[{part}]"] if parts else [f"[{part}]"]
            elif not str(part).startswith(("function-", "literal[", "nullable")):
                parts.append(str(part))
        where = ".".join(parts) or "(top level)"
        msg = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            key = str(item["loc"][-1])
            msg = mistake("unknown key", got=key, choices=fields_at(Scenario, item["loc"][:-1]))
        if item["type"] == "missing" and where == "version":
            msg = "required; start the file with `version: 1`"
        lines.append((line or 0, f"{f'line {line}: ' if line else ''}{where}: {msg}"))
    if len(lines) == 1:
        return lines[0][1]
    return f"{len(lines)} problems:" + "".join(f"\n  {text}" for _, text in sorted(lines))


MAX_DEPTH = 32
MAX_NODES = 100_000
"""Deepest nesting and most values in a scenario (YAML aliases can multiply a small file)."""


def _yaml_problem(err: yaml.YAMLError) -> str:
    """The parser's complaint and where, without the snippet of the file it would quote."""
    import yaml

    if not isinstance(err, yaml.MarkedYAMLError):
        return err.__class__.__name__
    text = ": ".join(part for part in (err.context, err.problem) if part) or "syntax error"
    mark = err.problem_mark or err.context_mark
    return f"{text} (line {mark.line + 1}, column {mark.column + 1})" if mark else text


def _check_shape(data: Any) -> str | None:
    """Why `data` is too deep, too large or not encodable as UTF-8, or None."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels"
        if seen > MAX_NODES:
            return f"more than {MAX_NODES} values (aliases expanding?)"
        if isinstance(item, str) and not item.isascii():
            try:
                item.encode()
            except UnicodeEncodeError:
                return "a string holds a lone UTF-16 surrogate (a \\ud800-\\udfff escape)"
        elif isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
            stack.extend((k, depth + 1) for k in item)
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return None


def load_scenario(
    source: str | Path, text: str | None = None, *, max_bytes: int = SCENARIO_MAX_BYTES
) -> Scenario:
    """Read and validate a scenario file; `ScenarioError` names the file and the location.

    Errors never quote the file's content beyond the names of its keys."""
    path = Path(source)
    label = str(source)
    if text is None:
        try:
            with path.open("rb") as file:  # bounded: a device or a pipe has no size to check
                raw = file.read(max_bytes + 1)
            size = path.stat().st_size if len(raw) > max_bytes else len(raw)
        except OSError as err:
            raise ScenarioError(f"{label}: cannot read: {err.strerror or err}") from err
        if len(raw) > max_bytes:
            known = f"{size} bytes is " if size > max_bytes else ""
            raise ScenarioError(
                f"{label}: {known}larger than {max_bytes} bytes (setting scenario_max_bytes); "
                "a scenario is a few lines of YAML"
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ScenarioError(
                f"{label}: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start})"
            ) from err
    elif len(text) > max_bytes:
        raise ScenarioError(f"{label}: larger than {max_bytes} bytes (setting scenario_max_bytes)")
    # Imported here: a server with no scenario file never parses YAML, and a test session
    # should not pay for the parser at its first fixture use.
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ScenarioError(f"{label}: not valid YAML: {_yaml_problem(err)}") from err
    except RecursionError as err:
        raise ScenarioError(f"{label}: nested deeper than {MAX_DEPTH} levels") from err
    if not isinstance(data, dict):
        raise ScenarioError(f"{label}: expected a mapping with `version: 1`, got {_kind(data)}")
    if problem := _check_shape(data):
        raise ScenarioError(f"{label}: {problem}")
    data.setdefault("name", path.stem)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(f"{label}: {_located(err, text)}") from err
    if scenario.payload.audio or scenario.payload.images:
        scenario._folder = _media_folder(scenario, path, label)
    return scenario


def _media_folder(scenario: Scenario, path: Path, label: str) -> Path:
    """The scenario's folder, once every media file it names is a file inside it (files are
    read only from scenario folders)."""
    folder = path.resolve().parent
    for kind in ("audio", "images"):
        for i, name in enumerate(getattr(scenario.payload, kind) or []):
            target = (folder / name).resolve()
            if not target.is_relative_to(folder):
                raise ScenarioError(
                    f"{label}: payload.{kind}[{i}]: {name!r} is outside the scenario's folder"
                )
            if not target.is_file():
                raise ScenarioError(f"{label}: payload.{kind}[{i}]: no file {target}")
    return folder


def _kind(data: Any) -> str:
    if data is None:
        return "an empty file"
    if isinstance(data, list):
        return "a list"
    return "a string" if isinstance(data, str) else f"a {type(data).__name__}"


def bundled_names() -> list[str]:
    """Names of the scenarios shipped inside the package."""
    folder = resources.files("mock_server.scenarios")
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def load_bundled(name: str) -> Scenario:
    entry = resources.files("mock_server.scenarios").joinpath(f"{name}.yaml")
    return load_scenario(f"scenarios/{name}.yaml", entry.read_text())
