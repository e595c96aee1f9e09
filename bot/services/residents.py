"""Residents: first contact, language, who they are and where."""
from __future__ import annotations

from datetime import datetime

from domain import LOCALES, NotFound, ResidentType
from storage.models import Resident
from storage.uow import UnitOfWork


async def greet(uow: UnitOfWork, telegram_id: int, locale: str, now: datetime) -> Resident:
    """The resident behind a Telegram user, created on first contact."""
    resident = await uow.residents.get_or_create(telegram_id, locale, now)
    await uow.commit()
    return resident


async def choose_language(uow: UnitOfWork, resident: Resident, locale: str) -> None:
    if locale not in LOCALES:
        raise NotFound("unknown language")
    resident.locale = locale
    resident.locale_confirmed = True
    await uow.commit()


async def choose_resident_type(uow: UnitOfWork, resident: Resident, resident_type: str) -> None:
    if resident_type not in ResidentType.__members__.values():
        raise NotFound("unknown resident type")
    resident.resident_type = resident_type
    await uow.commit()


async def choose_area(uow: UnitOfWork, resident: Resident, area_id: int | None) -> None:
    """Set the home area; None means the whole city."""
    area = None if area_id is None else await uow.areas.get(area_id)
    if area_id is not None and area is None:
        raise NotFound("unknown area")
    resident.area = area
    await uow.commit()


async def finish_onboarding(uow: UnitOfWork, resident: Resident, now: datetime) -> None:
    if resident.onboarded_at is None:
        resident.onboarded_at = now
        await uow.commit()
