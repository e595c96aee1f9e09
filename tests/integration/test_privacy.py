"""/mydata and /delete against every table of the store, on SQLite and PostgreSQL.

Every table has a stated decision (bot/services/privacy.TABLES); a resident with rows in every
table that can hold something about a person – a member of staff too, so the tables naming staff
are covered – is exported and erased, and each table is checked by its decision: nothing carries
their Telegram id any more, what counts and results are made of still counts, and no row points
at nothing.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import BigInteger, ColumnElement, String, Text, and_, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logs import pseudonym
from bot.services import (
    ballots, broadcasts, forum_questions, forum_rsvp, forum_summaries, forums, moderation, privacy, proposals,
    staff, survey_answers, surveys, themes,
)
from bot.services import residents as residents_service
from bot.services.ballots import BallotDraft, OptionDraft
from bot.services.forum_summaries import SummaryDraft
from bot.services.privacy import TABLES, Erasure
from bot.services.proposals import Draft
from domain import Attendance, Audience, Role
from storage.models import (
    Base, Broadcast, Delivery, ForumReminder, Proposal, Resident, Rsvp, Support, SurveyAnswer, SurveyParticipant,
    SurveyResponse, Vote,
)
from storage.repositories.conversations import Conversation
from storage.repositories.personal_data import PersonalDataRepository
from tests.support.forums import CREATED, DURING, ENDS, NOTICES, STARTS, draft as forum_draft
from tests.support.surveys import SECRET, draft as survey_draft

ZONE = "Europe/Helsinki"
PERSON = 987_654_321  # the Telegram id of the resident who erases their data: no other number is near it
OTHER, SECOND, MODERATOR = 5101, 5102, 5103
ERASED_AT = ENDS + timedelta(hours=18)  # forum A is over, forum B still to come, the surveys open
ANSWERS = {1: 4, 2: 8, 3: 0, 4: [0, 1], 5: 1, 6: "Hyvä ilta, kiitos!", 7: "Lisää penkkejä torille"}


@dataclass
class Seeded:
    resident_id: int
    approved: int  # their proposal that became a theme
    unpublished: list[int]  # theirs that never did: pending, rejected, suggested in a named survey
    forum_past: int
    forum_coming: int  # where they had the last seat and another resident waited


async def resident(uow, telegram_id: int, resident_type: str = "permanent") -> Resident:
    found = await residents_service.greet(uow, telegram_id, "fi", CREATED)
    found.resident_type, found.locale_confirmed, found.onboarded_at = resident_type, True, CREATED
    await uow.commit()
    return found


async def answer_all(uow, who: Resident, survey_id: int, now, upto: int = 7) -> None:
    await survey_answers.begin(uow, who, survey_id, SECRET, now)
    for position in range(1, upto + 1):
        await survey_answers.answer(uow, who, survey_id, position, ANSWERS[position], SECRET, NOTICES, now)


async def seed(uow_factory) -> Seeded:
    """The resident PERSON (an admin too) and others around them, through the services."""
    async with uow_factory() as uow:
        me = await resident(uow, PERSON, "holiday")
        me.quiet_from, me.quiet_until, me.digest_weekday = 22, 7, 2
        other, second = await resident(uow, OTHER), await resident(uow, SECOND, "works")
        await resident(uow, MODERATOR)
        await staff.grant(uow, PERSON, Role.ADMIN, None)
        await staff.grant(uow, MODERATOR, Role.MODERATOR, None)
        await staff.grant(uow, SECOND, Role.EDITOR, PERSON)

        approved = await proposals.submit(uow, me, Draft("Penkkejä torille", "Torilla on liian vähän istumapaikkoja."),
                                          5, NOTICES, CREATED)
        rejected = await proposals.submit(uow, me, Draft("Oma parkkipaikka", "Haluan parkkipaikan kotini eteen."),
                                          5, NOTICES, CREATED)
        pending = await proposals.submit(uow, me, Draft("Koirapuisto Kalevankankaalle", "Koirille aitaus."),
                                         5, NOTICES, CREATED)
        others = await proposals.submit(uow, other, Draft("Kirjaston aukioloajat", "Kirjasto on auki liian harvoin."),
                                        5, NOTICES, CREATED)
        await moderation.approve(uow, MODERATOR, approved.id, NOTICES, CREATED)
        await moderation.reject(uow, MODERATOR, rejected.id, "personal", NOTICES, CREATED)
        await moderation.approve(uow, PERSON, others.id, NOTICES, CREATED)
        for supporter in (other, second):
            await proposals.support(uow, supporter, approved.id, (10,), NOTICES, CREATED)
        await proposals.support(uow, me, others.id, (10,), NOTICES, CREATED)
        await proposals.report(uow, me, others.id, 3, NOTICES, CREATED)
        await themes.follow(uow, me, others.id, CREATED)

        ballot = await ballots.create(uow, PERSON, BallotDraft(
            {"fi": "Mistä seuraava foorumi?"}, [OptionDraft(theme_id=others.id), OptionDraft({"fi": "Satama"})],
            opens_at=CREATED, closes_at=ERASED_AT + timedelta(days=3)), CREATED)
        first, harbour = (option.id for option in ballot.options)
        await ballots.vote(uow, me, ballot.id, first, CREATED)
        await ballots.vote(uow, other, ballot.id, first, CREATED)
        await ballots.vote(uow, second, ballot.id, harbour, CREATED)

        await broadcasts.send_broadcast(uow, PERSON, {"fi": "Tervetuloa foorumiin!"}, Audience(), now=CREATED,
                                        progress=(PERSON, 555))

        past = await forums.create(uow, PERSON, forum_draft(others.id), NOTICES, CREATED)
        coming = await forums.create(uow, PERSON, forum_draft(others.id, starts_at=STARTS + timedelta(days=14),
                                                               ends_at=ENDS + timedelta(days=14), capacity=1),
                                     NOTICES, CREATED)
        for who in (me, other):
            await forum_rsvp.rsvp(uow, who, past.id, Attendance.REMOTE, NOTICES, CREATED)
        await forum_rsvp.rsvp(uow, me, coming.id, Attendance.IN_PERSON, NOTICES, CREATED)
        await forum_rsvp.rsvp(uow, other, coming.id, Attendance.WAITING, NOTICES, CREATED)
        uow.session.add(ForumReminder(forum_id=past.id, resident_id=me.id, minutes_before=60, queued_at=CREATED))
        await uow.commit()
        await forum_questions.ask(uow, me, past.id, "Miksi kirjasto sulkeutuu jo kello 16?", NOTICES, DURING)
        asked = await forum_questions.ask(uow, other, past.id, "Voisiko lauantaisin olla auki?", NOTICES, DURING)
        await forum_questions.decide(uow, PERSON, asked.id, True, NOTICES, DURING, who="Pekka")
        await forum_summaries.publish(uow, PERSON, SummaryDraft(past.id, {"fi": "Aukioloajat pidentyvät."}),
                                      NOTICES, ERASED_AT - timedelta(hours=1))

        made = [await surveys.create(uow, PERSON, survey_draft(anonymous=anonymous), CREATED)
                for anonymous in (False, True, False)]
        for survey, who in ((made[0], me), (made[0], other), (made[1], me), (made[1], other)):
            await answer_all(uow, who, survey.id, ENDS + timedelta(hours=1))
        await answer_all(uow, me, made[2].id, ENDS + timedelta(hours=1), upto=2)

        for key, step in ((f"fsm:{PERSON}:{PERSON}:default", "Proposing:title"),
                          (f"fsm:-100500:{PERSON}:default", None), (f"fsm:{OTHER}:{OTHER}:default", "Proposing:title")):
            await uow.conversations.save(Conversation(key, step, {"title": "Penkkejä"}), CREATED)
        await uow.commit()
        suggested = await uow.session.scalar(select(Proposal.id).where(
            Proposal.author_id == me.id, Proposal.id.not_in([approved.id, rejected.id, pending.id])))
        return Seeded(me.id, approved.id, [rejected.id, pending.id, suggested], past.id, coming.id)


# --- reading the store ---------------------------------------------------------------------------

def refers_to_residents(column) -> bool:
    return any(key.column.table.name == "residents" for key in column.foreign_keys)


def names_them(table, resident_id: int) -> ColumnElement[bool]:
    """Rows of `table` that point at the resident by their row id (the tombstone keeps it)."""
    if table.name == "residents":
        return table.c.id == resident_id
    if table.name == "survey_answers":
        return table.c.response_id.in_(select(SurveyResponse.id).where(SurveyResponse.resident_id == resident_id))
    return or_(false(), *(column == resident_id for column in table.columns if refers_to_residents(column)))


def carries(table, telegram_id: int) -> ColumnElement[bool]:
    """Rows of `table` holding the Telegram id: a number column equal to it, a text containing it."""
    found = [column == telegram_id for column in table.columns if isinstance(column.type, BigInteger)]
    found += [column.contains(str(telegram_id)) for column in table.columns if isinstance(column.type, (String, Text))]
    return or_(false(), *found)


async def count(uow, table, where: ColumnElement[bool] | None = None) -> int:
    statement = select(func.count()).select_from(table)
    return await uow.session.scalar(statement if where is None else statement.where(where))


async def linked(uow, resident_id: int) -> dict[str, int]:
    """Per table, the rows that name the resident by row id or Telegram id."""
    return {table.name: await count(uow, table, or_(names_them(table, resident_id), carries(table, PERSON)))
            for table in Base.metadata.sorted_tables}


async def orphans(uow) -> dict[str, int]:
    """Rows whose foreign key points at no row."""
    found = {}
    for table in Base.metadata.sorted_tables:
        for constraint in table.foreign_key_constraints:
            pairs = [(element.parent, element.column) for element in constraint.elements]
            target = pairs[0][1].table
            dangling = and_(*(mine.is_not(None) for mine, _ in pairs),
                            ~exists().select_from(target).where(*(theirs == mine for mine, theirs in pairs)))
            if lost := await count(uow, table, dangling):
                found[f"{table.name}.{constraint.name}"] = lost
    return found


@dataclass
class Tallies:
    supports: dict[int, int]
    reports: int
    votes: dict[int, int]
    responses: dict[int, int]
    answers: int
    participants: int
    attendance: dict[tuple[int, str], int]
    broadcasts: dict[int, tuple[int, ...]]


async def tallies(uow) -> Tallies:
    async def grouped(*columns) -> dict:
        rows = await uow.session.execute(select(*columns, func.count()).group_by(*columns))
        return {tuple(row[:-1]) if len(columns) > 1 else row[0]: row[-1] for row in rows}

    totals = {b.id: (b.total, b.sent, b.failed, b.blocked, b.cancelled)
              for b in await uow.session.scalars(select(Broadcast))}
    return Tallies(await grouped(Support.proposal_id), await count(uow, Base.metadata.tables["proposal_reports"]),
                   await grouped(Vote.option_id), await grouped(SurveyResponse.survey_id),
                   await count(uow, SurveyAnswer), await count(uow, SurveyParticipant),
                   await grouped(Rsvp.forum_id, Rsvp.attendance), totals)


async def consistent_outbox(uow) -> None:
    """Every broadcast's totals are the outcomes of its rows."""
    for broadcast in await uow.session.scalars(select(Broadcast)):
        statuses = dict((await uow.session.execute(
            select(Delivery.status, func.count()).where(Delivery.broadcast_id == broadcast.id)
            .group_by(Delivery.status))).all())
        assert broadcast.total == sum(statuses.values()), broadcast.id
        for status in ("sent", "failed", "blocked", "cancelled"):
            assert getattr(broadcast, status) == statuses.get(status, 0), (broadcast.id, status)


# --- the tests -----------------------------------------------------------------------------------

def test_every_table_has_a_stated_decision():
    assert set(TABLES) == set(Base.metadata.tables)
    assert set(privacy.EXPORTED) == {table for table, decision in TABLES.items() if decision.exported}


async def test_my_data_has_a_section_for_every_exported_table(uow_factory):
    seeded = await seed(uow_factory)
    async with uow_factory() as uow:
        me = await uow.residents.by_telegram_id(PERSON)
        found = await privacy.my_data(uow, me, SECRET, ERASED_AT)
    document = json.loads(found.as_json(ZoneInfo(ZONE)).decode("utf-8"))
    assert set(document["tables"]) == set(privacy.EXPORTED)
    assert [table for table, rows in document["tables"].items() if not rows] == []
    tables = document["tables"]
    assert document["exported_at"] == "2026-08-05T14:00:00+03:00"
    assert tables["residents"][0]["telegram_id"] == PERSON
    assert tables["residents"][0]["created_at"].endswith("+03:00")
    assert {row["id"] for row in tables["proposals"]} == {seeded.approved, *seeded.unpublished}
    assert tables["proposal_supports"][0]["proposal_title"] == "Kirjaston aukioloajat"
    assert [row["role"] for row in tables["staff_roles"]] == ["admin"]
    assert "granted_by" not in tables["staff_roles"][0]
    assert {row["key"] for row in tables["conversation_states"]} == {
        f"fsm:{PERSON}:{PERSON}:default", f"fsm:-100500:{PERSON}:default"}
    assert tables["survey_answers"][5]["text"] == "Hyvä ilta, kiitos!"
    # the anonymous survey: that they took part, found by the key; nothing of what they answered
    [anonymous] = [row for row in tables["survey_participants"] if row["survey_anonymous"]]
    assert (anonymous["finished"], anonymous["resident_id"], anonymous["draft"]) == (True, None, None)
    assert found.anonymous_surveys == 1 and found.count("survey_responses") == 1
    assert all(row["status"] == "pending" for row in tables["deliveries"])
    assert "Penkkejä torille" in found.as_json(ZoneInfo(ZONE)).decode("utf-8")  # UTF-8, not escaped


async def test_delete_erases_or_unlinks_every_table_as_decided(uow_factory, engine: AsyncEngine, caplog):
    seeded = await seed(uow_factory)
    async with uow_factory() as uow:
        before = await linked(uow, seeded.resident_id)
        counted = await tallies(uow)
    personal = {table for table, decision in TABLES.items() if decision.erasure != Erasure.NOT_PERSONAL}
    assert [table for table in sorted(personal) if not before[table]] == []  # every personal table seeded

    with caplog.at_level(logging.INFO, logger="bot.services.privacy"):
        async with uow_factory() as uow:
            me = await uow.residents.by_telegram_id(PERSON)
            await privacy.erase(uow, me, NOTICES, "fi", ERASED_AT)
    [line] = [record.getMessage() for record in caplog.records if record.name == "bot.services.privacy"]
    assert line.startswith(f"resident {pseudonym(PERSON)} erased their data: ") and str(PERSON) not in line

    async with uow_factory() as uow:
        after = await linked(uow, seeded.resident_id)
        now = await tallies(uow)
        tombstone = await uow.session.get(Resident, seeded.resident_id, populate_existing=True)
        assert (tombstone.telegram_id, tombstone.erased_at, tombstone.blocked_at) == (
            -seeded.resident_id, ERASED_AT, ERASED_AT)
        assert (tombstone.locale, tombstone.locale_confirmed, tombstone.resident_type, tombstone.area_id,
                tombstone.onboarded_at, tombstone.quiet_from, tombstone.quiet_until, tombstone.digest_weekday,
                tombstone.digest_hour, tombstone.created_at) == ("fi", False, None, None, None, 21, 8, None, 18,
                                                                 ERASED_AT)
        assert await uow.residents.by_telegram_id(PERSON) is None

        # nothing anywhere carries their Telegram id
        assert {table.name: n for table in Base.metadata.sorted_tables
                if (n := await count(uow, table, carries(table, PERSON)))} == {}
        for table, decision in TABLES.items():
            if decision.erasure == Erasure.DELETE:
                assert after[table] == 0, table
        # what never became public is gone with every message about it; their public theme stays, authorless
        assert await count(uow, Proposal, Proposal.id.in_(seeded.unpublished)) == 0
        subjects = [f"proposal:{pid}" for pid in seeded.unpublished]
        assert await count(uow, Broadcast, Broadcast.subject.in_(subjects)) == 0
        assert (await uow.session.get(Proposal, seeded.approved)).author_id is None
        assert (await uow.conversations.get(f"fsm:{OTHER}:{OTHER}:default")).state == "Proposing:title"
        # surveys: participations and responses counted, none of them theirs any more
        assert await count(uow, SurveyParticipant, SurveyParticipant.resident_id == seeded.resident_id) == 0
        assert await count(uow, SurveyResponse, SurveyResponse.resident_id == seeded.resident_id) == 0
        assert await count(uow, Delivery, and_(Delivery.resident_id == seeded.resident_id,
                                               Delivery.status == "pending")) == 0
        await consistent_outbox(uow)
        assert await orphans(uow) == {}

    # counts and results: what others see stays as it was
    assert now.votes == counted.votes and now.reports == counted.reports
    assert now.responses == counted.responses and now.answers == counted.answers
    assert now.participants == counted.participants
    assert {pid: n for pid, n in now.supports.items()} == {
        pid: n for pid, n in counted.supports.items() if pid not in seeded.unpublished}
    assert now.attendance[seeded.forum_past, "remote"] == counted.attendance[seeded.forum_past, "remote"]
    # their seat at the coming forum went to the one waiting
    assert now.attendance[seeded.forum_coming, "in_person"] == 1
    assert (seeded.forum_coming, "waiting") not in now.attendance
    assert now.attendance[seeded.forum_coming, "not_coming"] == 1
    async with uow_factory() as uow:
        told = await uow.session.scalars(select(Broadcast.kind).where(Broadcast.id.not_in(counted.broadcasts)))
        assert list(told) == ["forum_seat"]


async def test_a_failure_midway_erases_nothing(uow_factory, monkeypatch):
    seeded = await seed(uow_factory)
    async with uow_factory() as uow:
        before = await linked(uow, seeded.resident_id)

    async def broken(*args: Any) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(PersonalDataRepository, "replace_staff_id", broken)
    async with uow_factory() as uow:
        me = await uow.residents.by_telegram_id(PERSON)
        with pytest.raises(RuntimeError):
            await privacy.erase(uow, me, NOTICES, "fi", ERASED_AT)
    async with uow_factory() as uow:
        assert await linked(uow, seeded.resident_id) == before
