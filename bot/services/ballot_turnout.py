"""Who took part in a ballot so far, and a reminder to those who have not (staff)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services import outbox, staff
from bot.services.ballot_counts import GROUPINGS, group_key
from bot.services.ballots import BallotClosed, Notices, ballot, eligibility, phase_of, subject
from domain import Phase, Priority, Role
from storage.models import Ballot
from storage.repositories.ballots import Grouping
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class GroupTurnout:
    by: Grouping
    group: str  # a resident type, an area id as text, or "" (not told / whole city)
    voted: int
    eligible: int

    @property
    def share(self) -> float:
        return self.voted / self.eligible if self.eligible else 0.0


@dataclass(frozen=True)
class Turnout:
    voted: int
    eligible: int
    groups: tuple[GroupTurnout, ...]  # furthest below the city's turnout first

    @property
    def share(self) -> float:
        return self.voted / self.eligible if self.eligible else 0.0


async def turnout(uow: UnitOfWork, actor_telegram_id: int, ballot_id: int) -> Turnout:
    """Who took part so far, by area and by resident group, against the eligible residents."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    chosen = await ballot(uow, ballot_id)
    groups = []
    voted = eligible = 0
    for by in GROUPINGS:
        counts = await uow.ballots.turnout(chosen.id, eligibility(chosen), by)
        groups += [GroupTurnout(by, group_key(group), v, e) for group, (v, e) in counts.items()]
        if by == GROUPINGS[0]:
            voted, eligible = sum(v for v, _ in counts.values()), sum(e for _, e in counts.values())
    city = voted / eligible if eligible else 0.0
    groups.sort(key=lambda g: (g.share - city, -g.eligible))
    return Turnout(voted, eligible, tuple(groups))


async def remind_non_voters(
    uow: UnitOfWork, actor_telegram_id: int, ballot_id: int, groups: Sequence[tuple[Grouping, str]],
    notices: Notices, now: datetime,
) -> int:
    """One reminder to the eligible residents of these groups who have not voted; how many."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    chosen = await ballot(uow, ballot_id)
    if phase_of(chosen, now) != Phase.OPEN:
        raise BallotClosed("only an open ballot")
    recipients = await _non_voters(uow, chosen, groups)
    if recipients:
        await outbox.enqueue(uow, sorted(recipients), notices.ballot_reminder(chosen), kind="ballot_reminder",
                             subject=subject(chosen), created_by=actor_telegram_id, now=now,
                             priority=Priority.BULK)
        await uow.commit()
    return len(recipients)


async def non_voter_count(uow: UnitOfWork, actor_telegram_id: int, ballot_id: int,
                          groups: Sequence[tuple[Grouping, str]]) -> int:
    """How many residents a reminder to these groups would reach now."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    return len(await _non_voters(uow, await ballot(uow, ballot_id), groups))


async def _non_voters(uow: UnitOfWork, chosen: Ballot, groups: Sequence[tuple[Grouping, str]]) -> set[int]:
    """The eligible residents of these groups who have not voted (a resident in two groups once)."""
    recipients: set[int] = set()
    for by in GROUPINGS:
        values = [None if g == "" else (int(g) if by == "area_id" else g) for b, g in groups if b == by]
        if values:
            recipients.update(await uow.ballots.not_voted(chosen.id, eligibility(chosen), by, values))
    return recipients
