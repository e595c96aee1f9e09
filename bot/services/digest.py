"""The weekly digest: one message a week gathering what is new for a resident, none when nothing is.

Residents opt in from /settings with a weekday and an hour in the city's time. Once that hour
has come on that day (later the same day when the bot was down), the digest gathers what
appeared since their last one, or since they opted in: proposals approved in their area and for
the whole city, ballots opened that they may vote in, forums coming within two weeks, forum
summaries published. It is marked sent even when nothing was new and no message goes.

Residents with the same area, resident group and last digest read the same digest, so they
share one outbox broadcast. Marking is a conditional update of `digest_sent_at`: of two
processes, each resident is marked, and sent the digest, by one only.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.services import ballots, outbox
from domain import NotFound, Notice, Priority
from storage.models import Ballot, Forum, Proposal, Resident
from storage.uow import UnitOfWork

T = TypeVar("T")

LISTED = 5  # items shown per section; the rest are counted ("and 3 more")
FORUMS_AHEAD = timedelta(days=14)
FIRST_LOOK_BACK = timedelta(days=7)  # for a digest with no start recorded
HOURS = (7, 9, 12, 15, 18, 20)  # the hours offered in /settings
KIND = "digest"


@dataclass(frozen=True)
class Listed(Generic[T]):
    items: Sequence[T]
    total: int


@dataclass(frozen=True)
class Digest:
    themes: Listed[Proposal]
    ballots: Listed[Ballot]
    forums: Listed[Forum]
    summaries: Listed[Forum]  # the forums whose summaries are new

    @property
    def empty(self) -> bool:
        return not (self.themes.total or self.ballots.total or self.forums.total or self.summaries.total)


class Notices(Protocol):
    def weekly_digest(self, digest: Digest) -> Notice: ...


async def choose(uow: UnitOfWork, resident: Resident, weekday: int, hour: int, now: datetime) -> None:
    """Opt in to the weekly digest on `weekday` (0 = Monday) at `hour`, in the city's time.

    Opting in starts from now: the first digest gathers what is new after this moment.
    """
    if not (0 <= weekday <= 6 and 0 <= hour <= 23):
        raise NotFound("no such weekday or hour")
    if resident.digest_weekday is None:
        resident.digest_sent_at = now
    resident.digest_weekday, resident.digest_hour = weekday, hour
    await uow.commit()


async def turn_off(uow: UnitOfWork, resident: Resident) -> None:
    resident.digest_weekday = None
    await uow.commit()


def slots(now: datetime, zone: ZoneInfo) -> dict[int, datetime]:
    """Today's local hours that have begun, each with its start in UTC."""
    local = now.astimezone(zone)
    return {hour: local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)
            for hour in range(local.hour + 1)}


async def send_due(uow: UnitOfWork, notices: Notices, now: datetime, zone: ZoneInfo) -> int:
    """Send the digests whose day and hour have come; returns how many residents got one."""
    begun = slots(now, zone)
    groups: dict[tuple[int | None, str | None, datetime | None], list[int]] = {}
    for resident_id, area_id, resident_type, last in await uow.digests.due(now.astimezone(zone).weekday(), begun):
        groups.setdefault((area_id, resident_type, last), []).append(resident_id)
    sent = 0
    for (area_id, resident_type, last), resident_ids in groups.items():
        digest = await gather(uow, area_id, resident_type, last or now - FIRST_LOOK_BACK, now)
        marked = await uow.digests.mark_sent(resident_ids, begun, now)
        if marked and not digest.empty:
            await outbox.enqueue(uow, marked, notices.weekly_digest(digest), kind=KIND, now=now,
                                 priority=Priority.BULK)
            sent += len(marked)
        await uow.commit()
    return sent


async def gather(uow: UnitOfWork, area_id: int | None, resident_type: str | None, since: datetime,
                 now: datetime) -> Digest:
    """What is new since `since` for a resident of this area and group."""
    reader = Resident(area_id=area_id, resident_type=resident_type)  # who may vote is decided by these
    votable = [ballot for ballot in await uow.digests.opened_ballots(since, now) if ballots.may_vote(ballot, reader)]
    return Digest(
        themes=Listed(*await uow.digests.new_themes(area_id, since, now, LISTED)),
        ballots=Listed(votable[:LISTED], len(votable)),
        forums=Listed(*await uow.digests.new_forums(since, now, FORUMS_AHEAD, LISTED)),
        summaries=Listed(*await uow.digests.new_summaries(since, now, LISTED)),
    )
