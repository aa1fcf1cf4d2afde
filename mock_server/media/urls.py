"""Every file URL the mock hands out, in one place: the payload builders make URLs from these
routes and `routes.py` registers the same routes, so a layout cannot drift between the two.

Each route is an aiohttp pattern (`{name}`, or `{name:regex}` for a part that may hold `/`);
`FileRoute.url` fills it in after a base URL (the mock's own, or `public_base_url`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote

__all__ = [
    "AUDIO",
    "COVER",
    "IMAGE",
    "SOURCE_AUDIO",
    "SOURCE_IMAGE",
    "SOURCE_STREAM",
    "STEM",
    "STREAM",
    "UPLOADED",
    "VIDEO",
    "WAV",
    "FileRoute",
    "TrackUrls",
    "cover_urls",
    "track_urls",
    "uploaded_url",
]

_REGEX_PART = re.compile(r"\{(\w+):[^}]+\}")


@dataclass(frozen=True)
class FileRoute:
    """One kind of file: its route pattern, and the URLs made from it."""

    pattern: str
    """What `routes.py` registers, e.g. `/files/audio/{id}.mp3`."""
    _template: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_template", _REGEX_PART.sub(r"{\1}", self.pattern))

    def url(self, base_url: str, **parts: str) -> str:
        """`base_url` followed by the pattern with its parts filled in (as given: quote a
        part that needs it first)."""
        return base_url + self._template.format(**parts)


AUDIO = FileRoute("/files/audio/{id}.mp3")
SOURCE_AUDIO = FileRoute("/files/source-audio/{id}.mp3")
STREAM = FileRoute("/files/stream/{id}")
SOURCE_STREAM = FileRoute("/files/source-stream/{id}")
IMAGE = FileRoute("/files/image/{id}.jpeg")
SOURCE_IMAGE = FileRoute("/files/source-image/{id}.jpeg")
UPLOADED = FileRoute("/files/tmp/{path:.+}")
"""A File Upload API file: `path` is its `uploadPath/fileName`."""
WAV = FileRoute("/files/wav/{id}.wav")
STEM = FileRoute("/files/stems/{id}/{stem}.mp3")
VIDEO = FileRoute("/files/video/{id}.mp4")
COVER = FileRoute("/files/cover/{id}-{n}.png")


class TrackUrls(NamedTuple):
    """Every URL the API hands out for one track."""

    audio: str
    source_audio: str
    stream: str
    source_stream: str
    image: str
    source_image: str


_TRACK_ROUTES = (AUDIO, SOURCE_AUDIO, STREAM, SOURCE_STREAM, IMAGE, SOURCE_IMAGE)
_TRACK_PARTS = tuple(route._template.partition("{id}") for route in _TRACK_ROUTES)
"""Each track route split around its one `{id}`: a track's URLs are made by concatenation
(every callback and record-info makes twelve; `str.format` was a third of a payload's cost)."""


def track_urls(base_url: str, track_id: str) -> TrackUrls:
    return TrackUrls._make([base_url + head + track_id + tail for head, _, tail in _TRACK_PARTS])


def cover_urls(base_url: str, job_id: str) -> list[str]:
    """The two images a cover job makes."""
    return [COVER.url(base_url, id=job_id, n=str(n)) for n in (1, 2)]


def uploaded_url(base_url: str, path: str) -> str:
    """The downloadUrl of a File Upload API file (its path percent-encoded, `/` kept)."""
    return UPLOADED.url(base_url, path=quote(path, safe="/"))
