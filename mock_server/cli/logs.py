"""Log lines on stderr for the long-running commands (`serve`, `proxy`): readable text or JSON."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

__all__ = ["LOG_FIELDS", "JsonFormatter", "TextFormatter", "configure_logging"]

LOG_FIELDS = (
    "event", "method", "path", "status", "code", "api_msg", "task_id", "callback_type",
    "attempt", "outcome", "latency_ms", "error", "url",
)  # fmt: skip


class TextFormatter(logging.Formatter):
    """One readable line per event; coloured when the stream is a terminal."""

    def __init__(self, colour: bool) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        text = f"{stamp} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        if not self.colour:
            return text
        outcome = getattr(record, "outcome", None)
        code = getattr(record, "code", None)
        if record.levelno >= logging.WARNING or outcome in ("failed", "blocked"):
            shade = "31" if record.levelno >= logging.WARNING else "33"
        elif outcome == "delivered" or code == 200:
            shade = "32"
        elif code is not None:
            shade = "31"
        else:
            shade = "2"
        return f"\033[{shade}m{text}\033[0m"


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the event's fields (for machines)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data |= {name: getattr(record, name) for name in LOG_FIELDS if hasattr(record, name)}
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(colour))
    logging.basicConfig(level=level, handlers=[handler], force=True)
