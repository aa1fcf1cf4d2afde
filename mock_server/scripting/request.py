"""What a submitted request says about the tracks to build: the value a scenario's looks
change and the track factory reads (the wire models make it, the families build from it)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TrackRequest"]


@dataclass(slots=True)
class TrackRequest:
    """What a submitted request says about the tracks to build. Treat it as a value: change
    it with `dataclasses.replace` (not frozen: a frozen dataclass costs a submit 1-2 us)."""

    model: str
    title: str | None = None
    style: str | None = None
    lyrics: str | None = None
    instrumental: bool = False
    continue_at: float | None = None
    """Extends: the new track keeps this much of the source, then adds a new part."""
    count: int = 2
    durations: tuple[float, ...] = ()
    """Fixed durations for the first tracks (scenario payload overrides)."""
    duration: float | None = None
    """The `duration` the client asked for: new tracks last that, give or take `spread`."""
    spread: float = 0.0
