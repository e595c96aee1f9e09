"""Forum summaries in the store: who they reach (once each, in their language, with a note when
only another language exists), the theme's timeline with the attendance figures, published once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.services import forum_questions, forum_summaries, staff
from bot.services.forum_summaries import AlreadyPublished, NotStarted, SummaryDraft
from domain import PermissionDenied, Role
from storage.models import Broadcast, Delivery, Resident, Rsvp
from tests.support.clock import FakeClock
from tests.support.delivery import ScriptedTelegram, make_sender, paced_bot
from tests.support.forums import (
    AFTER, DURING, EDITOR, MODERATOR, NOTICES, STARTS, new_forum, people, rsvp, theme,
)

SUMMARY_FI = "Foorumissa sovittiin, että kirjasto on auki myös sunnuntaisin kokeiluna syksyn ajan."


@pytest.fixture
async def theme_id(uow_factory):
    return await theme(uow_factory)


@pytest.fixture
async def forum(uow_factory, theme_id):
    return await new_forum(uow_factory, theme_id)


async def publish(uow_factory, forum_id, texts=None, attachments=(), actor=EDITOR, now=AFTER):
    draft = SummaryDraft(forum_id, texts or {"fi": SUMMARY_FI}, list(attachments))
    async with uow_factory() as uow:
        return await forum_summaries.publish(uow, actor, draft, NOTICES, now)


async def reached(uow_factory, kind="forum_summary") -> dict[int, list[int]]:
    """Resident ids per broadcast of this kind, in the order the broadcasts were queued."""
    async with uow_factory() as uow:
        rows = (await uow.session.execute(
            select(Broadcast.id, Delivery.resident_id).join(Delivery).where(Broadcast.kind == kind)
            .order_by(Broadcast.id, Delivery.resident_id))).all()
    found: dict[int, list[int]] = {}
    for broadcast_id, resident_id in rows:
        found.setdefault(broadcast_id, []).append(resident_id)
    return found


async def test_it_reaches_everyone_who_signed_up_asked_or_follows_each_once(uow_factory, theme_id, forum):
    in_person, remote, waiting, not_coming, asker, follower, both, _bystander = await people(uow_factory, 8)
    await rsvp(uow_factory, forum, [in_person, both], "in_person")
    await rsvp(uow_factory, forum, [remote, asker], "remote")
    await rsvp(uow_factory, forum, [waiting], "waiting")
    await rsvp(uow_factory, forum, [not_coming], "not_coming")
    async with uow_factory() as uow:
        await forum_questions.ask(uow, asker, forum, "Kysymys", NOTICES, DURING)
        # then no longer coming: having asked is enough
        await uow.session.execute(update(Rsvp).where(Rsvp.resident_id == asker.id).values(attendance="not_coming"))
        for resident in (follower, both):
            await uow.themes.follow(theme_id, resident.id, STARTS)
        await uow.commit()
        author = await uow.session.scalar(select(Resident.id).where(Resident.telegram_id == 9000 + len("Kirjaston aukioloajat")))
    summary, count = await publish(uow_factory, forum)
    expected = sorted([in_person.id, remote.id, waiting.id, asker.id, follower.id, both.id, author])
    assert count == len(expected)
    assert list((await reached(uow_factory)).values()) == [expected]


async def test_a_finnish_summary_reaches_swedish_and_english_residents_with_a_note(uow_factory, forum):
    fi, sv, en = [(await people(uow_factory, 1, first=first, locale=locale))[0]
                  for first, locale in ((6000, "fi"), (6100, "sv"), (6200, "en"))]
    await rsvp(uow_factory, forum, [fi, sv, en], "remote")
    await publish(uow_factory, forum)
    telegram = ScriptedTelegram()
    clock = FakeClock(AFTER)
    await make_sender(paced_bot(telegram, clock), uow_factory, clock).deliver_due()
    [to_fi], [to_sv], [to_en] = telegram.to(6000), telegram.to(6100), telegram.to(6200)
    assert to_fi.text.startswith("📝 <b>Foorumin yhteenveto</b>\n<b>Kirjaston tulevaisuus</b>\n🗓 ti 4.8. klo 18.00")
    assert f"\n\n{SUMMARY_FI}\n\n" in to_fi.text
    assert "<b>Sammanfattning av forumet</b>\n<b>Bibliotekets framtid</b>" in to_sv.text
    assert f"\n\n{SUMMARY_FI} (finns bara på finska)\n\n" in to_sv.text
    assert f"\n\n{SUMMARY_FI} (only available in Finnish)\n\n" in to_en.text
    assert to_en.text.endswith("\n\nTheme: /p1 · Forum: /f1")


async def test_each_language_gets_its_own_text_and_the_attachments_follow(uow_factory, forum):
    fi, sv, en = [(await people(uow_factory, 1, first=first, locale=locale))[0]
                  for first, locale in ((6000, "fi"), (6100, "sv"), (6200, "en"))]
    await rsvp(uow_factory, forum, [fi, sv, en], "in_person")
    texts = {"fi": SUMMARY_FI, "sv": "Biblioteket hålls öppet på söndagar i höst.", "en": "Open on Sundays."}
    await publish(uow_factory, forum, texts, [("photo", "photo-1"), ("document", "pdf-1")])
    telegram = ScriptedTelegram()
    clock = FakeClock(AFTER)
    await make_sender(paced_bot(telegram, clock), uow_factory, clock).deliver_due()
    for chat, text in ((6000, SUMMARY_FI), (6100, texts["sv"]), (6200, texts["en"])):
        text_message, photo, document = telegram.to(chat)
        assert f"\n\n{text}\n\n" in text_message.text and "(" not in text_message.text.split("\n\n")[1]
        assert (photo.method, document.method) == ("SendPhoto", "SendDocument")
    assert telegram.to(6100)[1].text == "📎 Sammanfattning: Bibliotekets framtid – bilaga 1/2"


async def test_the_theme_timeline_gets_the_summary_and_the_attendance_figures(uow_factory, theme_id, forum):
    permanent = await people(uow_factory, 5, "permanent", first=6000)
    holiday = await people(uow_factory, 5, "holiday", first=6100)
    works = await people(uow_factory, 1, "works", first=6200)
    await rsvp(uow_factory, forum, permanent + holiday[:1], "in_person")
    await rsvp(uow_factory, forum, holiday[1:] + works, "remote")
    summary, _count = await publish(uow_factory, forum)
    assert summary.attendance == {"in_person": 6, "remote": 5, "hidden": 6, "by_group": {"permanent": [5, 0]}}
    async with uow_factory() as uow:
        entry = (await uow.themes.timeline(theme_id))[-1]
    assert entry.status == "initiative"  # the theme's status does not change
    assert entry.created_by == EDITOR
    assert entry.note_fi == (f"Foorumin ”Kirjaston tulevaisuus” yhteenveto: {SUMMARY_FI}\n"
                             "👥 11 ilmoittautui botissa: 6 paikan päällä, 5 etänä\n"
                             "• 🏠 Vakituiset asukkaat: 5 paikan päällä, 0 etänä\n"
                             "• ja 6 pienemmissä ryhmissä\n"
                             "Lue koko yhteenveto: /summaries")
    assert entry.note_sv.startswith(f"Sammanfattning av forumet ”Bibliotekets framtid”: {SUMMARY_FI} "
                                    "(finns bara på finska)\n👥 11 anmälde sig i boten: 6 på plats, 5 på distans")


async def test_a_long_summary_is_quoted_on_the_timeline_by_its_beginning(uow_factory, theme_id, forum):
    await publish(uow_factory, forum, {"fi": "sana " * 600})
    async with uow_factory() as uow:
        note = (await uow.themes.timeline(theme_id))[-1].note_fi
    assert len(note.split("\n")[0]) < 400 and "…" in note


async def test_a_summary_is_published_once(uow_factory, forum):
    await publish(uow_factory, forum)
    with pytest.raises(AlreadyPublished):
        await publish(uow_factory, forum, {"fi": "Toinen yritys"})
    async with uow_factory() as uow:
        assert (await forum_summaries.published(uow, forum))[0].texts == {"fi": SUMMARY_FI}
    assert len(await reached(uow_factory)) == 1


async def test_only_editors_and_admins_publish_and_only_once_the_forum_has_started(uow_factory, forum):
    [resident] = await people(uow_factory, 1)
    for actor in (resident.telegram_id, MODERATOR):
        with pytest.raises(PermissionDenied):
            await publish(uow_factory, forum, actor=actor)
    with pytest.raises(NotStarted):
        await publish(uow_factory, forum, now=STARTS - timedelta(minutes=1))
    async with uow_factory() as uow:
        await staff.grant(uow, 4242, Role.ADMIN, None)
    await publish(uow_factory, forum, actor=4242, now=STARTS)
