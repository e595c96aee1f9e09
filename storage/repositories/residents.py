from __future__ import annotations

from sqlalchemy import select

from storage.models import Resident
from storage.repositories.base import Repository


class ResidentRepository(Repository):
    async def by_telegram_id(self, telegram_id: int) -> Resident | None:
        return await self.session.scalar(select(Resident).where(Resident.telegram_id == telegram_id))

    async def get_or_create(self, telegram_id: int, locale: str) -> Resident:
        """The resident for this Telegram user; created (race-safe) on first contact.

        Reads first, so the common case starts no write transaction.
        """
        existing = await self.by_telegram_id(telegram_id)
        if existing is not None:
            return existing
        statement = (
            self.insert(Resident)
            .values(telegram_id=telegram_id, locale=locale, locale_confirmed=False)
            .on_conflict_do_nothing(index_elements=["telegram_id"])
        )
        await self.session.execute(statement)
        resident = await self.by_telegram_id(telegram_id)
        assert resident is not None
        return resident
