"""Forums and the RSVPs to them."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, union, update

from domain import ATTENDING, Attendance
from storage.models import Follower, Forum, Rsvp, Support
from storage.repositories.base import Repository


class ForumRepository(Repository):
    async def add(self, forum: Forum) -> Forum:
        self.session.add(forum)
        await self.session.flush()
        return forum

    async def get(self, forum_id: int) -> Forum | None:
        return await self.session.get(Forum, forum_id)

    async def lock(self, forum_id: int) -> Forum | None:
        """The forum, re-read and locked until commit, so what is counted next stays true until then.

        PostgreSQL locks the row. SQLite runs reads outside a transaction until the first write,
        so an idle write first takes the writers' turn (see storage/db.py) and opens the transaction.
        """
        if self.session.get_bind().dialect.name == "sqlite":
            await self.session.execute(update(Forum).where(Forum.id == forum_id)
                                       .values(announced_at=Forum.announced_at)
                                       .execution_options(synchronize_session=False))
        return await self.session.get(Forum, forum_id, with_for_update=True, populate_existing=True)

    async def upcoming(self, now: datetime, offset: int, limit: int) -> Sequence[Forum]:
        """Announced forums that have not ended, the soonest first."""
        statement = (select(Forum).where(Forum.announced_at.is_not(None), Forum.ends_at > now)
                     .order_by(Forum.starts_at, Forum.id).offset(offset).limit(limit))
        return (await self.session.scalars(statement)).all()

    async def theme_audience(self, theme_id: int) -> Sequence[int]:
        """The residents who follow or support a theme."""
        statement = union(select(Follower.resident_id).where(Follower.proposal_id == theme_id),
                          select(Support.resident_id).where(Support.proposal_id == theme_id))
        return (await self.session.scalars(statement)).all()

    async def attendance_counts(self, forum_id: int) -> Sequence[tuple[str, str | None, int]]:
        """(attendance, resident type, residents) for everyone coming, in person or remotely."""
        statement = (select(Rsvp.attendance, Rsvp.resident_type, func.count())
                     .where(Rsvp.forum_id == forum_id, Rsvp.attendance.in_(ATTENDING))
                     .group_by(Rsvp.attendance, Rsvp.resident_type))
        return [tuple(row) for row in (await self.session.execute(statement)).all()]

    # --- RSVPs ---------------------------------------------------------------------------------

    async def rsvp_of(self, forum_id: int, resident_id: int) -> Rsvp | None:
        return await self.session.get(Rsvp, (forum_id, resident_id), populate_existing=True)

    async def save_rsvp(self, rsvp: Rsvp) -> None:
        self.session.add(rsvp)
        await self.session.flush()

    async def headcount(self, forum_id: int) -> dict[str, int]:
        """How many residents gave each answer: {attendance: residents}."""
        statement = (select(Rsvp.attendance, func.count()).where(Rsvp.forum_id == forum_id)
                     .group_by(Rsvp.attendance))
        return {attendance: count for attendance, count in (await self.session.execute(statement)).all()}

    async def first_waiting(self, forum_id: int) -> Rsvp | None:
        """Who has waited longest for a seat."""
        statement = (select(Rsvp).where(Rsvp.forum_id == forum_id, Rsvp.attendance == Attendance.WAITING)
                     .order_by(Rsvp.responded_at, Rsvp.resident_id).limit(1))
        return await self.session.scalar(statement)
