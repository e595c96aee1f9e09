from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from storage.models import Area
from storage.repositories.base import Repository


LISTING = select(Area).order_by(Area.sort_order, Area.name_fi)


class AreaRepository(Repository):
    async def get(self, area_id: int) -> Area | None:
        return await self.session.get(Area, area_id)

    async def listing(self) -> Sequence[Area]:
        """Every area in the order they are shown (a city has tens of them, not thousands)."""
        return (await self.session.scalars(LISTING)).all()

    async def upsert(self, code: str, kind: str, names: dict[str, str], sort_order: int) -> None:
        values = {
            "code": code,
            "kind": kind,
            "name_fi": names["fi"],
            "name_sv": names["sv"],
            "name_en": names["en"],
            "sort_order": sort_order,
        }
        statement = self.insert(Area).values(**values)
        statement = statement.on_conflict_do_update(index_elements=["code"], set_=values)
        await self.session.execute(statement)
