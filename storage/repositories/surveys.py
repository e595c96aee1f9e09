"""Surveys, and taking one: participants (one each, by keyed hash), their progress, finished responses."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update

from storage.models import Survey, SurveyAnswer, SurveyParticipant, SurveyResponse
from storage.repositories.base import Repository


class SurveyRepository(Repository):
    async def add(self, survey: Survey) -> Survey:
        self.session.add(survey)
        await self.session.flush()
        return survey

    async def get(self, survey_id: int) -> Survey | None:
        return await self.session.get(Survey, survey_id)

    async def open_at(self, now: datetime) -> Sequence[Survey]:
        """Surveys open now, closing soonest first."""
        statement = (select(Survey).where(Survey.opens_at <= now, Survey.closes_at > now)
                     .order_by(Survey.closes_at, Survey.id))
        return (await self.session.scalars(statement)).all()

    async def recent(self, since: datetime, limit: int) -> Sequence[Survey]:
        """Surveys not closed before `since`, the latest opening first."""
        statement = (select(Survey).where(Survey.closes_at > since)
                     .order_by(Survey.opens_at.desc(), Survey.id.desc()).limit(limit))
        return (await self.session.scalars(statement)).all()

    async def response_counts(self, survey_ids: Sequence[int]) -> dict[int, int]:
        """Finished responses per survey (surveys without any left out)."""
        statement = (select(SurveyResponse.survey_id, func.count()).where(SurveyResponse.survey_id.in_(survey_ids))
                     .group_by(SurveyResponse.survey_id))
        return {survey_id: count for survey_id, count in (await self.session.execute(statement)).all()}

    # --- taking a survey ---------------------------------------------------------------------------

    async def participant(self, survey_id: int, key: str, lock: bool = False) -> SurveyParticipant | None:
        """A resident's participant row; `lock`: re-read and locked until commit, so their answers
        are taken one at a time (SQLite: an idle write takes the writers' turn first)."""
        if lock and self.session.get_bind().dialect.name == "sqlite":
            await self.session.execute(
                update(SurveyParticipant)
                .where(SurveyParticipant.survey_id == survey_id, SurveyParticipant.key == key)
                .values(position=SurveyParticipant.position).execution_options(synchronize_session=False))
        return await self.session.get(SurveyParticipant, (survey_id, key), with_for_update=lock,
                                      populate_existing=True)

    async def join(self, participant: SurveyParticipant) -> bool:
        """Add a participant unless one with the same key exists (the same resident, at once)."""
        values = {column.key: getattr(participant, column.key) for column in SurveyParticipant.__table__.columns}
        statement = (self.insert(SurveyParticipant).values(**values)
                     .on_conflict_do_nothing(index_elements=["survey_id", "key"]))
        return (await self.session.execute(statement)).rowcount == 1

    async def mark_finished(self, survey_id: int, key: str, anonymous: bool) -> bool:
        """Finish a participant exactly once; an anonymous one keeps nothing but its key."""
        values: dict[str, object] = {"finished": True, "draft": None}
        if anonymous:
            values.update(resident_id=None, started_at=None)
        statement = (update(SurveyParticipant)
                     .where(SurveyParticipant.survey_id == survey_id, SurveyParticipant.key == key,
                            SurveyParticipant.finished.is_(False))
                     .values(**values).execution_options(synchronize_session=False))
        return (await self.session.execute(statement)).rowcount == 1

    async def add_response(self, response: SurveyResponse, answers: Sequence[SurveyAnswer]) -> None:
        self.session.add(response)
        await self.session.flush()
        self.session.add_all(answers)
        await self.session.flush()

    async def unfinished(self, resident_id: int, now: datetime) -> Sequence[tuple[Survey, SurveyParticipant]]:
        """Open surveys the resident has started and not finished, closing soonest first."""
        statement = (select(Survey, SurveyParticipant)
                     .join(SurveyParticipant, SurveyParticipant.survey_id == Survey.id)
                     .where(SurveyParticipant.resident_id == resident_id, SurveyParticipant.finished.is_(False),
                            Survey.opens_at <= now, Survey.closes_at > now)
                     .order_by(Survey.closes_at, Survey.id))
        return [tuple(row) for row in (await self.session.execute(statement)).all()]
