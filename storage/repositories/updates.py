from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from storage.models import ProcessedUpdate
from storage.repositories.base import Repository


class ProcessedUpdateRepository(Repository):
    async def claim(self, bot_id: int, update_id: int, now: datetime) -> bool:
        """Record the update as taken; False when it was taken before."""
        statement = (
            self.insert(ProcessedUpdate)
            .values(bot_id=bot_id, update_id=update_id, processed_at=now)
            .on_conflict_do_nothing()
        )
        return (await self.session.execute(statement)).rowcount == 1

    async def forget_before(self, moment: datetime) -> int:
        statement = delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < moment)
        return (await self.session.execute(statement)).rowcount
