from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from storage.models import StaffRole
from storage.repositories.base import Repository


class StaffRepository(Repository):
    async def roles_of(self, telegram_id: int) -> set[str]:
        statement = select(StaffRole.role).where(StaffRole.telegram_id == telegram_id)
        return set((await self.session.scalars(statement)).all())

    async def grant(self, telegram_id: int, role: str, granted_by: int | None) -> bool:
        statement = (
            self.insert(StaffRole)
            .values(telegram_id=telegram_id, role=role, granted_by=granted_by)
            .on_conflict_do_nothing()
        )
        return (await self.session.execute(statement)).rowcount == 1

    async def revoke(self, telegram_id: int, role: str | None) -> int:
        statement = delete(StaffRole).where(StaffRole.telegram_id == telegram_id)
        if role is not None:
            statement = statement.where(StaffRole.role == role)
        return (await self.session.execute(statement)).rowcount

    async def all(self) -> Sequence[StaffRole]:
        statement = select(StaffRole).order_by(StaffRole.telegram_id, StaffRole.role)
        return (await self.session.scalars(statement)).all()

    async def holders_of(self, roles: set[str]) -> Sequence[int]:
        statement = select(StaffRole.telegram_id).where(StaffRole.role.in_(roles)).distinct()
        return (await self.session.scalars(statement)).all()
