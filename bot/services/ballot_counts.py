"""A ballot counted: votes per option, voters, and breakdowns that hide small groups.

One pass over the ballot's votes (BallotRepository.grouped) gives everything; the result is
kept with the ballot when it closes (Results.as_json / from_json).
"""
from __future__ import annotations

from dataclasses import dataclass

from domain import Count, Outcome, hidden_groups
from storage.models import Ballot
from storage.repositories.ballots import Grouping
from storage.uow import UnitOfWork

GROUPINGS: tuple[Grouping, ...] = ("resident_type", "area_id")


@dataclass(frozen=True)
class Breakdown:
    """Votes per option within each group (resident type, or area id); hidden groups are left out."""

    by: Grouping
    shown: dict[str, dict[int, int]]  # group (as text; "" for none) → option id → votes
    voters: dict[str, int]
    hidden: int  # how many groups were hidden for being small


@dataclass(frozen=True)
class Results:
    outcome: Outcome
    breakdowns: tuple[Breakdown, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "counts": [[count.option_id, count.votes] for count in self.outcome.counts],
            "voters": self.outcome.voters,
            "breakdowns": [{"by": b.by, "shown": b.shown, "voters": b.voters, "hidden": b.hidden}
                           for b in self.breakdowns],
        }

    @classmethod
    def from_json(cls, data: dict) -> Results:
        outcome = Outcome(tuple(Count(option, votes) for option, votes in data["counts"]), data["voters"])
        breakdowns = tuple(
            Breakdown(b["by"], {g: {int(o): v for o, v in votes.items()} for g, votes in b["shown"].items()},
                      b["voters"], b["hidden"])
            for b in data["breakdowns"])
        return cls(outcome, breakdowns)


async def count(uow: UnitOfWork, chosen: Ballot) -> Results:
    """The ballot counted now, in one pass over its votes: votes per option, voters, and the
    breakdowns by resident group and by area without small groups."""
    tally: dict[int, int] = {}
    voters = 0
    votes_in: dict[Grouping, dict[str, dict[int, int]]] = {by: {} for by in GROUPINGS}
    voters_in: dict[Grouping, dict[str, int]] = {by: {} for by in GROUPINGS}
    for option_id, resident_type, area_id, first, votes in await uow.ballots.grouped(chosen.id):
        tally[option_id] = tally.get(option_id, 0) + votes
        voters += votes if first else 0
        for by, group in (("resident_type", group_key(resident_type)), ("area_id", group_key(area_id))):
            in_group = votes_in[by].setdefault(group, {})
            in_group[option_id] = in_group.get(option_id, 0) + votes
            voters_in[by][group] = voters_in[by].get(group, 0) + (votes if first else 0)
    breakdowns = []
    for by in GROUPINGS:
        hidden = hidden_groups(voters_in[by])
        breakdowns.append(Breakdown(
            by, {group: votes for group, votes in votes_in[by].items() if group not in hidden},
            {group: n for group, n in voters_in[by].items() if group not in hidden}, len(hidden)))
    counts = tuple(Count(option.id, tally.get(option.id, 0)) for option in chosen.options)
    return Results(Outcome(counts, voters), tuple(breakdowns))


def group_key(value: str | int | None) -> str:
    """A group as the breakdowns and the turnout name it: text, "" for none (whole city, not told)."""
    return "" if value is None else str(value)
