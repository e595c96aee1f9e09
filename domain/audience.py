"""Who a message reaches, as a filter the store turns into one set-based query."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Audience:
    """Residents matching every non-empty criterion; all empty means everyone.

    Within a criterion the values are alternatives: areas (1, 2) means either area.
    """

    area_ids: tuple[int, ...] = ()
    resident_types: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()

    def includes(self, area_id: int | None, resident_type: str | None, locale: str | None = None) -> bool:
        return ((not self.area_ids or area_id in self.area_ids)
                and (not self.resident_types or resident_type in self.resident_types)
                and (not self.locales or locale in self.locales))

    @property
    def everyone(self) -> bool:
        return not (self.area_ids or self.resident_types or self.locales)

    def as_json(self) -> dict[str, Any]:
        return {"area_ids": list(self.area_ids), "resident_types": list(self.resident_types),
                "locales": list(self.locales)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(tuple(data.get("area_ids", ())), tuple(data.get("resident_types", ())),
                   tuple(data.get("locales", ())))
