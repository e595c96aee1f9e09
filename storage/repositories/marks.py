from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select

from storage.models.proposals import ResidentMark
from storage.repositories.base import Repository


class MarkRepository(Repository):
    """Supports, reports and follows: at most one per resident and proposal (the primary key)."""

    async def add_mark(
        self, model: type[ResidentMark], proposal_id: int, resident_id: int, moment: datetime
    ) -> bool:
        """False when the resident had already marked it."""
        statement = (
            self.insert(model)
            .values(proposal_id=proposal_id, resident_id=resident_id, created_at=moment)
            .on_conflict_do_nothing()
        )
        return (await self.session.execute(statement)).rowcount == 1

    async def remove_mark(
        self, model: type[ResidentMark], proposal_id: int, resident_id: int
    ) -> bool:
        statement = delete(model).where(
            model.proposal_id == proposal_id, model.resident_id == resident_id
        )
        return (await self.session.execute(statement)).rowcount == 1

    async def has_mark(self, model: type[ResidentMark], proposal_id: int, resident_id: int) -> bool:
        statement = select(model.resident_id).where(
            model.proposal_id == proposal_id, model.resident_id == resident_id
        )
        return await self.session.scalar(statement) is not None

    async def marked_by(self, model: type[ResidentMark], proposal_id: int) -> Sequence[int]:
        """Ids of the residents who marked the proposal."""
        return (
            await self.session.scalars(
                select(model.resident_id).where(model.proposal_id == proposal_id)
            )
        ).all()
