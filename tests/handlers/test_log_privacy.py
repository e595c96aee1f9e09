"""The log of real updates carries no message text, no names and no Telegram ids, as text and as JSON.

The updates go through the whole dispatcher (BotHarness) with the log at DEBUG, so whatever any
logger writes at any level the operator can choose is read back.
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from bot import logs
from tests.support import updates
from tests.support.harness import BotHarness
from tests.support.logs import logging_put_back
from tests.support.proposals import approve, latest_proposal, make_moderator, propose
from tests.support.updates import Person

ZENOBIA = Person(7350291846, "Zenobia", "fi")
MODERATOR = Person(7350291977, "Quillon", "en")
SURNAME, USERNAME = "Pomegranatova", "zenobia_q_pomegranate"
TITLE = "Kumquat lantern pavilion by the harbour"
DESCRIPTION = "Marzipan benches beside the kumquat lanterns, for the evening concerts."
CHAT_TEXT = "Xylophone mirage in the rhubarb square"
FORGED = "zz:forged-Tamarind-9931"


@pytest.fixture(params=["text", "json"])
def log_format(request) -> str:
    return request.param


@pytest.fixture
def captured_log(log_format: str) -> Iterator[io.StringIO]:
    """Every log line at DEBUG in the format under test; the logging set-up is put back afterwards."""
    stream = io.StringIO()
    with logging_put_back():
        logs.configure("DEBUG", log_format, stream)
        yield stream


def with_full_name(update: dict) -> dict:
    """Telegram sends the surname and username too: neither may reach the log."""
    for body in update.values():
        if isinstance(body, dict) and "from" in body:
            body["from"] |= {"last_name": SURNAME, "username": USERNAME}
    return update


async def test_a_residents_updates_leave_no_text_name_or_id_in_the_log(harness: BotHarness, app, city,
                                                                      log_format, captured_log):
    await make_moderator(app, MODERATOR, "en")
    await harness.feed(with_full_name(updates.message(ZENOBIA, "/start")))
    await harness.feed(with_full_name(updates.message(ZENOBIA, CHAT_TEXT)))
    await propose(harness, ZENOBIA, TITLE, DESCRIPTION)
    await harness.deliver()  # the moderator's card
    await approve(harness, MODERATOR, (await latest_proposal(app)).id)
    await harness.deliver()  # the author hears of it
    await harness.feed(with_full_name(updates.callback(ZENOBIA, FORGED)))
    await harness.feed(with_full_name(updates.callback(ZENOBIA, f"md:ok:{(await latest_proposal(app)).id}:0:")))
    await harness.feed(with_full_name(updates.message(ZENOBIA, "/mine")))
    await harness.feed(with_full_name(updates.message(ZENOBIA, "/p99999999999999999999999")))

    log = captured_log.getvalue()
    assert "staff action refused" in log  # the capture works: the refused staff button is there
    for secret in (ZENOBIA.first_name, SURNAME, USERNAME, MODERATOR.first_name, TITLE, DESCRIPTION,
                   CHAT_TEXT, "Kumquat", "Marzipan", "Tamarind", str(ZENOBIA.id), str(MODERATOR.id)):
        assert secret not in log
    if log_format == "json":
        assert all(json.loads(line)["message"] for line in log.splitlines())
