"""Moderation: approve, reject or merge a new proposal; restore one hidden by reports.

Every action checks the moderator's role in the store and is logged (who, when, what, why).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services import outbox, staff
from bot.services.proposals import CARD, Notices, similar, subject_of
from domain import PATH, RESTORED, Chat, NotFound, Role, Status, is_public
from storage.models import ModerationAction, Proposal
from storage.uow import UnitOfWork

QUEUE_LIMIT = 20

DECISIONS = (Status.INITIATIVE, Status.REJECTED, Status.MERGED, RESTORED)


class AlreadyModerated(NotFound):
    """Another moderator (or an earlier tap) already decided; the button is stale."""

    def __init__(self, reason: str, proposal_id: int) -> None:
        super().__init__(reason)
        self.proposal_id = proposal_id


@dataclass(frozen=True)
class Seen:
    """How the moderator acting is seen: their first name on the staff group's card, and the copy
    of the card they pressed (chat id, message id), which the handler updates itself."""

    name: str | None = None
    card: tuple[int, int] | None = None


async def awaiting(uow: UnitOfWork, actor_telegram_id: int, proposal_id: int) -> Proposal:
    """A proposal still waiting for this moderator's decision (NotFound when decided already)."""
    await staff.require(uow, actor_telegram_id, Role.MODERATOR)
    proposal = await uow.proposals.lock(proposal_id)
    if proposal is None:
        raise NotFound("no such proposal")
    if proposal.status != Status.PENDING and not proposal.hidden:
        raise AlreadyModerated("already moderated", proposal.id)
    return proposal


async def _decide(
    uow: UnitOfWork,
    proposal: Proposal,
    status: Status,
    actor_telegram_id: int,
    reason: str | None,
    notices: Notices,
    now: datetime,
    seen: Seen,
    **values: object,
) -> Proposal:
    """Record the decision on the path and in the log, tell the author, show it on every card."""
    if not await uow.proposals.transition(
        proposal, status=status, hidden=False, status_changed_at=now, **values
    ):
        raise AlreadyModerated("decided meanwhile", proposal.id)
    await uow.proposals.clear_reports(proposal.id)
    await uow.themes.add_entry(proposal.id, status, {}, actor_telegram_id, now)
    decision = await uow.proposals.log(proposal.id, actor_telegram_id, status.value, reason, now,
                                       seen.name)
    await _update_cards(uow, proposal, decision, notices, now, seen)
    if proposal.author_id is not None:  # None: suggested in an anonymous survey
        await outbox.enqueue(uow, [proposal.author_id], notices.outcome(proposal, reason),
                             kind="proposal_outcome", subject=subject_of(proposal), now=now)
    await uow.commit()
    return proposal


async def _update_cards(uow: UnitOfWork, proposal: Proposal, decision: ModerationAction,
                        notices: Notices, now: datetime, seen: Seen) -> None:
    """Copies of the card not sent yet are dropped; every copy sent shows the decision, the
    moderator's first name only in the staff group."""
    await uow.outbox.cancel_unsent(CARD, subject_of(proposal), now)
    staff_group = notices.staff_chat
    by_name = ({staff_group.chat_id: notices.decided_card(proposal, decision, named=True)}
               if staff_group else {})
    await outbox.edit_copies(uow, CARD, subject_of(proposal),
                             notices.decided_card(proposal, decision, named=False),
                             now=now, except_message=seen.card, notice_in=by_name)


async def decision(uow: UnitOfWork, proposal_id: int) -> tuple[Proposal, ModerationAction] | None:
    """The proposal and the latest decision on it (to show on a card pressed too late)."""
    proposal = await uow.proposals.get(proposal_id)
    decisions = [action for action in await uow.proposals.actions(proposal_id)
                 if action.action in DECISIONS]
    if proposal is None or not decisions:
        return None
    return proposal, decisions[-1]


async def approve(
    uow: UnitOfWork,
    actor_telegram_id: int,
    proposal_id: int,
    notices: Notices,
    now: datetime,
    seen: Seen = Seen(),
) -> Proposal:
    proposal = await awaiting(uow, actor_telegram_id, proposal_id)
    if proposal.status != Status.PENDING:
        raise AlreadyModerated("already approved", proposal.id)
    return await _decide(uow, proposal, Status.INITIATIVE, actor_telegram_id, None, notices, now, seen)


async def reject(
    uow: UnitOfWork,
    actor_telegram_id: int,
    proposal_id: int,
    reason: str,
    notices: Notices,
    now: datetime,
    seen: Seen = Seen(),
) -> Proposal:
    """Reject a new proposal, or one hidden by reports.

    `reason` is a reason code or a moderator's own words.
    """
    proposal = await awaiting(uow, actor_telegram_id, proposal_id)
    return await _decide(
        uow, proposal, Status.REJECTED, actor_telegram_id, reason.strip(), notices, now, seen
    )


async def merge_pair(
    uow: UnitOfWork, actor_telegram_id: int, proposal_id: int, target_id: int
) -> tuple[Proposal, Proposal]:
    """The waiting proposal and the public one it may be merged into."""
    proposal = await awaiting(uow, actor_telegram_id, proposal_id)
    target = await uow.proposals.get(target_id)
    if target is None or target.id == proposal.id or not is_public(target):
        raise NotFound("merge target not public")
    return proposal, target


async def merge(
    uow: UnitOfWork,
    actor_telegram_id: int,
    proposal_id: int,
    target_id: int,
    notices: Notices,
    now: datetime,
    seen: Seen = Seen(),
) -> Proposal:
    """Fold a new proposal into a public one: its supporters and followers move along."""
    proposal, target = await merge_pair(uow, actor_telegram_id, proposal_id, target_id)
    await uow.proposals.move_supports(proposal.id, target.id, now)
    for resident_id in await uow.themes.follower_ids(proposal.id):
        await uow.themes.follow(target.id, resident_id, now)
    return await _decide(
        uow,
        proposal,
        Status.MERGED,
        actor_telegram_id,
        f"#{target.id}",
        notices,
        now,
        seen,
        merged_into_id=target.id,
    )


async def restore(
    uow: UnitOfWork,
    actor_telegram_id: int,
    proposal_id: int,
    notices: Notices,
    now: datetime,
    seen: Seen = Seen(),
) -> Proposal:
    """Show again a proposal that reports hid; its reports are cleared."""
    proposal = await awaiting(uow, actor_telegram_id, proposal_id)
    if not proposal.hidden or proposal.status not in PATH:
        raise AlreadyModerated("not hidden", proposal.id)
    if not await uow.proposals.transition(proposal, hidden=False):
        raise AlreadyModerated("restored meanwhile", proposal.id)
    await uow.proposals.clear_reports(proposal.id)
    decision = await uow.proposals.log(proposal.id, actor_telegram_id, RESTORED, None, now, seen.name)
    await _update_cards(uow, proposal, decision, notices, now, seen)
    await uow.commit()
    return proposal


async def listed(uow: UnitOfWork, proposal: Proposal, chat: Chat, message_id: int, notices: Notices,
                 now: datetime) -> None:
    """A card /moderation showed: kept with the others, so a decision reaches it too."""
    await outbox.record_reply(uow, chat, notices.moderator_card(proposal), kind=CARD,
                              subject=subject_of(proposal), message_id=message_id, now=now)
    await uow.commit()


async def merge_targets(
    uow: UnitOfWork, actor_telegram_id: int, proposal_id: int
) -> list[Proposal]:
    """Public proposals the moderator might merge this one into, most similar first."""
    proposal = await awaiting(uow, actor_telegram_id, proposal_id)
    found = await similar(uow, proposal.title, proposal.description)
    return [other for other in found if other.id != proposal.id and is_public(other)]


async def queue(uow: UnitOfWork, actor_telegram_id: int) -> Sequence[Proposal]:
    """Proposals waiting for a moderator: new ones and those hidden by reports."""
    await staff.require(uow, actor_telegram_id, Role.MODERATOR)
    return await uow.proposals.awaiting_moderator(Status.PENDING, QUEUE_LIMIT)
