"""The residents an Audience names, as a query the other repositories build on."""
from __future__ import annotations

from sqlalchemy import Select, select

from domain import Audience
from storage.models import Resident


def reachable() -> Select[tuple[int]]:
    """Every resident who has not blocked the bot."""
    return select(Resident.id).where(Resident.blocked_at.is_(None))


def residents_in(audience: Audience) -> Select[tuple[int]]:
    statement = reachable()
    if audience.area_ids:
        statement = statement.where(Resident.area_id.in_(audience.area_ids))
    if audience.resident_types:
        statement = statement.where(Resident.resident_type.in_(audience.resident_types))
    if audience.locales:
        statement = statement.where(Resident.locale.in_(audience.locales))
    return statement
