"""The File Upload API (base64, multipart stream, URL): its rules and the store of files it
keeps for `upload_retention`."""

from __future__ import annotations

import base64
import logging
import re

from mock_server.core.clock import Clock
from mock_server.core.errors import InvalidParameters
from mock_server.core.settings import Settings
from mock_server.families.family import Backend, BackendKey, Parts
from mock_server.families.uploads.store import StoredFile, UploadStore
from mock_server.families.uploads.wire import Base64Upload, UrlUpload, missing_parameter
from mock_server.media.sources import SourceFetcher

__all__ = ["UPLOADS", "Uploads"]

log = logging.getLogger(__name__)

_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[\w=-]+)*;base64,", re.ASCII)


class Uploads(Backend):
    """Uploaded files of one server (bounded by bytes; expired ones swept on use)."""

    def __init__(self, settings: Settings, clock: Clock, sources: SourceFetcher) -> None:
        self.settings, self.clock, self.sources = settings, clock, sources
        self.store = UploadStore(settings.upload_retention, settings.upload_store_bytes)

    def check_size(self, size: int) -> None:
        """The 400 for a file over `max_upload_bytes` (also while a stream is still read)."""
        limit = self.settings.max_upload_bytes
        if size > limit:
            raise InvalidParameters(
                f"file: {size} bytes is larger than {limit} bytes (setting max_upload_bytes)"
            )

    def _put(self, path: str, name: str | None, data: bytes, mime: str | None) -> StoredFile:
        self.check_size(len(data))
        return self.store.put(path, name, data, mime, self.clock.now())

    def from_base64(self, body: Base64Upload) -> StoredFile:
        """Bare base64 or a data: URI (whose type is kept)."""
        text, mime = (body.base64Data or "").strip(), None
        if match := _DATA_URI.match(text):
            mime, text = match.group("mime"), text[match.end() :]
        try:
            data = base64.b64decode(text, validate=True)
        except ValueError as err:  # binascii.Error, or a non-ASCII character
            # The page's own wording; what was wrong goes to the log, not into `msg`.
            log.info("base64 upload refused: %s", err)
            raise InvalidParameters("Base64 decoding failed: Invalid Base64 format") from err
        return self._put(body.uploadPath or "", body.fileName, data, mime)

    def from_form(
        self, fields: dict[str, str], data: bytes | None, mime: str | None, file_name: str | None
    ) -> StoredFile:
        """A multipart upload's fields (`uploadPath`, `fileName`) and its file part."""
        if data is None:
            raise InvalidParameters("Missing required parameter: file")
        missing_parameter(uploadPath=fields.get("uploadPath"))
        return self._put(fields["uploadPath"], fields.get("fileName") or file_name, data, mime)

    async def from_url(self, body: UrlUpload) -> StoredFile:
        """Download `fileUrl` (loopback or allowed hosts only) and keep it."""
        url = body.fileUrl or ""
        refused = self.sources.refusal(url)
        if refused is not None:
            raise InvalidParameters(f"fileUrl: not downloaded: {refused}")
        data, problem = await self.sources.download(url)
        if data is None:
            raise InvalidParameters(f"fileUrl: could not download: {problem}")
        name = body.fileName or url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or None
        return self._put(body.uploadPath or "", name, data, None)

    def sweep(self) -> None:
        """Forget expired files."""
        self.store.sweep(self.clock.now())


def counters(uploads: Uploads) -> dict[str, int | float]:
    """The uploads' numbers in the control plane's health (expired files swept first)."""
    uploads.sweep()
    return {"uploads": len(uploads.store), "uploadBytes": uploads.store.total_bytes}


def build(parts: Parts) -> Uploads:
    """The uploads backend, with nothing in it."""
    return Uploads(parts.settings, parts.clock, parts.sources)


UPLOADS = BackendKey("uploads", Uploads)
"""How the uploads handlers reach this backend."""
