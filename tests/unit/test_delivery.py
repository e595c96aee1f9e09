"""Delivery rules: what becomes of one message the outbox sends (on a real database, as the
running sender does it), quiet hours, language fallback, times."""
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from sqlalchemy import select

from bot.outbox.sender import OutboxSender
from bot.services.broadcasts import parse_moment
from bot.services.outbox import (
    InvalidBroadcast,
    check_texts,
    enqueue,
    in_quiet_hours,
    quiet_hours_end,
)
from domain import Notice, Priority
from storage.models import Delivery
from tests.support.delivery import ZONE, ScriptedTelegram, add_residents, make_sender, paced_bot

CHAT = 5_000_001


@pytest.fixture
def telegram() -> ScriptedTelegram:
    return ScriptedTelegram()


@pytest.fixture
async def one_message(uow_factory, clock) -> None:
    """One non-urgent broadcast in Finnish and Swedish to one Finnish-speaking resident. Their
    quiet hours are off: these tests are about sending, whatever the hour of the tests' clock."""
    [resident] = await add_residents(uow_factory, 1, CHAT, quiet_from=0, quiet_until=0)
    async with uow_factory() as uow:
        await enqueue(uow, [resident], Notice({"fi": "Hei", "sv": "Hej"}), kind="broadcast",
                      now=clock.now(), priority=Priority.BULK)
        await uow.commit()


@pytest.fixture
def sender(uow_factory, clock, telegram) -> OutboxSender:
    return make_sender(paced_bot(telegram, clock), uow_factory, clock)


async def deliver(sender: OutboxSender) -> Delivery:
    """One round of the sender, as the running one makes it; the message's outbox row after it."""
    await sender.deliver_due()
    return await row(sender.uow_factory)


async def row(uow_factory) -> Delivery:
    async with uow_factory() as uow:
        delivery = await uow.session.scalar(select(Delivery))
        assert delivery is not None
        return delivery


async def test_a_delivered_message_is_recorded_as_sent_with_its_message_id(
    telegram, sender, one_message
):
    result = await deliver(sender)
    assert (result.status, result.message_id) == ("sent", 1)
    assert telegram.sent[0].text == "Hei" and not telegram.sent[0].paid


async def test_paid_mode_sets_allow_paid_broadcast(uow_factory, clock, telegram, one_message):
    await deliver(make_sender(paced_bot(telegram, clock, paid=True), uow_factory, clock, paid=True))
    assert telegram.sent[0].paid


async def test_403_marks_the_resident_blocked_and_is_not_retried(
    clock, telegram, sender, one_message
):
    telegram.blocked.add(CHAT)
    result = await deliver(sender)
    assert result.status == "blocked" and clock.sleeps == []


async def test_chat_not_found_is_final(clock, telegram, sender, one_message):
    telegram.missing.add(CHAT)
    result = await deliver(sender)
    assert (result.status, result.error) == ("failed", "Bad Request: chat not found")
    assert clock.sleeps == []


async def test_a_429_is_honoured_by_the_middleware_then_the_message_goes(
    clock, telegram, sender, one_message
):
    def too_many(method):
        return TelegramRetryAfter(method, "Too Many Requests: retry after 9", 9)

    telegram.failures[CHAT] = [too_many]
    result = await deliver(sender)
    assert result.status == "sent" and clock.monotonic() >= 9


async def test_server_errors_back_off_in_the_middleware_then_the_row_waits_for_another_round(
    clock, telegram, sender, one_message
):
    def server_error(method):
        return TelegramServerError(method, "Bad Gateway")

    telegram.failures[CHAT] = [server_error] * 10  # the middleware's five tries, in two rounds
    first = await deliver(sender)
    assert first.status == "pending"
    assert first.not_before == clock.now() + timedelta(seconds=30)
    clock.advance(30)
    before = len(clock.sleeps)
    result = await deliver(sender)
    assert clock.sleeps[before:][:4] == [0.5, 1.0, 2.0, 4.0]
    assert result.status == "pending"
    # 30 s, doubled for each earlier round
    assert result.not_before == clock.now() + timedelta(seconds=60)


async def test_after_the_last_round_a_network_error_is_final(
    clock, telegram, sender, one_message
):
    def network_error(method):
        return TelegramNetworkError(method, "connection reset")

    telegram.failures[CHAT] = [network_error] * 25  # the middleware's five tries, in five rounds
    for _ in range(4):
        waiting = await deliver(sender)
        assert waiting.status == "pending"
        clock.advance((waiting.not_before - clock.now()).total_seconds())
    result = await deliver(sender)
    assert (result.status, result.error) == ("failed", "TelegramNetworkError")


@pytest.mark.parametrize(("start", "end", "hour", "quiet"), [
    (21, 8, 22, True), (21, 8, 7, True), (21, 8, 8, False), (21, 8, 12, False),
    (1, 6, 3, True), (1, 6, 6, False), (0, 0, 3, False),
])
def test_quiet_hours_may_run_over_midnight(start, end, hour, quiet):
    assert in_quiet_hours(start, end, hour) is quiet


def test_quiet_hours_end_at_the_residents_morning_in_the_city_time_zone():
    late = datetime(2026, 6, 15, 20, 30, tzinfo=UTC)  # 23:30 in Helsinki (UTC+3)
    assert quiet_hours_end(late, ZONE, 21, 8) == datetime(2026, 6, 16, 5, 0, tzinfo=UTC)
    assert quiet_hours_end(datetime(2026, 6, 15, 9, tzinfo=UTC), ZONE, 21, 8) is None


def test_the_fallback_note_is_in_the_residents_language():
    from tests.support.delivery import I18N
    from bot.outbox.render import Renderer

    renderer = Renderer(lambda msgid, locale: I18N.gettext(msgid, locale=locale), "fi")
    assert renderer.compose({"fi": "Hei"}, {}, "fi") == ("Hei", None)
    english, _ = renderer.compose({"fi": "Hei", "sv": "Hej"}, {}, "en")
    assert english == "<i>ℹ️ This message is not available in English, so here it is in Finnish.</i>\n\nHei"
    swedish, _ = renderer.compose({"sv": "Hej", "en": "Hello"}, {}, "fi")
    assert swedish.endswith("Hej")  # fi -> sv before en


def test_texts_need_one_language_and_fit_telegram():
    assert check_texts({"fi": "Hei", "sv": "  ", "de": "Hallo"}, None) == {"fi": "Hei"}
    with pytest.raises(InvalidBroadcast):
        check_texts({"sv": " "}, None)
    with pytest.raises(InvalidBroadcast):
        check_texts({"fi": "x" * 1000}, ("photo", "AgAC"))


@pytest.mark.parametrize(("written", "expected"), [
    ("2026-12-01 09:00", datetime(2026, 12, 1, 7, 0, tzinfo=UTC)),
    ("1.12.2026 9:00", datetime(2026, 12, 1, 7, 0, tzinfo=UTC)),
    ("1.12. 9:00", datetime(2026, 12, 1, 7, 0, tzinfo=UTC)),
    ("9:00", datetime(2026, 11, 24, 7, 0, tzinfo=UTC)),
    ("17:30", datetime(2026, 11, 23, 15, 30, tzinfo=UTC)),
])
def test_staff_write_times_in_local_time(written, expected):
    assert parse_moment(written, datetime(2026, 11, 23, 14, 0, tzinfo=UTC), ZONE) == expected


@pytest.mark.parametrize("written", ["tomorrow", "2025-01-01 10:00", "25:00"])
def test_unreadable_or_past_times_are_refused(written):
    with pytest.raises(ValueError):
        parse_moment(written, datetime(2026, 11, 23, 14, 0, tzinfo=UTC), ZONE)
