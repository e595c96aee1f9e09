"""LOG_FORMAT: text or one JSON object per line; the pseudonym key comes from the configuration."""
from __future__ import annotations

import io
import json
import logging
import warnings
from collections.abc import Iterator

import pytest

from bot import logs
from bot.config import load_settings
from foorumi.cli import configure_logging
from tests.support.logs import logging_put_back


@pytest.fixture
def restored_logging() -> Iterator[None]:
    with logging_put_back():
        yield


def test_json_lines_carry_time_level_logger_message_and_the_exception(restored_logging):
    stream = io.StringIO()
    logs.configure("info", "json", stream)
    log = logging.getLogger("foorumi.test")
    log.info("update %s handled", 17)
    try:
        raise LookupError("the reason")
    except LookupError:
        log.exception("update %s failed", 18)
    log.debug("below the level")

    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert first.keys() == {"time", "level", "logger", "message"}
    assert (first["level"], first["logger"], first["message"]) == ("INFO", "foorumi.test", "update 17 handled")
    assert first["time"].endswith("Z") and first["time"][10] == "T"  # ISO 8601, UTC
    assert second["exception"] == "LookupError"
    assert second["traceback"].startswith("Traceback") and second["traceback"].endswith("LookupError: the reason")


def test_text_lines_by_default_and_configuring_again_replaces_the_handler(restored_logging):
    first, second = io.StringIO(), io.StringIO()
    defaults = load_settings(_env_file=None)
    logs.configure("INFO", "json", first)
    logs.configure(defaults.log_level, defaults.log_format, second)
    logging.getLogger("foorumi.test").warning("only once, as text")
    assert first.getvalue() == ""
    assert second.getvalue().rstrip().endswith(" WARNING foorumi.test: only once, as text")


def test_loggers_that_would_echo_sql_parameters_or_every_update_stay_quiet(restored_logging):
    logs.configure("DEBUG", "text", io.StringIO())
    for name in ("sqlalchemy.engine.Engine", "aiosqlite", "aiogram.event", "apscheduler.executors.default"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING


def test_residents_pseudonyms_are_keyed_by_the_bot_token(restored_logging):
    configure_logging(load_settings(_env_file=None, bot_token="42:first-token"))
    first = logs.pseudonym(710000001)
    assert first == logs.pseudonym(710000001) and "710000001" not in first
    configure_logging(load_settings(_env_file=None, bot_token="42:second-token"))
    assert logs.pseudonym(710000001) != first


def test_an_update_of_an_unknown_kind_leaves_nothing_of_its_content(restored_logging):
    """aiogram's warning about it quotes the whole update; the bot's logging silences it."""
    with warnings.catch_warnings(record=True) as shown:
        logs.configure("info", "text", io.StringIO())
        warnings.warn('Detected unknown update type.\nUpdate: {"text": "Tamarind"}', RuntimeWarning)
    assert shown == []
