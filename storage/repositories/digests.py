"""The weekly digest: who is due one, marking it sent (once), and what is new for them."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select, update

from domain import PATH, Status
from storage.models import Ballot, Forum, ForumSummary, Proposal, Resident, TimelineEntry
from storage.repositories.base import Repository

ID_CHUNK = 500
Found = tuple[list, int]  # (the first items, how many there are in all)


def _not_sent_since(slots: Mapping[int, datetime]) -> ColumnElement[bool]:
    """No digest since the start of the resident's own hour (slots: local hour → its start in UTC)."""
    started = case({hour: literal(moment, Resident.digest_sent_at.type) for hour, moment in slots.items()},
                   value=Resident.digest_hour)
    return or_(Resident.digest_sent_at.is_(None), Resident.digest_sent_at < started)


class DigestRepository(Repository):
    async def due(self, weekday: int, slots: Mapping[int, datetime]) -> list[tuple[int, int | None, str | None,
                                                                               datetime | None]]:
        """(resident, area, resident type, last digest) of the reachable residents whose digest day
        is `weekday` and whose hour (one of `slots`) has come without a digest since it started."""
        rows = await self.session.execute(
            select(Resident.id, Resident.area_id, Resident.resident_type, Resident.digest_sent_at)
            .where(Resident.digest_weekday == weekday, Resident.digest_hour.in_(list(slots)),
                   Resident.blocked_at.is_(None), _not_sent_since(slots))
            .order_by(Resident.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]

    async def mark_sent(self, resident_ids: Sequence[int], slots: Mapping[int, datetime],
                        now: datetime) -> list[int]:
        """Mark the digest sent to those of these residents still due one; returns them.

        The condition is checked by the update itself, so of two processes each resident is
        marked by one only, and only that one sends.
        """
        marked: list[int] = []
        for start in range(0, len(resident_ids), ID_CHUNK):
            result = await self.session.execute(
                update(Resident)
                .where(Resident.id.in_(resident_ids[start:start + ID_CHUNK]), _not_sent_since(slots))
                .values(digest_sent_at=now).returning(Resident.id)
                .execution_options(synchronize_session=False))
            marked.extend(result.scalars())
        return sorted(marked)

    # --- what is new -----------------------------------------------------------------------------

    async def new_themes(self, area_id: int | None, since: datetime, now: datetime, limit: int) -> Found:
        """Proposals approved since `since`, public now, of the area and the whole city (any area
        for a resident of the whole city); the latest first."""
        approved = (select(TimelineEntry.proposal_id)
                    .where(TimelineEntry.status == Status.INITIATIVE, TimelineEntry.created_at > since,
                           TimelineEntry.created_at <= now))
        statement = select(Proposal).where(Proposal.id.in_(approved), Proposal.status.in_(PATH),
                                           Proposal.hidden.is_(False))
        if area_id is not None:
            statement = statement.where(or_(Proposal.area_id == area_id, Proposal.area_id.is_(None)))
        return await self._found(statement.order_by(Proposal.id.desc()), limit)

    async def opened_ballots(self, since: datetime, now: datetime) -> Sequence[Ballot]:
        """Ballots opened since `since` and still open, closing soonest first."""
        statement = select(Ballot).where(Ballot.announced_at > since, Ballot.closed_at.is_(None),
                                         Ballot.closes_at > now).order_by(Ballot.closes_at, Ballot.id)
        return (await self.session.scalars(statement)).all()

    async def new_forums(self, since: datetime, now: datetime, ahead: timedelta, limit: int) -> Found:
        """Announced forums starting within `ahead` that were not so at `since` (announced since,
        or come that close since); the soonest first."""
        statement = select(Forum).where(
            Forum.announced_at.is_not(None), Forum.starts_at > now, Forum.starts_at <= now + ahead,
            or_(Forum.announced_at > since, Forum.starts_at > since + ahead),
        ).order_by(Forum.starts_at, Forum.id)
        return await self._found(statement, limit)

    async def new_summaries(self, since: datetime, now: datetime, limit: int) -> Found:
        """Forums whose summary was published since `since`, the latest first."""
        statement = (select(Forum).join(ForumSummary, ForumSummary.forum_id == Forum.id)
                     .where(ForumSummary.published_at > since, ForumSummary.published_at <= now)
                     .order_by(ForumSummary.published_at.desc(), Forum.id.desc()))
        return await self._found(statement, limit)

    async def _found(self, statement: Select, limit: int) -> Found:
        total = await self.session.scalar(
            statement.with_only_columns(func.count()).order_by(None)) or 0
        items = list((await self.session.scalars(statement.limit(limit))).all()) if total else []
        return items, total
