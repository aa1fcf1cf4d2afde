"""Fetching the audio behind `uploadUrl`, as the real service does, within the allow-list.

Only loopback or allow-listed hosts are contacted (the same rule as callbacks); for any other
host nothing is fetched and the caller assumes a configured duration. Redirects are not
followed, reads are capped at `max_upload_bytes`, and the whole fetch at a timeout.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp

from mock_server.core.net import ALLOW_HINT, SHORT_URL_CHARS, host_allowed, parse_url, read_capped
from mock_server.core.settings import Settings
from mock_server.media.duration import audio_duration

__all__ = ["SourceAudio", "SourceFetcher"]


@dataclass(frozen=True)
class SourceAudio:
    """What the mock learned about one uploadUrl."""

    url: str
    duration: float | None = None
    """Seconds, when the file was fetched and is MP3 or WAV."""
    problem: str | None = None
    """Why the download failed (a 451 error callback follows)."""
    unsupported: bool = False
    """Downloaded, but neither MP3 nor WAV (a 400 error callback follows)."""
    note: str | None = None
    """Why it was not fetched at all (for the task's history)."""

    @property
    def failure(self) -> tuple[int, str] | None:
        """The error code and message a task made from this upload fails with, if any."""
        if self.problem is not None:
            return 451, f"Unable to download the source audio file: {self.problem}"
        if self.unsupported:
            return 400, f"Unsupported audio file format: {self.url} is neither MP3 nor WAV"
        return None


class SourceFetcher:
    """Downloads uploadUrls with its own client session."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None
        self._started = False
        self._not_fetched: dict[str, SourceAudio] = {}
        """Answers for URLs on hosts that are not allowed (the same every time)."""

    def forget(self) -> None:
        """Forget the remembered answers (a reset)."""
        self._not_fetched = {}

    async def start(self) -> None:
        # The session is made at the first download: most servers (a test's) never fetch one,
        # and a session made and closed is paid by every test that starts a server.
        self._started = True

    async def close(self) -> None:
        self._started = False
        if self._session is not None:
            await self._session.close()
            self._session = None

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched (its host is not allowed), or None."""
        host = parse_url(url).host
        if host_allowed(host, self._settings.allow_callback_hosts):
            return None
        return f"{host!r} is not a loopback host; " + ALLOW_HINT.format(host=host)

    async def download(self, url: str) -> tuple[bytes | None, str | None]:
        """The file's bytes, or why they could not be had (call `refusal` first)."""
        if not self._started:
            raise RuntimeError("SourceFetcher.start() was not awaited")
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        limit = self._settings.max_upload_bytes
        timeout = self._settings.upload_fetch_timeout
        try:
            async with (
                asyncio.timeout(timeout),
                self._session.get(parse_url(url), allow_redirects=False) as response,
            ):
                if response.status != 200:
                    return None, f"GET {url} answered HTTP {response.status}"
                data = await read_capped(response.content, limit + 1)
        except TimeoutError:
            return None, f"GET {url} took longer than {timeout:g} s"
        except aiohttp.ClientError as err:
            return None, f"GET {url} failed: {err.__class__.__name__}: {err}"
        if len(data) > limit:
            return None, f"{url} is larger than {limit} bytes (setting max_upload_bytes)"
        return data, None

    def known(self, url: str) -> SourceAudio | None:
        """What `inspect` answers for `url` without a download, if it is remembered (an
        upload to a reserved host: every benchmark's and most tests' submits)."""
        return self._not_fetched.get(url)

    async def inspect(self, url: str) -> SourceAudio:
        """Download an uploadUrl (where allowed) and read its duration."""
        known = self._not_fetched.get(url)
        if known is not None:
            return known
        refused = self.refusal(url)
        if refused is not None:
            assumed = self._settings.default_upload_duration
            answer = SourceAudio(
                url,
                note=f"uploadUrl not fetched: {refused.split('; ')[0]}; assumed {assumed:g} s "
                f"(setting default_upload_duration); {refused.split('; ', 1)[1]}",
            )
            if len(url) <= SHORT_URL_CHARS:  # at most 4096 short URLs: a few MiB
                if len(self._not_fetched) > 4096:
                    self._not_fetched.clear()
                self._not_fetched[url] = answer
            return answer
        data, problem = await self.download(url)
        if data is None:
            return SourceAudio(url, problem=problem)
        duration = audio_duration(data)
        return SourceAudio(url, duration=duration, unsupported=duration is None)
