"""Staff roles: granted by admins (or the shell), checked on every staff action."""
from __future__ import annotations

from collections.abc import Sequence

from domain import PermissionDenied, Role
from storage.models import StaffRole
from storage.uow import UnitOfWork


async def roles_of(uow: UnitOfWork, telegram_id: int) -> set[Role]:
    return {Role(role) for role in await uow.staff.roles_of(telegram_id)}


async def require(uow: UnitOfWork, telegram_id: int, *allowed: Role) -> set[Role]:
    """The caller's roles; PermissionDenied unless one is allowed (admins always are)."""
    roles = await roles_of(uow, telegram_id)
    if Role.ADMIN in roles or roles.intersection(allowed):
        return roles
    raise PermissionDenied("staff role required")


async def grant(uow: UnitOfWork, telegram_id: int, role: Role, granted_by: int | None) -> bool:
    """Give a role; False when they already had it."""
    granted = await uow.staff.grant(telegram_id, Role(role).value, granted_by)
    await uow.commit()
    return granted


async def revoke(uow: UnitOfWork, telegram_id: int, role: Role | None = None) -> int:
    """Take one role (or all when role is None); returns how many were taken."""
    removed = await uow.staff.revoke(telegram_id, Role(role).value if role else None)
    await uow.commit()
    return removed


async def listing(uow: UnitOfWork) -> Sequence[StaffRole]:
    return await uow.staff.all()


async def ensure_admins(uow: UnitOfWork, telegram_ids: Sequence[int]) -> None:
    """Make the configured ADMIN_IDS admins (never removes anyone)."""
    for telegram_id in telegram_ids:
        await uow.staff.grant(telegram_id, Role.ADMIN.value, None)
    await uow.commit()
