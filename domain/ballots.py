"""Theme votes: how a ballot is counted and shown, in words every floor shares."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.text import N_

MIN_OPTIONS, MAX_OPTIONS = 2, 12
SMALL_GROUP = 5  # a breakdown hides any group with fewer voters, so no one's vote can be guessed
BAR_WIDTH = 10


class Method(StrEnum):
    SINGLE = "single"  # one option each
    APPROVAL = "approval"  # up to K options each


class Visibility(StrEnum):
    LIVE = "live"  # results visible while the ballot is open
    AFTER_CLOSE = "after_close"


class Phase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


METHOD_LABELS = {
    Method.SINGLE: N_("One choice"),
    Method.APPROVAL: N_("Several choices"),
}


def phase(opens_at: datetime, closes_at: datetime, closed_at: datetime | None, now: datetime) -> Phase:
    """Open from opening until closing time; closed once closed, also before it was counted."""
    if closed_at is not None or now >= closes_at:
        return Phase.CLOSED
    return Phase.OPEN if now >= opens_at else Phase.UPCOMING


@dataclass(frozen=True)
class Count:
    option_id: int
    votes: int


@dataclass(frozen=True)
class Outcome:
    """What a closed ballot came to: the counts in option order, the voters and the leaders."""

    counts: tuple[Count, ...]
    voters: int

    @property
    def leaders(self) -> tuple[int, ...]:
        """The option ids with the most votes; none when nobody voted, several on a tie."""
        top = max((count.votes for count in self.counts), default=0)
        return tuple(count.option_id for count in self.counts if top and count.votes == top)

    @property
    def winner(self) -> int | None:
        return self.leaders[0] if len(self.leaders) == 1 else None

    @property
    def tied(self) -> bool:
        return len(self.leaders) > 1


def share(votes: int, voters: int) -> float:
    """A count as a share of the voters (for approval ballots the shares add up to more than 1)."""
    return votes / voters if voters else 0.0


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A bar of full and empty blocks; shown after the figures, which screen readers read first."""
    full = round(max(0.0, min(1.0, fraction)) * width)
    return "▰" * full + "▱" * (width - full)


def hidden_groups(voters_by_group: dict[str, int]) -> set[str]:
    """The groups a breakdown must hide: each with fewer than SMALL_GROUP voters, and, when that
    leaves one group with voters hidden, the next smallest too (or the total would give it away)."""
    hidden = {group for group, voters in voters_by_group.items() if 0 < voters < SMALL_GROUP}
    if len(hidden) == 1:
        shown = sorted((voters, group) for group, voters in voters_by_group.items()
                       if group not in hidden and voters > 0)
        if shown:
            hidden.add(shown[0][1])
    return hidden
