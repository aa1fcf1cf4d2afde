"""The File Upload API's store (docs/api.md, "File uploads and signed callbacks"): files kept
in memory for a retention period. (The audio a music request's `uploadUrl` points at is fetched
by `media.sources`, not kept here.)

Re-using a path overwrites the old file (as the KIE notes say); a file older than the
retention (3 days by default, on the mock clock) is gone. The store is bounded by total bytes
(`upload_store_bytes`): a new file evicts the oldest ones to fit.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from mock_server.core.errors import InvalidParameters
from mock_server.media.urls import uploaded_url

__all__ = ["SAFE_MEDIA", "StoredFile", "UploadStore", "declared_mime", "sniff_mime"]

SAFE_MEDIA = ("audio/", "video/", "image/")
"""Uploaded types served as themselves (SVG excepted: it can hold script)."""
_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$", re.ASCII)


def declared_mime(header: str | None) -> str | None:
    """The type a multipart file part's Content-Type names, if it names one
    (`application/octet-stream` names none: the file's name or bytes tell more)."""
    declared = (header or "").split(";")[0].strip()
    if _MIME.match(declared) and declared != "application/octet-stream":
        return declared
    return None


@dataclass(frozen=True)
class StoredFile:
    """One uploaded file."""

    path: str
    """`uploadPath/fileName`, the key in the store and the tail of its downloadUrl."""
    data: bytes
    mime: str
    uploaded_at: float

    @property
    def file_name(self) -> str:
        return posixpath.basename(self.path)

    @property
    def inline_type(self) -> str | None:
        """The media type it is served as, inline; None: an opaque download. Whatever was
        uploaded must never run as a page on the mock's origin (its script could call the
        control plane), so only audio, video and images go out as themselves."""
        mime = self.mime.split(";")[0].strip().lower()
        if _MIME.match(mime) and mime.startswith(SAFE_MEDIA) and mime != "image/svg+xml":
            return mime
        return None

    def describe(self, base_url: str) -> dict[str, object]:
        """`data` of the upload answer."""
        moment = datetime.fromtimestamp(self.uploaded_at, tz=UTC)
        return {
            "fileName": self.file_name,
            "filePath": self.path,
            "downloadUrl": uploaded_url(base_url, self.path),
            "fileSize": len(self.data),
            "mimeType": self.mime,
            "uploadedAt": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }


def sniff_mime(data: bytes, file_name: str) -> str:
    """The file's type from its name, else from its first bytes."""
    guessed, _ = mimetypes.guess_type(file_name)
    if guessed:
        return guessed
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    return "application/octet-stream"


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\?#\ud800-\udfff]")
"""Replaced by `_` in stored names: control characters and NUL, a backslash, the URL's `?`
and `#`, and lone surrogates (a non-UTF-8 multipart header)."""


def _safe_name(name: str) -> str:
    return _UNSAFE.sub("_", name).strip()


def _clean_path(upload_path: str, file_name: str) -> str:
    """`uploadPath/fileName` as a plain relative path: unsafe characters replaced, the file
    name kept to one segment, and `.`/`..` segments refused (they would climb out)."""
    folder = _safe_name(upload_path).strip("/")
    if not folder:
        raise InvalidParameters("uploadPath: required, e.g. audio/uploads (no leading slash)")
    name = _safe_name(file_name).replace("/", "_")
    parts = [*folder.split("/"), name]
    if any(part.strip() in {"", ".", ".."} for part in parts):
        raise InvalidParameters(
            f"uploadPath/fileName: {folder}/{name} is not a plain relative path "
            "(no empty, '.' or '..' segments)"
        )
    return "/".join(parts)


class UploadStore:
    """Uploaded files by path, expiring after `retention` seconds of mock time, at most
    `max_bytes` in total (None: no limit)."""

    def __init__(self, retention: float, max_bytes: int | None = None) -> None:
        self.retention = retention
        self.max_bytes = max_bytes
        self._files: OrderedDict[str, StoredFile] = OrderedDict()
        """In upload order (an overwritten path moves to the end): oldest first."""
        self._bytes = 0
        self._count = 0

    def __len__(self) -> int:
        return len(self._files)

    @property
    def total_bytes(self) -> int:
        """Total size of the files held."""
        return self._bytes

    def put(
        self, upload_path: str, file_name: str | None, data: bytes, mime: str | None, now: float
    ) -> StoredFile:
        if self.max_bytes is not None and len(data) > self.max_bytes:
            raise InvalidParameters(
                f"file: {len(data)} bytes is more than the upload store holds ({self.max_bytes} "
                f"bytes, setting upload_store_bytes)"
            )
        self._count += 1
        if not file_name:
            extension = mimetypes.guess_extension(mime or sniff_mime(data, "")) or ".bin"
            file_name = f"upload-{self._count}{extension}"
        path = _clean_path(upload_path, file_name)
        stored = StoredFile(path, data, mime or sniff_mime(data, file_name), now)
        self._drop(path)
        self.sweep(now)
        if self.max_bytes is not None:
            while self._bytes + len(data) > self.max_bytes:
                self._drop(next(iter(self._files)))
        self._files[path] = stored
        self._bytes += len(data)
        return stored

    def get(self, path: str, now: float) -> StoredFile | None:
        self.sweep(now)
        return self._files.get(path)

    def sweep(self, now: float) -> None:
        """Forget the files older than the retention. Oldest first, so this costs what it
        removes: it runs on every upload and download."""
        while self._files:
            oldest = next(iter(self._files.values()))
            if now - oldest.uploaded_at <= self.retention:
                return
            self._drop(oldest.path)

    def _drop(self, path: str) -> None:
        gone = self._files.pop(path, None)
        if gone is not None:
            self._bytes -= len(gone.data)
