"""Forums and the RSVPs to them."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, union

from domain import ATTENDING
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
        """The forum, locked until commit on PostgreSQL (SQLite writers take turns anyway)."""
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
