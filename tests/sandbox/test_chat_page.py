"""The chat page in Debian's Chromium: pick a persona, /start a tiny bot, tap, see the edit."""

import asyncio
import os
import re

import pytest
import pytest_asyncio
from aiogram import Dispatcher, F
from aiogram.filters import Command, CommandObject, CommandStart
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
    """Answers /start with an inline button, the tap with a toast and an edit, /apua with /p12."""
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

    @dp.message(Command("apua"))
    async def help_(message: Message) -> None:
        await message.answer(
            "<b>Ohjeet</b> – avaa ehdotus: /p12 (tai /p5), ei kuitenkaan https://mikkeli.fi/p7",
            parse_mode="HTML",
        )

    @dp.message(Command(re.compile(r"p(\d+)")))
    async def proposal(message: Message, command: CommandObject) -> None:
        await message.answer(f"Ehdotus {command.regexp_match.group(1)}")

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
    await page.goto(f"{sandbox.url}/?user={people.aino}")
    await expect(page.get_by_role("note")).to_contain_text("ei Telegram")

    await expect(page.get_by_role("heading", name="Mitä tämä botti osaa?")).to_be_visible()
    await expect(page.get_by_role("button", name="Valikko")).to_be_visible()
    await page.get_by_role("button", name="Aloita").click()

    log = page.get_by_role("log", name="Viestit")
    await expect(log).to_contain_text("Hei Aino! Tervetuloa Foorumiin.")
    await expect(log.locator("strong")).to_have_text("Foorumiin")
    await page.screenshot(path=str(tmp_path / "reply.png"))
    await page.get_by_role("button", name="Osallistu").click()
    await expect(page.get_by_role("status")).to_have_text("Kiitos!")
    await expect(log).to_contain_text("Olet mukana ✅ Mikkelin tori")
    await expect(page.get_by_role("button", name="Osallistu")).to_have_count(
        0
    )  # the edit removed it

    await page.get_by_label("Viestin teksti").fill("Kiitos paljon")
    await page.get_by_label("Viestin teksti").press("Enter")
    await expect(log.locator(".out")).to_have_count(2)
    await page.screenshot(path=str(tmp_path / "chat_page.png"))
    print(f"screenshot: {tmp_path / 'chat_page.png'}")

    await page.get_by_label("Valitse, kuka käyttäjistä olet").select_option(str(people.grace))
    await page.get_by_label("Choose a chat").select_option(str(people.staff_group))
    await expect(page.get_by_role("heading", name="Foorumi staff")).to_be_visible()
    await page.close()


async def test_commands_in_bot_text_are_buttons(sandbox, echo_bot, browser, people):
    from playwright.async_api import expect

    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{sandbox.url}/?user={people.grace}")
    await page.get_by_label("Message text").fill("/apua")
    await page.get_by_label("Message text").press("Enter")

    answer = page.locator(".bubble-row.in").filter(has_text="Ohjeet")
    await expect(answer.locator("strong")).to_have_text("Ohjeet")
    await expect(answer.locator("button.command")).to_have_text(["/p12", "/p5"])
    await expect(answer.get_by_role("link", name="https://mikkeli.fi/p7")).to_be_visible()

    await answer.get_by_role("button", name="/p12").click()
    log = page.get_by_role("log", name="Conversation")
    await expect(log.locator(".out").last).to_contain_text("/p12")
    await expect(log).to_contain_text("Ehdotus 12")
    await page.close()


async def test_page_speaks_the_personas_language(sandbox, browser, people):
    from playwright.async_api import expect

    page = await browser.new_page(viewport={"width": 390, "height": 844})
    html = page.locator("html")
    await page.goto(f"{sandbox.url}/?user={people.aino}")
    await expect(html).to_have_attribute("lang", "fi")
    await expect(page).to_have_title("Foorumi – testiympäristön keskustelu")
    await expect(page.get_by_role("heading", name="Mitä tämä botti osaa?")).to_be_visible()
    await expect(page.get_by_role("button", name="Aloita", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Lähetä", exact=True)).to_be_visible()
    await expect(page.get_by_label("Viestin teksti")).to_have_attribute("placeholder", "Viesti")
    await expect(page.get_by_label("Valitse keskustelu")).to_contain_text("Foorumi · yksityinen")

    await page.get_by_label("Valitse, kuka käyttäjistä olet").select_option(str(people.sven))
    await expect(html).to_have_attribute("lang", "sv")
    await expect(page.get_by_role("heading", name="Vad kan den här boten göra?")).to_be_visible()
    await expect(page.get_by_role("button", name="Starta", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Skicka", exact=True)).to_be_visible()
    message_text = page.get_by_label("Meddelandets text")
    await expect(message_text).to_have_attribute("placeholder", "Meddelande")
    await expect(page.get_by_role("note")).to_have_text(
        "Lokal testmiljö för Bot API, inte Telegram. Ingenting lämnar den här datorn."
    )

    await page.get_by_label("Välj vilken användare du är").select_option(str(people.lena))
    await expect(html).to_have_attribute("lang", "en")  # German is not among the page's languages
    await expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    await expect(page.get_by_label("Choose a chat")).to_contain_text("Foorumi · private")
    await page.close()
