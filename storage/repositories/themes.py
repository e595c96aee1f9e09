from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from storage.models import Follower, TimelineEntry
from storage.repositories.marks import MarkRepository


class ThemeRepository(MarkRepository):
    """A theme's followers and its public timeline."""

    async def follow(self, proposal_id: int, resident_id: int, moment: datetime) -> bool:
        return await self.add_mark(Follower, proposal_id, resident_id, moment)

    async def unfollow(self, proposal_id: int, resident_id: int) -> bool:
        return await self.remove_mark(Follower, proposal_id, resident_id)

    async def follows(self, proposal_id: int, resident_id: int) -> bool:
        return await self.has_mark(Follower, proposal_id, resident_id)

    async def follower_ids(self, proposal_id: int) -> Sequence[int]:
        return await self.marked_by(Follower, proposal_id)

    async def add_entry(
        self,
        proposal_id: int,
        status: str,
        notes: dict[str, str | None],
        created_by: int | None,
        moment: datetime,
    ) -> TimelineEntry:
        entry = TimelineEntry(
            proposal_id=proposal_id,
            status=status,
            created_by=created_by,
            created_at=moment,
            note_fi=notes.get("fi"),
            note_sv=notes.get("sv"),
            note_en=notes.get("en"),
        )
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def timeline(self, proposal_id: int) -> Sequence[TimelineEntry]:
        statement = (
            select(TimelineEntry)
            .where(TimelineEntry.proposal_id == proposal_id)
            .order_by(TimelineEntry.created_at, TimelineEntry.id)
        )
        return (await self.session.scalars(statement)).all()
