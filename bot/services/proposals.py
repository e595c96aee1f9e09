"""Proposals: drafting, sending, finding similar ones, supporting and reporting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.services import outbox, similarity
from domain import PATH, Chat, DomainError, Notice, NotFound, Role, Status, is_public
from storage.models import Area, ModerationAction, Proposal, Resident, TimelineEntry
from storage.uow import UnitOfWork

TITLE_LIMIT = 100
SUGGESTED_TITLE = 80  # a title made from a suggestion's first words
DESCRIPTION_LIMIT = 2000
PAGE_SIZE = 5
SIMILAR_LIMIT = 3
SIMILARITY_POOL_SIZE = 1000
FLOOD_WINDOW = timedelta(days=1)
CARD = "moderation_card"  # the outbox kind of moderators' cards


class TextProblem(DomainError):
    """A title or description the resident has to write again."""

    def __init__(self, limit: int, length: int) -> None:
        super().__init__("empty" if length == 0 else "too long")
        self.limit = limit
        self.length = length


class AlreadySent(NotFound):
    """The draft became a proposal already; the button pressed again is stale."""


class OwnProposal(NotFound):
    """An author's own proposal: theirs to follow, not to support."""


class TooManyProposals(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__("daily proposal limit reached")
        self.limit = limit


class Notices(Protocol):
    """Composes what the bot says on its own, in every language (bot/notices)."""

    @property
    def staff_chat(self) -> Chat | None: ...

    @property
    def default_locale(self) -> str: ...

    def outcome(self, proposal: Proposal, reason: str | None) -> Notice: ...

    def milestone(self, proposal: Proposal, supporters: int) -> Notice: ...

    def status_changed(self, proposal: Proposal, entry: TimelineEntry) -> Notice: ...

    def moderator_card(self, proposal: Proposal) -> Notice: ...

    def decided_card(self, proposal: Proposal, decision: ModerationAction, named: bool) -> Notice: ...


@dataclass(frozen=True)
class Draft:
    """A proposal being written; kept in the conversation store between steps."""

    title: str
    description: str
    area_id: int | None = None
    photo_file_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    key: str | None = None  # one proposal per draft, however often Send is tapped

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Draft:
        fields = cls.__dataclass_fields__
        return cls(**{name: data[name] for name in fields if name in data})


@dataclass(frozen=True)
class Page:
    items: Sequence[tuple[Proposal, int]]
    number: int
    pages: int


def clean_text(text: str | None, limit: int) -> str:
    """The text without surrounding blanks; TextProblem when empty or too long."""
    cleaned = (text or "").strip()
    if not cleaned or len(cleaned) > limit:
        raise TextProblem(limit, len(cleaned))
    return cleaned


async def ensure_may_propose(
    uow: UnitOfWork, resident: Resident, per_day: int, now: datetime
) -> None:
    if await uow.proposals.count_by_author_since(resident.id, now - FLOOD_WINDOW) >= per_day:
        raise TooManyProposals(per_day)


async def similar(uow: UnitOfWork, title: str, description: str) -> list[Proposal]:
    """Up to three public proposals that look like the same idea (pending ones are nobody's to see)."""
    pool = [proposal for proposal in await uow.proposals.recent(PATH, SIMILARITY_POOL_SIZE)
            if is_public(proposal)]
    by_id = {proposal.id: proposal for proposal in pool}
    candidates = [similarity.Candidate(p.id, p.title, p.description) for p in pool]
    matches = similarity.most_similar(title, description, candidates, SIMILAR_LIMIT)
    return [by_id[candidate.id] for candidate, _score in matches]


async def area_of(uow: UnitOfWork, area_id: int | None) -> Area | None:
    """An area by id (None: the whole city); NotFound for an unknown id."""
    if area_id is None:
        return None
    area = await uow.areas.get(area_id)
    if area is None:
        raise NotFound("unknown area")
    return area


async def submit(
    uow: UnitOfWork, resident: Resident, draft: Draft, per_day: int, notices: Notices, now: datetime
) -> Proposal:
    """Send a draft to the moderators; the author follows it from now on.

    A draft already sent (a second tap on Send) raises AlreadySent and sends nothing.
    """
    await ensure_may_propose(uow, resident, per_day, now)
    await area_of(uow, draft.area_id)
    proposal = await uow.proposals.add_once(
        Proposal(
            draft_key=draft.key,
            author_id=resident.id,
            title=clean_text(draft.title, TITLE_LIMIT),
            description=clean_text(draft.description, DESCRIPTION_LIMIT),
            area_id=draft.area_id,
            photo_file_id=draft.photo_file_id,
            latitude=draft.latitude,
            longitude=draft.longitude,
            status=Status.PENDING,
            created_at=now,
            status_changed_at=now,
        )
    )
    if proposal is None:
        raise AlreadySent("draft sent before")
    await uow.themes.follow(proposal.id, resident.id, now)
    await request_review(uow, proposal, notices, now)
    await uow.commit()
    return proposal


async def suggest(uow: UnitOfWork, author: Resident | None, text: str, notices: Notices, now: datetime) -> Proposal:
    """A theme suggested in a survey becomes a proposal waiting for moderation, credited to its
    author (who follows it) or, from an anonymous survey, to no one. Does NOT commit."""
    description = clean_text(text, DESCRIPTION_LIMIT)
    proposal = await uow.proposals.add(Proposal(
        author_id=author.id if author else None, title=title_from(description),
        description=description, area_id=author.area_id if author else None, status=Status.PENDING,
        created_at=now, status_changed_at=now,
    ))
    if author is not None:
        await uow.themes.follow(proposal.id, author.id, now)
    await request_review(uow, proposal, notices, now)
    return proposal


def title_from(text: str, limit: int = SUGGESTED_TITLE) -> str:
    """A title for a text written without one: its first line, cut at a word near `limit`."""
    first = text.strip().splitlines()[0].strip()
    if len(first) <= limit:
        return first
    cut = first[:limit - 1].rsplit(" ", 1)[0] or first[:limit - 1]
    return cut.rstrip(" ,.;:–-") + "…"


async def request_review(uow: UnitOfWork, proposal: Proposal, notices: Notices, now: datetime) -> None:
    """The moderators' card goes to the staff group, or to every moderator when there is none."""
    recipients = await moderator_chats(uow, notices.staff_chat, notices.default_locale)
    await outbox.enqueue(uow, recipients, notices.moderator_card(proposal), kind=CARD,
                         subject=subject_of(proposal), now=now)


async def moderator_chats(uow: UnitOfWork, staff_chat: Chat | None, default_locale: str) -> list[Chat]:
    """Where moderators' cards go: the staff group, or each moderator (and admin) in their language."""
    if staff_chat is not None:
        return [staff_chat]
    moderators = await uow.staff.holders_of({Role.MODERATOR.value, Role.ADMIN.value})
    locales = await uow.residents.locales_of(moderators)
    return [Chat(telegram_id, locales.get(telegram_id, default_locale)) for telegram_id in moderators]


def subject_of(proposal: Proposal) -> str:
    """How the outbox names a proposal, so every copy of its card can be found again."""
    return f"proposal:{proposal.id}"


async def viewable(uow: UnitOfWork, proposal_id: int, resident: Resident) -> Proposal:
    """A proposal this resident may open: public ones, their own, and any for staff."""
    proposal = await uow.proposals.get(proposal_id)
    if proposal is None:
        raise NotFound("no such proposal")
    if is_public(proposal) or proposal.status == Status.MERGED or proposal.author_id == resident.id:
        return proposal
    if await uow.staff.roles_of(resident.telegram_id):
        return proposal
    raise NotFound("proposal not visible")


@dataclass(frozen=True)
class Card:
    """A proposal as one resident sees it."""

    proposal: Proposal
    supporters: int
    supporting: bool
    following: bool
    is_staff: bool
    own: bool


async def card(uow: UnitOfWork, resident: Resident, proposal_id: int) -> Card:
    proposal = await viewable(uow, proposal_id, resident)
    return Card(
        proposal,
        supporters=await uow.proposals.supporters(proposal.id),
        supporting=await uow.proposals.supports(proposal.id, resident.id),
        following=await uow.themes.follows(proposal.id, resident.id),
        is_staff=bool(await uow.staff.roles_of(resident.telegram_id)),
        own=proposal.author_id == resident.id,
    )


async def public(uow: UnitOfWork, proposal_id: int) -> Proposal:
    proposal = await uow.proposals.get(proposal_id)
    if proposal is None or not is_public(proposal):
        raise NotFound("proposal not public")
    return proposal


async def support(
    uow: UnitOfWork,
    resident: Resident,
    proposal_id: int,
    milestones: Sequence[int],
    notices: Notices,
    now: datetime,
) -> Proposal:
    """Back someone else's public proposal; a second tap changes nothing.

    Checked before anything is written: a pending, hidden or unknown proposal, or one's own,
    cannot be supported (whatever a forged button says).
    """
    proposal = await public(uow, proposal_id)
    if proposal.author_id == resident.id:
        raise OwnProposal("authors do not support their own proposal")
    await uow.proposals.add_support(proposal.id, resident.id, now)
    await uow.commit()
    await _announce_milestone(uow, proposal, milestones, notices, now)
    return proposal


async def _announce_milestone(
    uow: UnitOfWork, proposal: Proposal, milestones: Sequence[int], notices: Notices, now: datetime
) -> None:
    """Tell the author about the highest milestone passed, once.

    Counted after the support is committed, so among supports landing at the same moment
    the last count sees them all; the conditional update lets only one of them announce it.
    """
    supporters = await uow.proposals.supporters(proposal.id)
    passed = max((milestone for milestone in milestones if supporters >= milestone), default=None)
    if passed is not None and proposal.author_id is not None and await uow.proposals.raise_milestone(
            proposal.id, passed):
        await outbox.enqueue(
            uow, [proposal.author_id], notices.milestone(proposal, passed),
            kind="proposal_milestone", subject=subject_of(proposal), now=now,
        )
        await uow.commit()


async def withdraw_support(uow: UnitOfWork, resident: Resident, proposal_id: int) -> None:
    """Take one's support back (harmless when there was none)."""
    if await uow.proposals.get(proposal_id) is None:
        raise NotFound("no such proposal")
    await uow.proposals.remove_support(proposal_id, resident.id)
    await uow.commit()


async def report(
    uow: UnitOfWork,
    resident: Resident,
    proposal_id: int,
    reports_to_hide: int,
    notices: Notices,
    now: datetime,
) -> Proposal | None:
    """Flag a public proposal; returns it when this report hid it until a moderator looks."""
    proposal = await public(uow, proposal_id)
    counted = await uow.proposals.add_report(proposal.id, resident.id, now)
    hides = counted and await uow.proposals.reports(proposal.id) >= reports_to_hide
    if hides and await uow.proposals.transition(proposal, hidden=True):
        await uow.proposals.log(proposal.id, None, "hide", f"{reports_to_hide} reports", now)
        await request_review(uow, proposal, notices, now)
        await uow.commit()
        return proposal
    await uow.commit()
    return None


async def listing(uow: UnitOfWork, number: int, area_id: int | None, most_supported: bool) -> Page:
    """One page of public proposals; area_id ALL_AREAS for every area, None for whole-city ones."""
    total = await uow.proposals.count(PATH, area_id)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(number, 0), pages - 1)
    items = await uow.proposals.page(PATH, area_id, most_supported, number * PAGE_SIZE, PAGE_SIZE)
    return Page(items, number, pages)


async def mine(
    uow: UnitOfWork, resident: Resident
) -> tuple[Sequence[Proposal], Sequence[Proposal]]:
    """The resident's own proposals (any status) and those they support."""
    return await uow.proposals.by_author(resident.id), await uow.proposals.supported_by(resident.id)


async def moderation_log(uow: UnitOfWork, proposal_id: int) -> Sequence[ModerationAction]:
    return await uow.proposals.actions(proposal_id)
