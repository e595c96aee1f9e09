"""A forum's attendance figures: in person and remotely, by resident group, small groups hidden."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from domain import Attendance, hidden_groups
from storage.models import Forum
from storage.uow import UnitOfWork

UNKNOWN_GROUP = "unknown"  # residents who have not said which resident group they belong to


@dataclass(frozen=True)
class Figures:
    """How many came in person and remotely; per resident group {group: (in person, remotely)}
    with the groups too small to show left out, and how many residents those hidden groups hold."""

    in_person: int
    remote: int
    by_group: dict[str, tuple[int, int]] = field(default_factory=dict)
    hidden: int = 0

    @property
    def total(self) -> int:
        return self.in_person + self.remote

    def as_json(self) -> dict[str, Any]:
        return {"in_person": self.in_person, "remote": self.remote, "hidden": self.hidden,
                "by_group": {group: list(counts) for group, counts in self.by_group.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        return cls(data["in_person"], data["remote"],
                   {group: (counts[0], counts[1]) for group, counts in data["by_group"].items()},
                   data.get("hidden", 0))


async def figures(uow: UnitOfWork, forum: Forum) -> Figures:
    totals: Counter[str] = Counter()
    groups: dict[str, Counter[str]] = {}
    for attendance, resident_type, residents in await uow.forums.attendance_counts(forum.id):
        totals[attendance] += residents
        groups.setdefault(resident_type or UNKNOWN_GROUP, Counter())[attendance] += residents
    hidden = hidden_groups({group: sum(counts.values()) for group, counts in groups.items()})
    return Figures(
        totals[Attendance.IN_PERSON], totals[Attendance.REMOTE],
        {group: (counts[Attendance.IN_PERSON], counts[Attendance.REMOTE])
         for group, counts in sorted(groups.items()) if group not in hidden},
        sum(sum(groups[group].values()) for group in hidden),
    )
