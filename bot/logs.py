"""Log lines name residents only by a keyed pseudonym, never by their Telegram id; LOG_FORMAT=json
writes one JSON object per line for a log collector."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
import warnings
from datetime import datetime, timezone
from typing import TextIO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that report every update or job run at INFO, or every SQL statement with its parameters
# (what residents wrote: SQLAlchemy at INFO, aiosqlite at DEBUG).
QUIET_LOGGERS = ("aiogram.event", "apscheduler.executors.default", "sqlalchemy.engine", "aiosqlite")

_key = b"foorumi log pseudonyms"
_handler: logging.Handler | None = None


def use_key(key: bytes) -> None:
    """Set at start from the configuration, so the log alone cannot be matched back to ids."""
    global _key
    _key = key


def key_from_token(token: str) -> bytes:
    """A pseudonym key only the holder of the bot token can recompute (as the survey key is made)."""
    return hmac.new(token.encode(), b"foorumi log pseudonyms", hashlib.sha256).digest()


def pseudonym(resident_id: int) -> str:
    """A short stable tag for one resident in the log (the same in every process with the same key)."""
    return "r-" + hmac.new(_key, str(resident_id).encode(), hashlib.sha256).hexdigest()[:12]


class JsonFormatter(logging.Formatter):
    """One object per line: time (ISO 8601, UTC), level, logger, message; exception type and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, log_format: str, stream: TextIO | None = None) -> None:
    """Every log line to `stream` (standard error) at `level`, as text or JSON lines; calling it
    again replaces the handler it installed (and leaves others, such as a test's, alone)."""
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = logging.StreamHandler(stream or sys.stderr)
    _handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(_handler)
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # aiogram warns of an update kind it does not know with the whole update in the text.
    warnings.filterwarnings("ignore", message="Detected unknown update type", category=RuntimeWarning)
