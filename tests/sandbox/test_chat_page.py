"""The chat page in Debian's Chromium: pick a persona, /start a tiny bot, tap, see the edit."""

import asyncio
import os

import pytest
import pytest_asyncio
from aiogram import Dispatcher, F
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


@pytest_asyncio.fixture
async def echo_bot(bot):
    """Answers /start with an inline button and the tap with a toast plus an edit."""
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        button = InlineKeyboardButton(text="Osallistu", callback_data="join")
        await message.answer(
            f"Hei {message.from_user.first_name}! Tervetuloa <b>Foorumiin</b>.",
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
        )

    @dp.callback_query(F.data == "join")
    async def join(query: CallbackQuery) -> None:
        await query.answer("Kiitos!")
        await query.message.edit_text("Olet mukana ✅ <i>Mikkelin tori</i>", parse_mode="HTML")

    await bot.set_my_commands(
        [
            BotCommand(command="start", description="Aloita"),
            BotCommand(command="apua", description="Ohjeet"),
        ],
        language_code="fi",
    )
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    yield
    await dp.stop_polling()
    await polling


@pytest_asyncio.fixture
async def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing; install it with `apt-get install -y chromium`"
        print(reason)
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def test_chat_with_the_bot_in_the_browser(sandbox, echo_bot, browser, people, tmp_path):
    from playwright.async_api import expect

    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{sandbox.url}/")
    await expect(page.get_by_role("note")).to_contain_text("not Telegram")

    await page.get_by_label("Choose which user you are").select_option(str(people.aino))
    await expect(page.get_by_role("heading", name="What can this bot do?")).to_be_visible()
    await expect(page.get_by_role("button", name="Menu")).to_be_visible()
    await page.get_by_role("button", name="Start").click()

    log = page.get_by_role("log", name="Conversation")
    await expect(log).to_contain_text("Hei Aino! Tervetuloa Foorumiin.")
    await expect(log.locator("strong")).to_have_text("Foorumiin")
    await page.screenshot(path=str(tmp_path / "reply.png"))
    await page.get_by_role("button", name="Osallistu").click()
    await expect(page.get_by_role("status")).to_have_text("Kiitos!")
    await expect(log).to_contain_text("Olet mukana ✅ Mikkelin tori")
    await expect(page.get_by_role("button", name="Osallistu")).to_have_count(
        0
    )  # the edit removed it

    await page.get_by_label("Message text").fill("Kiitos paljon")
    await page.get_by_label("Message text").press("Enter")
    await expect(log.locator(".out")).to_have_count(2)
    await page.screenshot(path=str(tmp_path / "chat_page.png"))
    print(f"screenshot: {tmp_path / 'chat_page.png'}")

    await page.get_by_label("Choose which user you are").select_option(str(people.grace))
    await page.get_by_label("Choose a chat").select_option(str(people.staff_group))
    await expect(page.get_by_role("heading", name="Foorumi staff")).to_be_visible()
    await page.close()
