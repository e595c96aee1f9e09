"""Staff pieces several feature routers share: the editor check and language-by-language drafts."""
from __future__ import annotations

from bot.services import staff
from domain import LOCALES, Role
from storage.models import Resident
from storage.uow import UnitOfWork


async def editor(uow: UnitOfWork, resident: Resident) -> None:
    """PermissionDenied (the errors router's polite refusal) unless the resident is an editor."""
    await staff.require(uow, resident.telegram_id, Role.EDITOR)


def language_order(default: str) -> list[str]:
    """The city's default language first, then the others: the order staff write texts in."""
    return [default] + [code for code in LOCALES if code != default]


def toggled(values: tuple, value: object) -> tuple:
    """`values` with `value` taken out, or added when it was not there (a tapped toggle)."""
    return tuple(v for v in values if v != value) if value in values else (*values, value)
