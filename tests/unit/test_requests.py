"""The one place Bot API calls are paced and retried."""
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import AnswerCallbackQuery, SendMessage

from bot.ratelimit import RateLimiter
from bot.telegram.requests import PacedRetryMiddleware
from tests.support.clock import FakeClock

BOT = Bot("42:TEST-token")


class Script:
    """A make_request that fails as scripted, then succeeds."""

    def __init__(self, *failures):
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self, bot, method):
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)(method)
        return "ok"


def retry_after(seconds):
    return lambda method: TelegramRetryAfter(method, f"Too Many Requests: retry after {seconds}", seconds)


def server_error(method):
    return TelegramServerError(method, "Internal Server Error")


def network_error(method):
    return TelegramNetworkError(method, "connection reset")


def middleware(clock, attempts=5):
    return PacedRetryMiddleware(RateLimiter(clock), clock, attempts=attempts)


async def test_429_waits_retry_after_and_the_reply_still_goes():
    clock = FakeClock()
    script = Script(retry_after(5))
    result = await middleware(clock)(script, BOT, SendMessage(chat_id=1, text="Kiitos!"))
    assert (result, script.calls, clock.monotonic()) == ("ok", 2, 5)


async def test_a_429_holds_back_sends_to_its_chat_only_and_never_other_methods():
    clock = FakeClock()
    paced = middleware(clock)
    paced.limiter.too_many_requests(1, 4)  # as a 429 for chat 1 does
    await paced(Script(), BOT, AnswerCallbackQuery(callback_query_id="1"))
    await paced(Script(), BOT, SendMessage(chat_id=2, text="b"))
    assert clock.monotonic() == 0
    await paced(Script(), BOT, SendMessage(chat_id=1, text="a"))
    assert clock.monotonic() == 4


async def test_a_429_on_another_method_is_waited_out_by_that_call_alone():
    clock = FakeClock()
    paced = middleware(clock)
    script = Script(retry_after(2))
    assert await paced(script, BOT, AnswerCallbackQuery(callback_query_id="1")) == "ok"
    assert (script.calls, clock.monotonic()) == (2, 2)
    await paced(Script(), BOT, SendMessage(chat_id=1, text="a"))
    assert clock.monotonic() == 2  # sends were never held back


async def test_server_and_network_errors_back_off_exponentially():
    clock = FakeClock()
    script = Script(server_error, network_error, server_error)
    assert await middleware(clock)(script, BOT, SendMessage(chat_id=1, text="x")) == "ok"
    assert clock.sleeps == [0.5, 1.0, 2.0]


async def test_gives_up_after_the_attempts_and_raises():
    clock = FakeClock()
    script = Script(*[server_error] * 3)
    with pytest.raises(TelegramServerError):
        await middleware(clock, attempts=3)(script, BOT, SendMessage(chat_id=1, text="x"))
    assert script.calls == 3


async def test_forbidden_is_not_retried():
    clock = FakeClock()
    script = Script(lambda method: TelegramForbiddenError(method, "Forbidden: bot was blocked by the user"))
    with pytest.raises(TelegramForbiddenError):
        await middleware(clock)(script, BOT, SendMessage(chat_id=1, text="x"))
    assert script.calls == 1


async def test_messages_to_one_chat_are_paced():
    clock = FakeClock()
    paced = middleware(clock)
    for _ in range(5):
        await paced(Script(), BOT, SendMessage(chat_id=7, text="x"))
    assert clock.monotonic() == 2.0  # burst of 3, then one a second
