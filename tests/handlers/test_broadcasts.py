"""/broadcast and /broadcasts through the real Dispatcher: compose, audience, confirm, cancel, refusals."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from domain import Audience
from domain import Role
from bot.services import broadcasts as broadcasts_service
from bot.services import staff
from storage.models import Broadcast, Delivery
from tests.support.clock import NIGHT
from tests.support.delivery import add_residents
from tests.support.updates import AINO, GRACE, next_update_id, private_chat


async def make_editor(app, person=GRACE):
    async with app.uow_factory() as uow:
        await staff.grant(uow, person.id, Role.EDITOR, None)


async def broadcasts(app) -> list[Broadcast]:
    async with app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Broadcast).order_by(Broadcast.id)))


async def outbox_size(app) -> int:
    async with app.uow_factory() as uow:
        return await uow.session.scalar(select(func.count()).select_from(Delivery))


def chat_member_update(person, old: str, new: str) -> dict:
    bot = {"id": 42, "is_bot": True, "first_name": "Foorumi"}
    return {"update_id": next_update_id(), "my_chat_member": {
        "chat": private_chat(person), "from": person.as_user(), "date": int(time.time()),
        "old_chat_member": {"status": old, "user": bot, **({"until_date": 0} if old == "kicked" else {})},
        "new_chat_member": {"status": new, "user": bot, **({"until_date": 0} if new == "kicked" else {})},
    }}


async def compose(harness, everyone: int, holiday: int = 3):
    """GRACE writes Finnish and English, skips Swedish, picks holiday residents."""
    await harness.say(GRACE, "/start")
    await harness.press(GRACE, "lang:en:o")
    [prompt] = await harness.say(GRACE, "/broadcast")
    assert prompt.text.startswith("📣 <b>New broadcast</b>\n\nWrite the message <b>in Finnish</b>.")
    assert prompt.keyboard == [[("Skip this language ›", "bc:skip")], [("✖ Cancel", "bc:abort")]]
    [prompt] = await harness.say(GRACE, "Vapaa-ajan asukkaiden ilta torstaina")
    assert "Write the message <b>in Swedish</b>." in prompt.text
    edit, _ = await harness.press(GRACE, "bc:skip")
    assert "Write the message <b>in English</b>." in edit.text
    [audience] = await harness.say(GRACE, "Holiday residents' evening on Thursday")
    assert f"Now: everyone\n<b>{everyone} recipients</b>" in audience.text
    assert audience.keyboard[0] == [("✓ Everyone", "bca:all::0")]
    edit, _ = await harness.press(GRACE, "bca:t:holiday:0")
    assert f"Now: who: 🌲 Holiday resident\n<b>{holiday} recipients</b>" in edit.text
    return edit


async def compose_and_send(harness, app, everyone: int) -> Broadcast:
    await compose(harness, everyone)
    await harness.press(GRACE, "bc:audience")
    await harness.press(GRACE, "bc:send")
    [sent] = await broadcasts(app)
    return sent


async def test_staff_compose_choose_confirm_and_send(harness, app, clock):
    await make_editor(app)
    await add_residents(app.uow_factory, 3, 700, resident_type="holiday")
    await add_residents(app.uow_factory, 4, 800, resident_type="permanent")
    await compose(harness, everyone=8)  # 7 residents and GRACE herself
    edit, _ = await harness.press(GRACE, "bc:audience")
    assert edit.text.startswith("<b>Ready to send?</b> This is how it looks:\n\n"
                                "Holiday residents' evening on Thursday\n\n———\n")
    assert "To: who: 🌲 Holiday resident\n<b>3 recipients</b>\nWhen: right away" in edit.text
    assert edit.keyboard[0] == [("✅ Send now", "bc:send")]
    edit, _ = await harness.press(GRACE, "bc:urgent")
    assert "⚡ Urgent: arrives during quiet hours too" in edit.text

    edit, _ = await harness.press(GRACE, "bc:send")
    [sent] = await broadcasts(app)
    # Due at once: the outbox sender (not running here) starts it within a second.
    assert (sent.status, sent.send_at) == ("scheduled", clock.now())
    assert edit.text == (
        f"📣 <b>Broadcast #{sent.id}</b> is being sent\n░░░░░░░░░░░░ 0\u00a0%\n"
        "Sent: 0 · Failed: 0 · Blocked: 0 · Remaining: 3\nRate: measuring…"
    )
    assert edit.keyboard == [[("🛑 Cancel the broadcast", f"bcc:{sent.id}")]]
    assert sent.texts == {"fi": "Vapaa-ajan asukkaiden ilta torstaina",
                          "en": "Holiday residents' evening on Thursday"}
    assert (sent.total, sent.urgent, sent.created_by) == (3, True, GRACE.id)
    assert (sent.progress_chat_id, sent.progress_message_id) == (GRACE.id, edit.message_id)
    assert await outbox_size(app) == 3


async def test_a_broadcast_can_be_scheduled_for_later(harness, app):
    await make_editor(app)
    await add_residents(app.uow_factory, 3, 700, resident_type="holiday")
    await compose(harness, everyone=4)
    await harness.press(GRACE, "bc:audience")
    edit, _ = await harness.press(GRACE, "bc:later")
    assert edit.text.startswith("⏰ When should it go out?")
    [again] = await harness.say(GRACE, "yesterday")
    assert again.text.startswith("I could not read that as a time in the future.")
    [confirm] = await harness.say(GRACE, "2099-01-01 09:00")
    assert "When: Thu 1 Jan 2099 at 9.00" in confirm.text
    assert confirm.keyboard[0] == [("✅ Schedule", "bc:send")]
    await harness.press(GRACE, "bc:send")
    [scheduled] = await broadcasts(app)
    assert scheduled.status == "scheduled" and scheduled.send_at.year == 2099


async def test_staff_can_cancel_a_running_broadcast(harness, app):
    await make_editor(app)
    await add_residents(app.uow_factory, 3, 700, resident_type="holiday")
    running = await compose_and_send(harness, app, everyone=4)
    edit, _ = await harness.press(GRACE, f"bcc:{running.id}")
    assert edit.text.startswith(f"🛑 <b>Broadcast #{running.id}</b> was cancelled.")
    assert "3 messages were not sent because the broadcast was cancelled" in edit.text
    [cancelled] = await broadcasts(app)
    assert cancelled.status == "cancelled"


async def test_residents_cannot_broadcast_or_cancel(harness, app):
    await add_residents(app.uow_factory, 3, 700, resident_type="holiday")
    refusal = harness.translate("Sorry, only city staff with the right role can do that.", "fi")
    [call] = await harness.say(AINO, "/broadcast")
    assert call.text == refusal
    await make_editor(app)
    running = await compose_and_send(harness, app, everyone=5)  # AINO too
    [alert] = await harness.press(AINO, f"bcc:{running.id}")
    assert (alert.name, alert.text) == ("AnswerCallbackQuery", refusal)
    [forged] = await harness.press(AINO, "bc:send")  # no conversation, not staff: nothing happens
    assert forged.name == "AnswerCallbackQuery"
    [untouched] = await broadcasts(app)
    assert untouched.status == "scheduled"
    [listing] = await harness.say(AINO, "/broadcasts")
    assert listing.text == refusal


async def test_the_list_shows_recent_broadcasts_and_opens_their_progress(harness, app):
    await make_editor(app)
    await add_residents(app.uow_factory, 3, 700, resident_type="holiday")
    sent = await compose_and_send(harness, app, everyone=4)
    [listing] = await harness.say(GRACE, "/broadcasts")
    assert listing.text.startswith("<b>Recent broadcasts</b>\n\n")
    assert "· 0/3 · Vapaa-ajan asukkaiden ilta torstaina" in listing.text
    [(_, data)] = listing.keyboard[0]
    answer, shown = await harness.press(GRACE, data)
    assert answer.name == "AnswerCallbackQuery"
    assert shown.text.startswith(f"📣 <b>Broadcast #{sent.id}</b> is being sent\n")


async def test_blocking_and_restarting_the_bot_is_remembered(harness, app):
    await harness.say(AINO, "/start")
    await harness.feed(chat_member_update(AINO, "member", "kicked"))
    async with app.uow_factory() as uow:
        assert (await uow.residents.by_telegram_id(AINO.id)).blocked_at is not None
        assert await uow.outbox.count_audience(Audience()) == 0
    await harness.feed(chat_member_update(AINO, "kicked", "member"))
    async with app.uow_factory() as uow:
        assert (await uow.residents.by_telegram_id(AINO.id)).blocked_at is None


async def test_quiet_hours_are_chosen_in_settings(harness, app):
    await harness.say(AINO, "/start")
    await harness.press(AINO, "lang:fi:o")
    edit, _ = await harness.press(AINO, "set:quiet")
    assert edit.text.startswith("🌙 <b>Hiljainen aika</b>")
    assert edit.keyboard == [
        [("✓ 21–08", "quiet:21:8"), ("22–07", "quiet:22:7")],
        [("23–07", "quiet:23:7"), ("20–09", "quiet:20:9")],
        [("Ei hiljaista aikaa", "quiet:0:0")],
        [("‹ Takaisin", "set:overview")],
    ]
    edit, _ = await harness.press(AINO, "quiet:0:0")
    assert "Hiljainen aika: ei käytössä" in edit.text
    async with app.uow_factory() as uow:
        resident = await uow.residents.by_telegram_id(AINO.id)
        assert (resident.quiet_from, resident.quiet_until) == (0, 0)


@pytest.mark.parametrize("clock", [NIGHT], indirect=True)
async def test_send_now_at_night_says_who_waits_for_quiet_hours_and_until_when(harness, app, clock):
    await make_editor(app)
    await add_residents(app.uow_factory, 2, 700, resident_type="holiday")  # quiet 21–08
    await add_residents(app.uow_factory, 1, 710, resident_type="holiday", quiet_from=0, quiet_until=0)
    await compose(harness, everyone=4)
    confirm, _ = await harness.press(GRACE, "bc:audience")
    assert confirm.text.endswith(
        "Not urgent: waits for residents' quiet hours to end\n"
        "🌙 2 recipients are in their quiet hours: their messages wait until those end "
        "(by Tue 16 Jun 2026 at 8.00 at the latest)."
    )
    progress, _ = await harness.press(GRACE, "bc:send")
    assert progress.text.startswith("📣 <b>Broadcast #1</b> is being sent\n")
    assert progress.text.endswith(
        "Rate: measuring…\n🌙 2 recipients are in their quiet hours: their messages wait until "
        "those end (by Tue 16 Jun 2026 at 8.00 at the latest)."
    )


@pytest.mark.parametrize("clock", [NIGHT], indirect=True)
async def test_the_progress_says_the_rest_waits_for_quiet_hours(harness, app, clock):
    await make_editor(app)
    await add_residents(app.uow_factory, 2, 700, resident_type="holiday")  # quiet 21–08
    await add_residents(app.uow_factory, 1, 710, resident_type="holiday", quiet_from=0, quiet_until=0)
    sent = await compose_and_send(harness, app, everyone=4)
    await harness.deliver()  # the one without quiet hours gets it; two are held until 08:00
    [listing] = await harness.say(GRACE, "/broadcasts")
    _answer, shown = await harness.press(GRACE, listing.keyboard[0][0][1])
    assert shown.text == (
        f"📣 <b>Broadcast #{sent.id}</b> is being sent\n▓▓▓▓░░░░░░░░ 33\u00a0%\n"
        "Sent: 1 · Failed: 0 · Blocked: 0 · Remaining: 2\n"
        "🌙 2 recipients are in their quiet hours: their messages wait until those end "
        "(by Tue 16 Jun 2026 at 8.00 at the latest)."
    )


async def test_the_list_cuts_texts_between_words_and_names_each_button(harness, app, clock):
    await make_editor(app)
    await harness.say(GRACE, "/start")
    await harness.press(GRACE, "lang:en:o")
    async with app.uow_factory() as uow:
        for text in ("Vapaa-ajan asukkaiden ilta torstaina kirjastolla kello kuusi", "Vesikatko"):
            await broadcasts_service.send_broadcast(uow, None, {"fi": text}, Audience(), now=clock.now())
    [listing] = await harness.say(GRACE, "/broadcasts")
    assert listing.text.splitlines()[3].endswith("· Vapaa-ajan asukkaiden ilta torstaina…")
    assert listing.keyboard == [[("⏰ #2 Vesikatko", "bco:2")],
                                [("⏰ #1 Vapaa-ajan asukkaiden ilta…", "bco:1")]]
