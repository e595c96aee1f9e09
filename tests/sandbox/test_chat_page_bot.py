"""The chat page in Debian's Chromium with the real Foorumi bot and the demo city behind it."""

import pytest
import pytest_asyncio

from foorumi.demo import STAFF_GROUP_ID
from tests.e2e.conftest import PEOPLE, running_bot, with_demo_city
from tests.sandbox.test_chat_page import browser  # noqa: F401  (the Chromium fixture)

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


@pytest_asyncio.fixture
async def demo(tmp_path):
    database_url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    await with_demo_city(database_url)
    async with running_bot(database_url, staff_chat_id=STAFF_GROUP_ID) as running:
        yield running


async def test_aino_starts_onboarding_in_finnish(demo, browser, tmp_path):  # noqa: F811
    from playwright.async_api import expect

    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{demo.sandbox.url}/?user={PEOPLE.aino}")
    await page.get_by_role("button", name="Aloita").click()

    log = page.get_by_role("log", name="Viestit")
    await expect(log).to_contain_text("Tervetuloa Foorumiin")
    await page.get_by_role("button", name="Suomi").click()

    await expect(log).to_contain_text("Kuka olet? Tämä auttaa kaupunkia tavoittamaan oikeat ihmiset")
    await expect(page.get_by_role("button", name="🏠 Asun täällä")).to_be_visible()
    await expect(page.get_by_role("button", name="Suomi")).to_have_count(0)  # the question was edited
    screenshot = tmp_path / "onboarding.png"
    await page.screenshot(path=str(screenshot))
    print(f"screenshot: {screenshot}")
    await page.close()
