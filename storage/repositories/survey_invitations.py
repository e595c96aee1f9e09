"""Survey invitations and the one reminder: which surveys are waiting for them, marking each done
exactly once, and who gets them."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from domain import ATTENDING
from storage.models import Forum, Resident, Rsvp, Survey, SurveyParticipant
from storage.repositories.base import Repository


@dataclass(frozen=True)
class Straggler:
    """A resident who started a survey and has not finished it: how far they got, their quiet hours."""

    resident_id: int
    furthest: int
    quiet_from: int
    quiet_until: int


class SurveyInvitationRepository(Repository):
    async def not_invited(self, now: datetime) -> Sequence[tuple[Survey, datetime | None]]:
        """Surveys opened by now and not invited yet (closed ones too), with their forum's end (or None)."""
        statement = (select(Survey, Forum.ends_at).outerjoin(Forum, Forum.id == Survey.forum_id)
                     .where(Survey.invited_at.is_(None), Survey.opens_at <= now)
                     .order_by(Survey.opens_at, Survey.id))
        return [tuple(row) for row in (await self.session.execute(statement)).all()]

    async def not_reminded(self, now: datetime) -> Sequence[tuple[Survey, datetime | None]]:
        """Open surveys whose reminder has not gone out, with their forum's end (or None)."""
        statement = (select(Survey, Forum.ends_at).outerjoin(Forum, Forum.id == Survey.forum_id)
                     .where(Survey.reminded_at.is_(None), Survey.opens_at <= now, Survey.closes_at > now)
                     .order_by(Survey.closes_at, Survey.id))
        return [tuple(row) for row in (await self.session.execute(statement)).all()]

    async def mark(self, survey_id: int, unset: str, now: datetime) -> bool:
        """Set the moment column `unset` only while it is empty: true for exactly one caller."""
        column = getattr(Survey, unset)
        statement = update(Survey).where(Survey.id == survey_id, column.is_(None)).values({unset: now})
        changed = await self.session.execute(statement.execution_options(synchronize_session=False))
        return changed.rowcount == 1

    async def attendee_ids(self, forum_id: int) -> list[int]:
        """Residents coming to the forum in person or remotely."""
        statement = select(Rsvp.resident_id).where(Rsvp.forum_id == forum_id, Rsvp.attendance.in_(ATTENDING))
        return list((await self.session.scalars(statement.order_by(Rsvp.resident_id))).all())

    async def stragglers(self, survey_id: int) -> list[Straggler]:
        """Residents who started the survey and have not finished it."""
        statement = (select(SurveyParticipant.resident_id, SurveyParticipant.furthest,
                            Resident.quiet_from, Resident.quiet_until)
                     .join(Resident, Resident.id == SurveyParticipant.resident_id)
                     .where(SurveyParticipant.survey_id == survey_id, SurveyParticipant.finished.is_(False))
                     .order_by(SurveyParticipant.resident_id))
        return [Straggler(*row) for row in (await self.session.execute(statement)).all()]
