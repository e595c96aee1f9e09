"""What must hold in the store whatever was sent to the bot: each check lists what it found wrong."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.fsm.state import StatesGroup
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from handlers import FEATURES
from storage.models import (
    Ballot, BallotOption, Base, Broadcast, ConversationState, Delivery, Forum, Rsvp, StaffRole, Survey,
    SurveyAnswer, SurveyParticipant, SurveyQuestion, SurveyResponse, Vote,
)

Check = Callable[[AsyncConnection], Awaitable[list[str]]]
BROADCAST_TOTALS = ("sent", "failed", "blocked", "cancelled")


async def rows(connection: AsyncConnection, statement) -> list[tuple]:
    return [tuple(row) for row in await connection.execute(statement)]


async def orphans(connection: AsyncConnection) -> list[str]:
    """Every foreign key of every table points at a row that exists (and a ballot's decision at
    one of its own options, which no foreign key says)."""
    found = []
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_key_constraints:
            parent = key.referred_table.alias("parent")
            pairs = [(element.parent, parent.c[element.column.name]) for element in key.elements]
            joined = table.outerjoin(parent, and_(*[child == referred for child, referred in pairs]))
            statement = (select(func.count()).select_from(joined)
                         .where(*[child.is_not(None) for child, _ in pairs], pairs[0][1].is_(None)))
            if count := await connection.scalar(statement):
                found.append(f"{count} rows of {table.name} point at no {key.referred_table.name}")
    own_option = (select(BallotOption.id)
                  .where(BallotOption.id == Ballot.decided_option_id, BallotOption.ballot_id == Ballot.id))
    if undecided := await connection.scalar(select(func.count()).select_from(Ballot).where(
            Ballot.decided_option_id.is_not(None), ~own_option.exists())):
        found.append(f"{undecided} ballots decided for an option not theirs")
    return found


async def one_vote_set_each(connection: AsyncConnection) -> list[str]:
    """A resident has at most max_choices votes in a ballot, one of them in slot 1, all cast
    while it was open."""
    too_many = await rows(connection, select(Vote.ballot_id, Vote.resident_id)
                          .group_by(Vote.ballot_id, Vote.resident_id)
                          .having(or_(func.count() > func.max(Vote.max_choices),
                                      func.sum(case((Vote.slot == 1, 1), else_=0)) != 1)))
    not_open = or_(Vote.cast_at < Ballot.opens_at, Vote.cast_at > Ballot.closes_at,
                   and_(Ballot.closed_at.is_not(None), Vote.cast_at > Ballot.closed_at))
    outside = await rows(connection, select(Vote.ballot_id, Vote.resident_id)
                         .join(Ballot, Ballot.id == Vote.ballot_id).where(not_open))
    return ([f"ballot {b}: resident {r} holds more votes than allowed or none in slot 1" for b, r in too_many]
            + [f"ballot {b}: resident {r} voted while it was not open" for b, r in outside])


async def one_response_each(connection: AsyncConnection) -> list[str]:
    """A survey has one response per finished participant key; anonymous ones keep no one's name;
    answers belong to questions of the response's own survey."""
    finished = (select(func.count())
                .where(SurveyParticipant.survey_id == Survey.id, SurveyParticipant.finished).scalar_subquery())
    responses = select(func.count()).where(SurveyResponse.survey_id == Survey.id).scalar_subquery()
    uneven = await rows(connection, select(Survey.id, finished, responses).where(finished != responses))
    named = await rows(connection, select(SurveyResponse.survey_id)
                       .join(Survey, Survey.id == SurveyResponse.survey_id)
                       .where(Survey.anonymous, or_(SurveyResponse.resident_id.is_not(None),
                                                    SurveyResponse.finished_at.is_not(None))))
    # Read, not compared in SQL: a JSON column holds None as JSON null, which IS NOT NULL.
    traces = (SurveyParticipant.resident_id, SurveyParticipant.started_at, SurveyParticipant.draft)
    finished_anonymously = await rows(connection, select(SurveyParticipant.survey_id, *traces)
                                      .join(Survey, Survey.id == SurveyParticipant.survey_id)
                                      .where(Survey.anonymous, SurveyParticipant.finished))
    kept = {survey_id for survey_id, *left in finished_anonymously if any(trace is not None for trace in left)}
    strays = await connection.scalar(
        select(func.count()).select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyQuestion.survey_id != SurveyResponse.survey_id))
    return ([f"survey {s}: {f} finished participants but {r} responses" for s, f, r in uneven]
            + [f"anonymous survey {s} has a response with a name or time" for (s,) in named]
            + [f"anonymous survey {s} keeps who finished it" for s in sorted(kept)]
            + ([f"{strays} answers to another survey's questions"] if strays else []))


async def broadcast_totals(connection: AsyncConnection) -> list[str]:
    """A broadcast's running totals are the counts of its outbox rows."""
    counted = [func.count(Delivery.id)] + [func.sum(case((Delivery.status == status, 1), else_=0))
                                           for status in BROADCAST_TOTALS]
    kept = [Broadcast.total] + [getattr(Broadcast, status) for status in BROADCAST_TOTALS]
    statement = (select(Broadcast.id, *kept, *counted).outerjoin(Delivery, Delivery.broadcast_id == Broadcast.id)
                 .group_by(Broadcast.id, *kept))
    found = []
    for broadcast_id, *numbers in await rows(connection, statement):
        totals, counts = numbers[:len(kept)], [count or 0 for count in numbers[len(kept):]]
        if totals != counts:
            found.append(f"broadcast {broadcast_id}: totals {totals} but rows {counts} "
                         f"(total, {', '.join(BROADCAST_TOTALS)})")
    return found


async def seats(connection: AsyncConnection) -> list[str]:
    """No more come in person than the room holds."""
    in_person = (select(func.count()).where(Rsvp.forum_id == Forum.id, Rsvp.attendance == "in_person")
                 .scalar_subquery())
    over = await rows(connection, select(Forum.id, Forum.capacity, in_person)
                      .where(Forum.capacity.is_not(None), in_person > Forum.capacity))
    return [f"forum {f}: {n} in person in a room of {c}" for f, c, n in over]


def known_steps() -> set[str]:
    """The steps of every feature's conversations."""
    return {name for feature in FEATURES for value in vars(feature).values()
            if isinstance(value, type) and issubclass(value, StatesGroup) for name in value.__all_states_names__}


async def conversation_steps(connection: AsyncConnection) -> list[str]:
    """Every conversation is at a step some feature knows (or at none)."""
    names = await rows(connection, select(ConversationState.state).where(ConversationState.state.is_not(None)))
    unknown = {name for (name,) in names} - known_steps()
    return [f"conversations stuck at unknown steps {sorted(unknown)}"] if unknown else []


CHECKS: tuple[Check, ...] = (orphans, one_vote_set_each, one_response_each, broadcast_totals, seats,
                             conversation_steps)


async def broken(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return [problem for check in CHECKS for problem in await check(connection)]


async def staff_roles(engine: AsyncEngine) -> set[tuple[int, str]]:
    """Who holds which staff role: no chat may grant one (/delete takes a member's own away)."""
    async with engine.connect() as connection:
        return set(await rows(connection, select(StaffRole.telegram_id, StaffRole.role)))
