"""What a recording may hold: no credential, whatever its name or place.

A value is left out (a header) or blanked (a query parameter, a JSON key at any depth, a
query parameter or password inside a URL string) when its name matches a secret pattern,
in every place the proxy records: the client's headers, query and body, the upstream's
answer, the upstream's callback headers and body. A secret value seen in one of those places
is also scrubbed from everything written after it (an upstream that echoes the key in a
message, a multipart body), so a credential never reaches the disk under an innocent name.
"""

from __future__ import annotations

import fnmatch
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from yarl import URL

__all__ = ["BLANK", "KEPT_NAMES", "SECRET_PATTERNS", "Redactor", "normalised"]

SECRET_PATTERNS: tuple[str, ...] = (
    "authorization", "*auth*", "*cookie*", "*key*", "*token*", "*secret*", "*password*",
    "*passwd*", "*passphrase*", "*signature*", "*session*", "*credential*", "*private*",
    "*bearer*", "*jwt*", "*csrf*", "*xsrf*",
)  # fmt: skip
"""Names (after `normalised`) whose values never reach a recording; `*` is any run of
characters. `--redact NAME` adds more (exact names, or patterns with `*`)."""

KEPT_NAMES: frozenset[str] = frozenset({"soundkey", "keyboardurl", "author"})
"""Fields of the API that match a pattern but are never secrets (a musical key, a stem URL,
a video's author): blanking them would make a drift replay send a request the mock refuses."""

BLANK = "<redacted>"
_HOP = frozenset(
    {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "upgrade", "te"}
)
_SCRUB_MIN = 8
"""Secret values shorter than this are blanked where they stand but not searched for
elsewhere (a 3-letter value would mangle unrelated text)."""
_SCRUB_MAX = 4096
"""Longer values (a key file) are blanked where they stand only."""
_SCRUB_LIMIT = 256
_PIECES = re.compile(r"[\s;,]+")
_PAIR = re.compile(r"[\w.-]+=(.+)")
_BOUNDARY = re.compile(r"(?i)boundary=(\"[^\"]+\"|[^;\s]+)")
_FIELD_NAME = re.compile(rb'(?i)content-disposition:[^\r\n]*?\bname="([^"]*)"')


def normalised(name: str) -> str:
    """A name as patterns see it: lower case, without `-`, `_`, `.` and spaces."""
    return re.sub(r"[-_.\s]+", "", name.lower())


def _blank(item: Any) -> Any:
    """A blank of the same JSON type, so shapes still compare."""
    if isinstance(item, bool):
        return False
    if isinstance(item, int | float):
        return 0
    if isinstance(item, str):
        return BLANK
    return type(item)() if isinstance(item, list | dict) else None


def _replaced(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, BLANK)
        return value
    if isinstance(value, dict):
        return {_replaced(k, secrets): _replaced(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, secrets) for v in value]
    return value


class Redactor:
    """Decides which names are secret and remembers the secret values it has blanked."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        extra = tuple(extra)
        self.patterns = SECRET_PATTERNS + tuple(normalised(n) for n in extra)
        self._exact = frozenset(normalised(n) for n in extra)
        self._matcher = re.compile("|".join(fnmatch.translate(p) for p in self.patterns))
        self._seen: dict[str, None] = {}
        """Secret values met so far, scrubbed from text written later (bounded, newest kept)."""

    def secret(self, name: str) -> bool:
        key = normalised(name)
        if key in self._exact:
            return True
        return key not in KEPT_NAMES and self._matcher.match(key) is not None

    def _remember(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        pieces = [value]
        for piece in _PIECES.split(value):
            pieces.append(piece)
            if pair := _PAIR.fullmatch(piece):  # a cookie's name=value: the value
                pieces.append(pair.group(1))
        for piece in pieces:
            if _SCRUB_MIN <= len(piece) <= _SCRUB_MAX and piece not in self._seen:
                self._seen[piece] = None
                while len(self._seen) > _SCRUB_LIMIT:
                    del self._seen[next(iter(self._seen))]

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers safe to write down: secret ones and hop-by-hop ones left out."""
        kept: dict[str, str] = {}
        for name, value in headers.items():
            if self.secret(name):
                self._remember(value)
            elif name.lower() not in _HOP:
                kept[name] = value
        return kept

    def query(self, query: Mapping[str, str]) -> dict[str, str]:
        """Query parameters with secret ones blanked."""
        out: dict[str, str] = {}
        for name, value in query.items():
            if self.secret(name):
                self._remember(value)
                value = BLANK
            out[name] = value
        return out

    def json(self, value: Any) -> Any:
        """A JSON value with every secret key blanked at any depth, and URLs cleaned."""
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                if isinstance(key, str) and self.secret(key):
                    self._walk_secrets(item)
                    out[key] = _blank(item)
                else:
                    out[key] = self.json(item)
            return out
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self.url(value)
        return value

    def _walk_secrets(self, value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                self._walk_secrets(item)
        elif isinstance(value, list):
            for item in value:
                self._walk_secrets(item)
        else:
            self._remember(value)

    def url(self, text: str) -> str:
        """A URL with its password and secret query parameters blanked (a signed media URL,
        a callBackUrl carrying a token)."""
        try:
            url = URL(text)
        except ValueError:
            return text
        changed = url
        if url.password:
            self._remember(url.password)
            changed = changed.with_password(BLANK)
        if any(self.secret(name) for name in url.query):
            for name, value in url.query.items():
                if self.secret(name):
                    self._remember(value)
            cleaned = [(k, BLANK if self.secret(k) else v) for k, v in url.query.items()]
            changed = changed.with_query(cleaned)
        return text if changed is url else str(changed)

    def scrub(self, value: Any) -> Any:
        """A JSON value (or text) with every secret value met so far replaced by the blank,
        in keys and strings at any depth."""
        if not self._seen:
            return value
        return _replaced(value, sorted(self._seen, key=len, reverse=True))

    def form(self, raw: bytes, content_type: str) -> bytes:
        """A body that is not JSON, with the values of secret-named form fields blanked
        (`application/x-www-form-urlencoded`, `multipart/form-data`); other bodies as given."""
        kind, _, params = content_type.partition(";")
        kind = kind.strip().lower()
        if kind == "application/x-www-form-urlencoded":
            try:
                pairs = urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True)
            except (UnicodeDecodeError, ValueError):
                return raw
            return urllib.parse.urlencode(list(self.query(dict(pairs)).items())).encode()
        boundary = _BOUNDARY.search(params)
        if kind != "multipart/form-data" or boundary is None:
            return raw
        delimiter = b"--" + boundary.group(1).strip('"').encode("latin-1", "replace")
        parts = raw.split(delimiter)
        for i, part in enumerate(parts[1:], 1):
            head, gap, content = part.partition(b"\r\n\r\n")
            name = _FIELD_NAME.search(head)
            if gap and name and self.secret(name.group(1).decode("latin-1")):
                end = b"\r\n" if content.endswith(b"\r\n") else b""
                self._remember(content.removesuffix(end).decode("utf-8", "replace"))
                parts[i] = head + gap + BLANK.encode() + end
        return delimiter.join(parts)

    def scrub_bytes(self, data: bytes) -> bytes:
        for value in sorted(self._seen, key=len, reverse=True):
            raw = value.encode("utf-8", "surrogatepass")
            if raw in data:
                data = data.replace(raw, BLANK.encode())
        return data
