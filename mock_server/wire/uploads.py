"""The File Upload API's JSON bodies (the multipart one is read by its handler)."""

from __future__ import annotations

from pydantic import StrictStr

from mock_server.wire.common import HttpUrl, WireBody

__all__ = ["Base64Upload", "UrlUpload"]


class Base64Upload(WireBody):
    """POST /api/file-base64-upload (§7.6)."""

    base64Data: StrictStr
    uploadPath: StrictStr
    fileName: StrictStr | None = None


class UrlUpload(WireBody):
    """POST /api/file-url-upload (§7.6): the service downloads `fileUrl`."""

    fileUrl: HttpUrl
    uploadPath: StrictStr
    fileName: StrictStr | None = None
