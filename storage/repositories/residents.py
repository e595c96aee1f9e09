from __future__ import annotations

from sqlalchemy import select

from storage.models import Resident
from storage.repositories.base import Repository


class ResidentRepository(Repository):
    async def by_telegram_id(self, telegram_id: int) -> Resident | None:
        return await self.session.scalar(select(Resident).where(Resident.telegram_id == telegram_id))

    async def get_or_create(self, telegram_id: int, locale: str) -> tuple[Resident, bool]:
        """The resident for this Telegram user; created (race-safe) on first contact."""
        statement = (
            self.insert(Resident)
            .values(telegram_id=telegram_id, locale=locale, locale_confirmed=False)
            .on_conflict_do_nothing(index_elements=["telegram_id"])
        )
        created = (await self.session.execute(statement)).rowcount == 1
        resident = await self.by_telegram_id(telegram_id)
        assert resident is not None
        return resident, created
