"""The File Upload API's JSON bodies (the multipart one is read by its handler). Its page
words a missing field "Missing required parameter: <name>"."""

from __future__ import annotations

from typing import ClassVar

from pydantic import StrictStr, model_validator

from mock_server.core.errors import InvalidParameters
from mock_server.core.wire import HttpUrl, WireBody

__all__ = ["Base64Upload", "UrlUpload", "missing_parameter"]


def missing_parameter(**fields: str | None) -> None:
    """The File Upload API's 400 for the first field not sent (or blank)."""
    for name, value in fields.items():
        if value is None or not value.strip():
            raise InvalidParameters(f"Missing required parameter: {name}")


class Base64Upload(WireBody):
    """POST /api/file-base64-upload (§7.6)."""

    documented_required: ClassVar[tuple[str, ...]] = ("base64Data", "uploadPath")

    base64Data: StrictStr | None = None
    uploadPath: StrictStr | None = None
    fileName: StrictStr | None = None

    @model_validator(mode="after")
    def _rules(self) -> Base64Upload:
        missing_parameter(base64Data=self.base64Data, uploadPath=self.uploadPath)
        return self


class UrlUpload(WireBody):
    """POST /api/file-url-upload (§7.6): the service downloads `fileUrl`."""

    documented_required: ClassVar[tuple[str, ...]] = ("fileUrl", "uploadPath")

    fileUrl: HttpUrl | None = None
    uploadPath: StrictStr | None = None
    fileName: StrictStr | None = None

    @model_validator(mode="after")
    def _rules(self) -> UrlUpload:
        missing_parameter(fileUrl=self.fileUrl, uploadPath=self.uploadPath)
        return self
