"""A theme's path, its timeline and followers.

The path: initiative → preparation → forum → implementation → done (or rejected / merged).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.services import outbox, staff
from bot.services.proposals import Notices, public, subject_of, viewable
from domain import LOCALES, PATH, NotFound, Role, Status
from storage.models import Proposal, Resident, TimelineEntry
from storage.uow import UnitOfWork

NOTE_LIMIT = 1000
# Where staff may move a theme: along the path (forward or back) or out of it.
TARGETS = (*PATH, Status.REJECTED)


class NotOnPath(NotFound):
    """The theme is not on its path (pending, rejected or merged), or the move goes nowhere."""


async def movable(
    uow: UnitOfWork, actor_telegram_id: int, proposal_id: int, status: Status | None = None
) -> Proposal:
    """A theme this staff member may move (to `status`, when given); locked until commit."""
    await staff.require(uow, actor_telegram_id, Role.MODERATOR, Role.EDITOR)
    proposal = await uow.proposals.lock(proposal_id)
    if proposal is None:
        raise NotFound("no such theme")
    if proposal.status not in PATH or (
        status is not None and (status not in TARGETS or status == proposal.status)
    ):
        raise NotOnPath(f"cannot move a {proposal.status} theme to {status}")
    return proposal


async def move(
    uow: UnitOfWork,
    actor_telegram_id: int,
    proposal_id: int,
    status: Status,
    notes: dict[str, str | None],
    notices: Notices,
    now: datetime,
) -> TimelineEntry:
    """Move a theme to `status` with a public note per language; every follower hears of it."""
    proposal = await movable(uow, actor_telegram_id, proposal_id, status)
    cleaned = {
        locale: text.strip()[:NOTE_LIMIT]
        for locale, text in notes.items()
        if locale in LOCALES and text and text.strip()
    }
    if not await uow.proposals.transition(proposal, status=status, status_changed_at=now):
        raise NotOnPath("moved meanwhile")
    entry = await uow.themes.add_entry(proposal.id, status, cleaned, actor_telegram_id, now)
    await uow.proposals.log(proposal.id, actor_telegram_id, "status", status.value, now)
    followers = await uow.themes.follower_ids(proposal.id)
    if followers:
        await outbox.enqueue(
            uow, list(followers), notices.status_changed(proposal, entry), kind="theme_status",
            subject=subject_of(proposal), created_by=actor_telegram_id, now=now,
        )
    await uow.commit()
    return entry


async def timeline(
    uow: UnitOfWork, resident: Resident, proposal_id: int
) -> tuple[Proposal, Sequence[TimelineEntry]]:
    proposal = await viewable(uow, proposal_id, resident)
    return proposal, await uow.themes.timeline(proposal.id)


async def follow(uow: UnitOfWork, resident: Resident, proposal_id: int, now: datetime) -> None:
    proposal = await public(uow, proposal_id)
    await uow.themes.follow(proposal.id, resident.id, now)
    await uow.commit()


async def unfollow(uow: UnitOfWork, resident: Resident, proposal_id: int) -> None:
    """Stop following (harmless when not following)."""
    await uow.themes.unfollow(proposal_id, resident.id)
    await uow.commit()


async def follower_count(uow: UnitOfWork, proposal_id: int) -> int:
    return len(await uow.themes.follower_ids(proposal_id))
