"""The File Upload API (a separate host for the real service; docs/api.md, "File uploads and
signed callbacks"): base64, multipart and URL uploads, and the files kept."""

from __future__ import annotations

from typing import Any

from mock_server.families.family import Endpoint, Family
from mock_server.families.uploads import handlers
from mock_server.families.uploads.backend import UPLOADS, build, counters
from mock_server.families.uploads.wire import Base64Upload, UrlUpload

__all__ = ["FAMILY"]

UPLOAD_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["file", "uploadPath"],
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "uploadPath": {"type": "string"},
        "fileName": {"type": "string"},
    },
}

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/api/file-base64-upload", handlers.base64_upload, "Upload a file (base64)",
             Base64Upload, {"base64Data": "data:audio/mpeg;base64,SUQz",
             "uploadPath": "audio/uploads", "fileName": "hum.mp3"}, tag="upload"),
    Endpoint("POST", "/api/file-stream-upload", handlers.stream_upload,
             "Upload a file (multipart)", form=UPLOAD_FORM, tag="upload"),
    Endpoint("POST", "/api/file-url-upload", handlers.url_upload, "Upload a file from a URL",
             UrlUpload, {"fileUrl": "https://files.example/hum.mp3",
             "uploadPath": "audio/uploads"}, tag="upload"),
)  # fmt: skip


FAMILY = Family("uploads", ENDPOINTS, backend=UPLOADS, build=build, counters=counters)
