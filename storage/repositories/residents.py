from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select

from storage.models import Resident
from storage.repositories.base import Repository


class ResidentRepository(Repository):
    async def by_telegram_id(self, telegram_id: int) -> Resident | None:
        return await self.session.scalar(select(Resident).where(Resident.telegram_id == telegram_id))

    async def locales_of(self, telegram_ids: Collection[int]) -> dict[int, str]:
        """The language of each of these Telegram users who has a profile."""
        rows = await self.session.execute(
            select(Resident.telegram_id, Resident.locale).where(Resident.telegram_id.in_(telegram_ids))
        )
        return dict(rows.all())

    async def get_or_create(self, telegram_id: int, locale: str, now: datetime) -> Resident:
        """The resident for this Telegram user; created (race-safe) on first contact.

        Reads first, so the common case starts no write transaction.
        """
        existing = await self.by_telegram_id(telegram_id)
        if existing is not None:
            return existing
        statement = (
            self.insert(Resident)
            .values(telegram_id=telegram_id, locale=locale, locale_confirmed=False, created_at=now)
            .on_conflict_do_nothing(index_elements=["telegram_id"])
        )
        await self.session.execute(statement)
        resident = await self.by_telegram_id(telegram_id)
        assert resident is not None
        return resident
