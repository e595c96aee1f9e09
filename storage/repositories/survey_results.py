"""What a survey's responses add up to: counts, texts, where people stopped – counted in the database.

Nothing here is ordered by time: an anonymous response has none, and rows come back by the
response's random id.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import String, cast, func, select

from storage.models import Broadcast, Survey, SurveyAnswer, SurveyParticipant, SurveyResponse
from storage.repositories.base import Repository


@dataclass(frozen=True)
class Tally:
    """How many responses of one resident group gave one answer to one question.

    A number (rating, scale, yes 1 / no 0, a single choice's option), a combination of options
    (multiple choice), or neither: a text.
    """

    question_id: int
    resident_type: str | None
    number: int | None
    choices: tuple[int, ...] | None
    responses: int


@dataclass(frozen=True)
class ExportedAnswer:
    response_id: str
    resident_type: str | None
    question_id: int | None  # None: a response with every question skipped
    number: int | None
    choices: list[int] | None
    text: str | None


class SurveyResultRepository(Repository):
    async def recent(self, offset: int, limit: int) -> Sequence[Survey]:
        """Surveys, the latest to open first."""
        statement = select(Survey).order_by(Survey.opens_at.desc(), Survey.id.desc()).offset(offset).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def responses(self, survey_id: int) -> dict[str | None, int]:
        """Finished responses per resident group."""
        statement = (select(SurveyResponse.resident_type, func.count()).where(SurveyResponse.survey_id == survey_id)
                     .group_by(SurveyResponse.resident_type))
        return {group: count for group, count in (await self.session.execute(statement)).all()}

    async def participants(self, survey_id: int) -> dict[tuple[int, bool], int]:
        """Everyone who started: (the furthest question reached, finished) → how many."""
        statement = (select(SurveyParticipant.furthest, SurveyParticipant.finished, func.count())
                     .where(SurveyParticipant.survey_id == survey_id)
                     .group_by(SurveyParticipant.furthest, SurveyParticipant.finished))
        return {(furthest, finished): count for furthest, finished, count in (await self.session.execute(statement))}

    async def tallies(self, survey_id: int) -> list[Tally]:
        """Every distinct answer to every question, per resident group, with how many gave it.

        A multiple choice is grouped by its combination of options (stored sorted), which the
        caller counts per option: at most 2^10 combinations, however many responses.
        """
        combination = cast(SurveyAnswer.choices, String)
        statement = (select(SurveyAnswer.question_id, SurveyResponse.resident_type, SurveyAnswer.number,
                            combination, func.count())
                     .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
                     .where(SurveyResponse.survey_id == survey_id)
                     .group_by(SurveyAnswer.question_id, SurveyResponse.resident_type, SurveyAnswer.number,
                               combination))
        return [Tally(question_id, group, number, _combination(choices), count)
                for question_id, group, number, choices, count in await self.session.execute(statement)]

    async def texts(self, question_id: int, offset: int, limit: int) -> tuple[list[str], int]:
        """A page of the written answers to a question, by the response's random id; and how many there are."""
        written = select(SurveyAnswer.text).where(SurveyAnswer.question_id == question_id,
                                                  SurveyAnswer.text.is_not(None))
        page = await self.session.scalars(written.order_by(SurveyAnswer.response_id).offset(offset).limit(limit))
        total = await self.session.scalar(written.with_only_columns(func.count()))
        return list(page), total or 0

    async def export(self, survey_id: int) -> list[ExportedAnswer]:
        """Every finished response with its answers, by the response's random id."""
        statement = (select(SurveyResponse.id, SurveyResponse.resident_type, SurveyAnswer.question_id,
                            SurveyAnswer.number, SurveyAnswer.choices, SurveyAnswer.text)
                     .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
                     .where(SurveyResponse.survey_id == survey_id)
                     .order_by(SurveyResponse.id, SurveyAnswer.question_id))
        return [ExportedAnswer(*row) for row in await self.session.execute(statement)]

    async def broadcast_total(self, kind: str, subject: str) -> int | None:
        """How many residents the first message of this kind about this subject went to (None: none sent)."""
        statement = (select(Broadcast.total).where(Broadcast.kind == kind, Broadcast.subject == subject)
                     .order_by(Broadcast.id).limit(1))
        return await self.session.scalar(statement)


def _combination(stored: str | None) -> tuple[int, ...] | None:
    """The options of a stored combination; None for a number or a text (SQL NULL or JSON null)."""
    options = None if stored is None else json.loads(stored)
    return None if options is None else tuple(options)
