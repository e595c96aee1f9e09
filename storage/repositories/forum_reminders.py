"""Forum reminders recorded per (forum, resident, reminder), set-based; who gets one and how."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, literal, select
from sqlalchemy.exc import IntegrityError

from domain import ATTENDING
from storage.models import Forum, ForumReminder, Resident, Rsvp
from storage.repositories.base import Repository

ID_CHUNK = 500


@dataclass(frozen=True)
class Reminded:
    """A resident just recorded for a reminder: how they take part, and their quiet hours."""

    resident_id: int
    attendance: str
    quiet_from: int
    quiet_until: int


class ForumReminderRepository(Repository):
    async def forums_to_remind(self, now: datetime, horizon: timedelta) -> Sequence[Forum]:
        """Announced forums not over yet that start within `horizon`, the soonest first."""
        statement = (select(Forum).where(Forum.announced_at.is_not(None), Forum.ends_at > now,
                                         Forum.starts_at <= now + horizon)
                     .order_by(Forum.starts_at, Forum.id))
        return (await self.session.scalars(statement)).all()

    async def record(self, forum_id: int, minutes_before: int, now: datetime,
                     responded_before: datetime | None = None) -> list[int] | None:
        """Record this reminder for everyone attending the forum (who answered before
        `responded_before`, when given) who has not had it; returns the residents recorded.

        None when another process recorded some of the same rows at the same moment: the
        primary key refused them and this transaction has been rolled back.
        """
        already = select(ForumReminder.resident_id).where(
            ForumReminder.forum_id == forum_id, ForumReminder.resident_id == Rsvp.resident_id,
            ForumReminder.minutes_before == minutes_before)
        owed = select(literal(forum_id), Rsvp.resident_id, literal(minutes_before),
                      literal(now, ForumReminder.queued_at.type)).where(
            Rsvp.forum_id == forum_id, Rsvp.attendance.in_(ATTENDING), ~already.exists())
        if responded_before is not None:
            owed = owed.where(Rsvp.responded_at < responded_before)
        statement = (insert(ForumReminder)
                     .from_select(["forum_id", "resident_id", "minutes_before", "queued_at"], owed)
                     .returning(ForumReminder.resident_id))
        try:
            return list((await self.session.scalars(statement)).all())
        except IntegrityError:
            await self.session.rollback()
            return None

    async def reminded(self, forum_id: int, resident_ids: Sequence[int]) -> list[Reminded]:
        """How these residents take part in the forum, with their quiet hours."""
        found = []
        unique = sorted(set(resident_ids))
        for start in range(0, len(unique), ID_CHUNK):
            rows = await self.session.execute(
                select(Rsvp.resident_id, Rsvp.attendance, Resident.quiet_from, Resident.quiet_until)
                .join(Resident, Resident.id == Rsvp.resident_id)
                .where(Rsvp.forum_id == forum_id, Rsvp.resident_id.in_(unique[start:start + ID_CHUNK])))
            found.extend(Reminded(*row) for row in rows)
        return found
