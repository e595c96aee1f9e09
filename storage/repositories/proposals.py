from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.sql import Select

from domain import ALL_AREAS
from storage.models import ModerationAction, Proposal, Report, Support
from storage.repositories.marks import MarkRepository


class ProposalRepository(MarkRepository):
    async def add(self, proposal: Proposal) -> Proposal:
        self.session.add(proposal)
        await self.session.flush()
        await self.session.refresh(proposal, ["author", "area"])  # cards read them
        return proposal

    async def add_once(self, proposal: Proposal) -> Proposal | None:
        """Store a new proposal; None when one with the same draft key exists already."""
        columns = {column.key: getattr(proposal, column.key) for column in Proposal.__table__.columns}
        values = {key: value for key, value in columns.items() if value is not None}
        statement = (
            self.insert(Proposal)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["draft_key"])
            .returning(Proposal.id)
        )
        proposal_id = await self.session.scalar(statement)
        return None if proposal_id is None else await self.get(proposal_id)

    async def get(self, proposal_id: int) -> Proposal | None:
        return await self.session.get(Proposal, proposal_id)

    async def lock(self, proposal_id: int) -> Proposal | None:
        """The proposal, re-read and locked (PostgreSQL) so concurrent staff actions serialise."""
        statement = select(Proposal).where(Proposal.id == proposal_id).with_for_update(of=Proposal)
        return await self.session.scalar(statement.execution_options(populate_existing=True))

    async def transition(self, proposal: Proposal, **values: object) -> bool:
        """Change a proposal only if its status and visibility are still what was read.

        Two moderators deciding at once: the second UPDATE matches no row (on SQLite, too,
        where reads take no lock), so only one decision is ever recorded.
        """
        statement = (
            update(Proposal)
            .where(
                Proposal.id == proposal.id,
                Proposal.status == proposal.status,
                Proposal.hidden == proposal.hidden,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        changed = (await self.session.execute(statement)).rowcount == 1
        if changed:
            await self.session.refresh(proposal)
        return changed

    async def count_by_author_since(self, author_id: int, since: datetime) -> int:
        statement = select(func.count()).where(
            Proposal.author_id == author_id, Proposal.created_at >= since
        )
        return await self.session.scalar(statement) or 0

    async def recent(self, statuses: Collection[str], limit: int) -> Sequence[Proposal]:
        """Newest visible proposals in the given statuses (the similarity search's candidates)."""
        statement = (
            select(Proposal)
            .where(Proposal.status.in_(statuses), Proposal.hidden.is_(False))
            .order_by(Proposal.created_at.desc())
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def page(
        self,
        statuses: Collection[str],
        area_id: int | None,
        most_supported: bool,
        offset: int,
        limit: int,
    ) -> Sequence[tuple[Proposal, int]]:
        supporters = _supporter_counts()
        statement = _listing(
            select(Proposal, func.coalesce(supporters.c.n, 0)), statuses, area_id
        ).outerjoin(supporters, supporters.c.proposal_id == Proposal.id)
        order = [func.coalesce(supporters.c.n, 0).desc()] if most_supported else []
        statement = statement.order_by(*order, Proposal.created_at.desc(), Proposal.id.desc())
        rows = await self.session.execute(statement.offset(offset).limit(limit))
        return [(proposal, count) for proposal, count in rows.all()]

    async def count(self, statuses: Collection[str], area_id: int | None) -> int:
        return (
            await self.session.scalar(_listing(select(func.count(Proposal.id)), statuses, area_id))
            or 0
        )

    async def awaiting_moderator(self, pending: str, limit: int) -> Sequence[Proposal]:
        statement = (
            select(Proposal)
            .where((Proposal.status == pending) | Proposal.hidden.is_(True))
            .order_by(Proposal.created_at)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def by_author(self, author_id: int) -> Sequence[Proposal]:
        statement = (
            select(Proposal)
            .where(Proposal.author_id == author_id)
            .order_by(Proposal.created_at.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def supported_by(self, resident_id: int) -> Sequence[Proposal]:
        statement = (
            select(Proposal)
            .join(Support, Support.proposal_id == Proposal.id)
            .where(Support.resident_id == resident_id)
            .order_by(Support.created_at.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def supporters(self, proposal_id: int) -> int:
        statement = select(func.count()).where(Support.proposal_id == proposal_id)
        return await self.session.scalar(statement) or 0

    async def supports(self, proposal_id: int, resident_id: int) -> bool:
        return await self.has_mark(Support, proposal_id, resident_id)

    async def add_support(self, proposal_id: int, resident_id: int, moment: datetime) -> bool:
        """False when this resident already supported it."""
        return await self.add_mark(Support, proposal_id, resident_id, moment)

    async def remove_support(self, proposal_id: int, resident_id: int) -> bool:
        return await self.remove_mark(Support, proposal_id, resident_id)

    async def raise_milestone(self, proposal_id: int, milestone: int) -> bool:
        """Record a support milestone once: True only for the transaction that first passes it."""
        statement = (
            update(Proposal)
            .where(Proposal.id == proposal_id, Proposal.milestone_reached < milestone)
            .values(milestone_reached=milestone)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(statement)).rowcount == 1

    async def add_report(self, proposal_id: int, resident_id: int, moment: datetime) -> bool:
        return await self.add_mark(Report, proposal_id, resident_id, moment)

    async def reports(self, proposal_id: int) -> int:
        return (
            await self.session.scalar(select(func.count()).where(Report.proposal_id == proposal_id))
            or 0
        )

    async def clear_reports(self, proposal_id: int) -> None:
        await self.session.execute(delete(Report).where(Report.proposal_id == proposal_id))

    async def move_supports(self, source_id: int, target_id: int, moment: datetime) -> None:
        """Carry supports over to the proposal this one was merged into (no one twice)."""
        for resident_id in await self.marked_by(Support, source_id):
            await self.add_support(target_id, resident_id, moment)

    async def log(
        self,
        proposal_id: int,
        actor_telegram_id: int | None,
        action: str,
        reason: str | None,
        moment: datetime,
        actor_name: str | None = None,
    ) -> ModerationAction:
        action_taken = ModerationAction(
            proposal_id=proposal_id,
            actor_telegram_id=actor_telegram_id,
            actor_name=actor_name,
            action=action,
            reason=reason,
            created_at=moment,
        )
        self.session.add(action_taken)
        return action_taken

    async def actions(self, proposal_id: int) -> Sequence[ModerationAction]:
        statement = (
            select(ModerationAction)
            .where(ModerationAction.proposal_id == proposal_id)
            .order_by(ModerationAction.created_at, ModerationAction.id)
        )
        return (await self.session.scalars(statement)).all()


def _supporter_counts() -> object:
    return (
        select(Support.proposal_id, func.count().label("n"))
        .group_by(Support.proposal_id)
        .subquery()
    )


def _listing(statement: Select, statuses: Collection[str], area_id: int | None) -> Select:
    statement = statement.where(Proposal.status.in_(statuses), Proposal.hidden.is_(False))
    if area_id is None:
        return statement.where(Proposal.area_id.is_(None))
    if area_id != ALL_AREAS:
        return statement.where(Proposal.area_id == area_id)
    return statement
