"""Delivery rules without a database: outcomes of a send, quiet hours, language fallback, times."""
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

from bot.services.broadcasts import parse_moment
from bot.services.outbox import InvalidBroadcast, check_texts, in_quiet_hours, quiet_hours_end
from storage.models import Broadcast
from storage.repositories.outbox import Claim
from tests.support.clock import FakeClock
from tests.support.delivery import ZONE, ScriptedTelegram, make_sender, paced_bot

CHAT = 5_000_001


def claim(attempts: int = 0, locale: str = "fi") -> Claim:
    return Claim(delivery_id=1, broadcast_id=1, resident_id=1, attempts=attempts, chat_id=CHAT,
                 locale=locale, quiet_from=21, quiet_until=8)


BROADCAST = Broadcast(id=1, texts={"fi": "Hei", "sv": "Hej"}, urgent=False)


async def outcome(telegram: ScriptedTelegram, attempts: int = 0, paid: bool = False):
    clock = FakeClock()
    sender = make_sender(paced_bot(telegram, clock, paid=paid), None, clock, paid=paid)  # type: ignore[arg-type]
    return await sender._send(claim(attempts), BROADCAST), clock


async def test_a_delivered_message_is_recorded_as_sent_with_its_message_id():
    telegram = ScriptedTelegram()
    result, _ = await outcome(telegram)
    assert (result.status, result.message_id) == ("sent", 1)
    assert telegram.sent[0].text == "Hei" and not telegram.sent[0].paid


async def test_paid_mode_sets_allow_paid_broadcast():
    telegram = ScriptedTelegram()
    await outcome(telegram, paid=True)
    assert telegram.sent[0].paid


async def test_403_marks_the_resident_blocked_and_is_not_retried():
    telegram = ScriptedTelegram(blocked={CHAT})
    result, clock = await outcome(telegram)
    assert result.status == "blocked" and clock.sleeps == []


async def test_chat_not_found_is_final():
    result, clock = await outcome(ScriptedTelegram(missing={CHAT}))
    assert (result.status, result.error) == ("failed", "Bad Request: chat not found")
    assert clock.sleeps == []


async def test_a_429_is_honoured_by_the_middleware_then_the_message_goes():
    def too_many(method):
        return TelegramRetryAfter(method, "Too Many Requests: retry after 9", 9)

    telegram = ScriptedTelegram(failures={CHAT: [too_many]})
    result, clock = await outcome(telegram)
    assert result.status == "sent" and clock.monotonic() >= 9


async def test_server_errors_back_off_in_the_middleware_then_the_row_waits_for_another_round():
    def server_error(method):
        return TelegramServerError(method, "Bad Gateway")

    telegram = ScriptedTelegram(failures={CHAT: [server_error] * 5})
    result, clock = await outcome(telegram, attempts=1)
    assert clock.sleeps[:4] == [0.5, 1.0, 2.0, 4.0]
    assert result.status == "pending"
    assert result.not_before == clock.now() + timedelta(seconds=60)  # 30 s doubled per earlier round


async def test_after_the_last_round_a_network_error_is_final():
    def network_error(method):
        return TelegramNetworkError(method, "connection reset")

    telegram = ScriptedTelegram(failures={CHAT: [network_error] * 5})
    result, _ = await outcome(telegram, attempts=4)
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
