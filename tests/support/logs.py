"""Tests that configure logging put it back as they found it."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot import logs


@contextmanager
def logging_put_back() -> Iterator[None]:
    """The root logger's handlers and level, the quiet loggers and the pseudonym key, as they were."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in logs.QUIET_LOGGERS}
    key, handler = logs._key, logs._handler
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, quiet_level in quiet.items():
            logging.getLogger(name).setLevel(quiet_level)
        logs._key, logs._handler = key, handler
