"""The weekly digest on SQLite and PostgreSQL: what is new for each area and group, in one
message a week, and nothing at all when nothing is new."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.services import ballots, digest, forums, moderation, proposals, staff
from bot.services.ballots import BallotDraft, OptionDraft
from bot.services.proposals import Draft
from domain import Role
from storage.models import Area, Broadcast, Delivery, ForumSummary, Resident
from tests.support.forums import EDITOR, MODERATOR, NOTICES, draft, new_forum, people, theme

ZONE = NOTICES.settings.zone
OPTED = datetime(2026, 7, 28, 9, 0, tzinfo=UTC)  # ti 28.7. klo 12
NEWS = datetime(2026, 7, 29, 9, 0, tzinfo=UTC)  # ke 29.7.
MONDAY = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)  # ma 3.8. klo 18: the digests' day and hour


async def city(uow_factory) -> None:
    async with uow_factory() as uow:
        uow.session.add_all([
            Area(id=1, code="anttola", kind="village", name_fi="Anttola", name_sv="Anttola", name_en="Anttola"),
            Area(id=2, code="ristiina", kind="village", name_fi="Ristiina", name_sv="Kristina", name_en="Ristiina"),
        ])
        await uow.commit()


async def opt_in(uow_factory, residents: list[Resident], weekday: int = 0, hour: int = 18,
                 when: datetime = OPTED) -> None:
    async with uow_factory() as uow:
        for resident in residents:
            await digest.choose(uow, await uow.session.get(Resident, resident.id), weekday, hour, when)


async def approved(uow_factory, title: str, area_id: int | None, when: datetime = NEWS) -> int:
    [author] = await people(uow_factory, 1, first=8000 + len(title))
    async with uow_factory() as uow:
        await staff.grant(uow, MODERATOR, Role.MODERATOR, None)
        proposal = await proposals.submit(uow, author, Draft(title, "Kuvaus ehdotuksesta.", area_id), 100,
                                          NOTICES, when)
        await moderation.approve(uow, MODERATOR, proposal.id, NOTICES, when)
        return proposal.id


async def holiday_ballot(uow_factory) -> int:
    made = BallotDraft(question={"fi": "Mikä rantaan ensin?"}, options=[OptionDraft({"fi": "Laituri"}),
                                                                      OptionDraft({"fi": "Sauna"})],
                       opens_at=NEWS, closes_at=MONDAY + timedelta(days=3), resident_types=("holiday",))
    async with uow_factory() as uow:
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
        ballot = await ballots.create(uow, EDITOR, made, OPTED)
        await ballots.announce_due(uow, NOTICES, NEWS)
        return ballot.id


async def summarised_forum(uow_factory) -> int:
    """A forum held before the digest week whose summary was published during it."""
    starts = datetime(2026, 7, 20, 15, 0, tzinfo=UTC)
    theme_id = await theme(uow_factory)
    async with uow_factory() as uow:
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
        held = draft(theme_id, starts_at=starts, ends_at=starts + timedelta(hours=2),
                     title={"fi": "Rantojen käyttö"})
        forum = await forums.create(uow, EDITOR, held, NOTICES, starts - timedelta(days=7))
        uow.session.add(ForumSummary(forum_id=forum.id, texts={"fi": "Sovimme laiturista."}, attendance={},
                                     published_by=EDITOR, published_at=NEWS))
        await uow.commit()
        return forum.id


async def send_due(uow_factory, now: datetime) -> int:
    async with uow_factory() as uow:
        return await digest.send_due(uow, NOTICES, now, ZONE)


async def digests(uow_factory) -> dict[int, str]:
    """Each resident's digest (in Finnish)."""
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(Delivery.resident_id, Broadcast.texts).join(Broadcast).where(Broadcast.kind == digest.KIND))
    return {resident_id: texts["fi"] for resident_id, texts in rows}


async def test_each_area_and_group_reads_what_is_new_for_it_in_one_message(uow_factory):
    await city(uow_factory)
    aino, dan = await people(uow_factory, 2, "permanent", area_id=1)
    [bo] = await people(uow_factory, 1, "holiday", area_id=2, first=5100)
    [cia] = await people(uow_factory, 1, "holiday", first=5200)
    [none] = await people(uow_factory, 1, "holiday", area_id=1, first=5300)  # did not opt in
    await opt_in(uow_factory, [aino, dan, bo, cia])
    forum_id = await new_forum(uow_factory)  # announced 28.7., on 4.8.; its theme approved with it
    await approved(uow_factory, "Penkkejä Anttolaan", 1)
    await approved(uow_factory, "Satama Ristiinaan", 2)
    ballot_id = await holiday_ballot(uow_factory)
    summarised = await summarised_forum(uow_factory)

    assert await send_due(uow_factory, MONDAY) == 4
    read = await digests(uow_factory)
    assert set(read) == {aino.id, dan.id, bo.id, cia.id} and read[aino.id] == read[dan.id]
    async with uow_factory() as uow:
        sent = (await uow.session.scalars(select(Broadcast).where(Broadcast.kind == digest.KIND))).all()
    assert sorted(broadcast.total for broadcast in sent) == [1, 1, 2]  # same area and group: one broadcast

    anttola = read[aino.id]
    assert anttola.startswith("📰 <b>Viikkokoosteesi</b>")
    assert "Penkkejä Anttolaan – /p" in anttola and "Kirjaston aukioloajat" in anttola  # and the whole city's
    assert "Ristiinaan" not in anttola and "Avoimet äänestykset" not in anttola  # the vote is for holiday residents
    assert f"<b>Kirjaston tulevaisuus</b> – ti 4.8. klo 18.00: /f{forum_id}" in anttola
    assert f"<b>Rantojen käyttö</b>: /f{summarised}" in anttola
    assert "Ristiinaan" in read[bo.id] and "Anttolaan" not in read[bo.id]
    assert f"<b>Mikä rantaan ensin?</b> – päättyy to 6.8. klo 18.00: /b{ballot_id}" in read[bo.id]
    assert "Ristiinaan" in read[cia.id] and "Anttolaan" in read[cia.id]  # the whole city: every area


async def test_nothing_new_means_no_message_but_the_week_is_done(uow_factory):
    [aino] = await people(uow_factory, 1)
    await opt_in(uow_factory, [aino])
    assert await send_due(uow_factory, MONDAY) == 0
    async with uow_factory() as uow:
        assert (await uow.session.get(Resident, aino.id)).digest_sent_at == MONDAY
    assert await digests(uow_factory) == {}


async def test_once_a_week_on_its_day_and_hour_each_with_only_what_is_newer(uow_factory):
    [aino] = await people(uow_factory, 1)
    await opt_in(uow_factory, [aino])
    await approved(uow_factory, "Lisää pyöräteitä", None)
    assert await send_due(uow_factory, MONDAY - timedelta(seconds=1)) == 0  # 17.59.59
    assert await send_due(uow_factory, MONDAY) == 1
    for later in (timedelta(seconds=10), timedelta(hours=1), timedelta(days=1)):
        assert await send_due(uow_factory, MONDAY + later) == 0
    await approved(uow_factory, "Kirjasto auki sunnuntaisin", None, MONDAY + timedelta(days=2))
    assert await send_due(uow_factory, MONDAY + timedelta(days=7)) == 1
    async with uow_factory() as uow:
        texts = (await uow.session.scalars(
            select(Broadcast.texts).where(Broadcast.kind == digest.KIND).order_by(Broadcast.id))).all()
    assert "pyöräteitä" in texts[0]["fi"] and "sunnuntaisin" not in texts[0]["fi"]
    assert "sunnuntaisin" in texts[1]["fi"] and "pyöräteitä" not in texts[1]["fi"]


async def test_a_digest_missed_while_the_bot_was_down_comes_later_that_day(uow_factory):
    [aino] = await people(uow_factory, 1)
    await opt_in(uow_factory, [aino], hour=9)
    await approved(uow_factory, "Lisää pyöräteitä", None)
    assert await send_due(uow_factory, MONDAY + timedelta(hours=4)) == 1  # back up at 22


async def test_opting_out_stops_it_and_opting_in_again_starts_from_then(uow_factory):
    aino, bo = await people(uow_factory, 2)
    await opt_in(uow_factory, [aino, bo])
    await approved(uow_factory, "Lisää pyöräteitä", None)
    async with uow_factory() as uow:
        await digest.turn_off(uow, await uow.session.get(Resident, bo.id))
    assert await send_due(uow_factory, MONDAY) == 1
    assert set(await digests(uow_factory)) == {aino.id}
    await opt_in(uow_factory, [bo], weekday=1, when=MONDAY)  # Tuesdays, from Monday evening on
    assert await send_due(uow_factory, MONDAY + timedelta(days=1)) == 0  # what came before is not new


async def test_a_long_list_is_cut_to_five_and_counted(uow_factory):
    [aino] = await people(uow_factory, 1)
    await opt_in(uow_factory, [aino])
    for n in range(7):
        await approved(uow_factory, f"Ehdotus numero {n}", None)
    await send_due(uow_factory, MONDAY)
    [text] = (await digests(uow_factory)).values()
    assert text.count("• ") == 5 and "…ja 2 muuta: /proposals" in text


async def test_two_processes_at_once_send_each_resident_one_digest(uow_factory):
    residents = await people(uow_factory, 20)
    await opt_in(uow_factory, residents)
    await approved(uow_factory, "Lisää pyöräteitä", None)
    assert sorted(await asyncio.gather(send_due(uow_factory, MONDAY), send_due(uow_factory, MONDAY))) == [0, 20]
    async with uow_factory() as uow:
        rows = (await uow.session.scalars(
            select(Delivery.resident_id).join(Broadcast).where(Broadcast.kind == digest.KIND))).all()
    assert sorted(rows) == sorted(resident.id for resident in residents)
