"""/settings, /language, /help, forged buttons, duplicate updates and failures."""
from __future__ import annotations

import logging

import pytest

from domain import Role
from bot.services import residents, staff
from bot.telegram.commands import register_commands
from tests.support import updates
from tests.support.proposals import resident_of
from tests.support.updates import AINO, GRACE, SVEN


async def onboard(harness, person, locale, resident_type="permanent", area="area:0:o"):
    await harness.say(person, "/start")
    for data in (f"lang:{locale}:o", f"type:{resident_type}:o", area):
        await harness.press(person, data)


async def test_settings_show_and_change_area(harness, app, city):
    await onboard(harness, AINO, "fi", "holiday")
    [call] = await harness.say(AINO, "/settings")
    assert call.text == (
        "<b>Asetuksesi</b>\n\nKieli: suomi\nKuka olet: 🌲 Vapaa-ajan asukas\nAlue: Koko kaupunki\n"
        "Hiljainen aika: 21–08\nViikkokooste: ei käytössä\n\n"
        "Mitä haluaisit muuttaa?"
    )
    assert call.keyboard == [
        [("🌐 Kieli", "set:language"), ("👤 Kuka olen", "set:type"), ("📍 Alue", "set:area")],
        [("🌙 Hiljainen aika", "set:quiet"), ("📰 Viikkokooste", "set:digest")],
        [("✅ Valmis", "set:close")],
    ]
    edit, _ = await harness.press(AINO, "set:area")
    # No Skip in settings: Back to the overview instead.
    assert edit.keyboard[-2:] == [[("Seuraava ›", "areas:1:s")], [("‹ Takaisin", "set:overview")]]
    centre = edit.keyboard[1][0]
    edit, _ = await harness.press(AINO, centre[1])
    assert "Alue: Keskusta" in edit.text
    assert (await resident_of(app, AINO)).area.code == "keskusta"

    edit, _ = await harness.press(AINO, "set:close")
    assert edit.text.endswith("Alue: Keskusta\nHiljainen aika: 21–08\nViikkokooste: ei käytössä")
    assert edit.keyboard == []


@pytest.mark.parametrize("part", ["language", "type", "area", "quiet", "digest"])
async def test_every_settings_choice_leads_back_to_the_overview_unchanged(harness, app, city, part):
    await onboard(harness, AINO, "fi")
    [overview] = await harness.say(AINO, "/settings")
    choice, _ = await harness.press(AINO, f"set:{part}")
    assert choice.keyboard[-1] == [("‹ Takaisin", "set:overview")]
    back, _ = await harness.press(AINO, "set:overview")
    assert (back.text, back.keyboard) == (overview.text, overview.keyboard)


async def test_the_weekly_digest_is_chosen_in_settings_day_then_hour_and_turned_off(harness, app, clock):
    await onboard(harness, AINO, "fi")
    days, _ = await harness.press(AINO, "set:digest")
    assert days.text.startswith("📰 <b>Viikkokooste</b>\n\nKerran viikossa yksi viesti")
    assert days.keyboard == [
        [("Maanantai", "digestday:0"), ("Tiistai", "digestday:1"), ("Keskiviikko", "digestday:2")],
        [("Torstai", "digestday:3"), ("Perjantai", "digestday:4"), ("Lauantai", "digestday:5")],
        [("Sunnuntai", "digestday:6"), ("✓ Ei viikkokoostetta", "digestday:-1")],
        [("‹ Takaisin", "set:overview")],
    ]
    hours, _ = await harness.press(AINO, "digestday:4")
    assert hours.text.startswith("📰 <b>Viikkokooste</b> joka perjantai – mihin aikaan?")
    assert hours.keyboard == [
        [("7.00", "digest:4:7"), ("9.00", "digest:4:9"), ("12.00", "digest:4:12")],
        [("15.00", "digest:4:15"), ("18.00", "digest:4:18"), ("20.00", "digest:4:20")],
        [("‹ Takaisin", "set:digest")],
    ]
    overview, _ = await harness.press(AINO, "digest:4:9")
    assert "Viikkokooste: joka perjantai klo 9.00" in overview.text
    resident = await resident_of(app, AINO)
    assert (resident.digest_weekday, resident.digest_hour, resident.digest_sent_at) == (4, 9, clock.now())

    days, _ = await harness.press(AINO, "set:digest")
    assert days.keyboard[1][1] == ("✓ Perjantai", "digestday:4")
    hours, _ = await harness.press(AINO, "digestday:4")
    assert hours.keyboard[0][1] == ("✓ 9.00", "digest:4:9")
    overview, _ = await harness.press(AINO, "digestday:-1")
    assert "Viikkokooste: ei käytössä" in overview.text
    assert (await resident_of(app, AINO)).digest_weekday is None


@pytest.mark.parametrize("forged", ["digestday:9", "digest:7:9", "digest:1:24"])
async def test_a_forged_digest_button_changes_nothing(harness, app, forged):
    await onboard(harness, AINO, "fi")
    await harness.press(AINO, forged)
    assert (await resident_of(app, AINO)).digest_weekday is None


async def test_language_command_switches_language(harness, app):
    await onboard(harness, GRACE, "en")
    [call] = await harness.say(GRACE, "/language")
    assert call.text == "Choose your language:"
    edit, _ = await harness.press(GRACE, "lang:sv:s")
    assert edit.text.startswith("<b>Dina inställningar</b>")
    assert (await resident_of(app, GRACE)).locale == "sv"


async def test_help_lists_commands_in_the_residents_language(harness):
    await onboard(harness, SVEN, "sv")
    [call] = await harness.say(SVEN, "/help")
    assert call.text.startswith("<b>Foorumi</b> ger dig stadens forum i telefonen")
    assert "/language – Byt språk" in call.text
    assert "/help – Vad Foorumi är och hur du använder den" in call.text


@pytest.mark.parametrize(
    "data",
    ["area:987654:s", "lang:de:s", "type:mayor:s", "set:everything", "area:abc:o", "not-ours", "areas:-5:s"],
)
async def test_forged_buttons_change_nothing(harness, app, city, data):
    await onboard(harness, AINO, "fi")
    before = await resident_of(app, AINO)
    [answer] = await harness.press(AINO, data)  # a negative page too: no button offers one
    assert answer.name == "AnswerCallbackQuery"
    assert answer.show_alert is True
    assert answer.text in (
        "Tämä ei ole enää saatavilla – sitä on ehkä muutettu tai se on poistettu.",
        "Tämä painike ei ole enää käytössä.",
    )
    after = await resident_of(app, AINO)
    assert (after.locale, after.resident_type, after.area_id) == (before.locale, before.resident_type, before.area_id)


async def test_a_redelivered_update_is_handled_once(harness):
    update = updates.message(AINO, "/help")
    assert len(await harness.feed(update)) == 1
    assert await harness.feed(update) == []


async def test_a_failing_handler_apologises_and_logs_no_text(harness, app, monkeypatch, caplog):
    await onboard(harness, SVEN, "sv")

    async def broken(*args, **kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(residents, "choose_language", broken)
    update = updates.callback(SVEN, "lang:en:s")
    with caplog.at_level(logging.ERROR):
        calls = await harness.feed(update)
    [apology] = calls
    assert apology.name == "AnswerCallbackQuery"
    assert apology.text == (
        "Förlåt, något gick fel hos oss. Inget av det du skickade gick förlorat – försök igen om en stund."
    )
    [record] = [r for r in caplog.records if r.name == "handlers.errors"]
    assert record.getMessage() == f"update {update['update_id']} failed: RuntimeError"
    assert "Sven" not in caplog.text
    assert (await resident_of(app, SVEN)).locale == "sv"

    monkeypatch.undo()
    [call] = await harness.say(SVEN, "/help")  # the bot carries on
    assert call.text.startswith("<b>Foorumi</b>")


async def test_staff_section_of_help_only_for_staff(harness, app):
    await onboard(harness, GRACE, "en")
    [call] = await harness.say(GRACE, "/help")
    assert "For staff" not in call.text
    async with app.uow_factory() as uow:
        await staff.grant(uow, GRACE.id, Role.EDITOR, None)
    [call] = await harness.say(GRACE, "/help")
    assert call.text.endswith(
        "<b>For staff</b>\n"
        "/broadcast – Send a message to residents\n"
        "/broadcasts – Recent broadcasts and their progress\n"
        "/moderation – Proposals waiting for a moderator\n"
        "/ballots – Theme votes: who took part, reminders and results\n"
        "/newballot – Create a theme vote\n"
        "/newforum – Create a forum\n"
        "/next – The host's next question (in the staff group)\n"
        "/summary – Publish a forum's summary\n"
        "/newsurvey – Create a feedback survey\n"
        "/surveyresults – Survey results"
    )


async def test_commands_are_registered_per_language(harness, app):
    await register_commands(app.bot, app.i18n, app.commands.residents)
    calls = harness.session.take()
    assert [(c.name, c.language_code) for c in calls] == [
        ("SetMyCommands", "fi"), ("SetMyCommands", "sv"), ("SetMyCommands", "en"), ("SetMyCommands", None),
    ]
    finnish = {c.command: c.description for c in calls[0].commands}
    assert finnish["language"] == "Vaihda kieli"
    swedish = {c.command: c.description for c in calls[1].commands}
    assert swedish["settings"] == "Ditt språk, vem du är och ditt område"
    assert {c.command for c in calls[3].commands} == set(finnish)
