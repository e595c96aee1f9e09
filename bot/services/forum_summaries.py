"""Forum summaries: editors publish what a forum came to, once; it reaches everyone who signed up,
asked a question or follows the theme, in their language, and goes on the theme's timeline."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Protocol

from bot.services import forum_attendance, forums, outbox, staff
from bot.services.proposals import TextProblem
from domain import LOCALES, DomainError, ForumPhase, NotFound, Notice, Priority, Role
from storage.models import Forum, ForumSummary, Proposal
from storage.uow import UnitOfWork

TEXT_LIMIT = 3500  # characters as sent (HTML-escaped), leaving room for the forum and the figures
MOST_ATTACHMENTS = 5
ATTACHMENT_KINDS = ("photo", "document")
PER_PAGE = 5
KIND = "forum_summary"


class NotStarted(DomainError):
    """A forum gets its summary only once it has started."""


class AlreadyPublished(DomainError):
    """The forum has its summary already; it is published once."""


class InvalidSummary(DomainError):
    """No text in any language, a language not spoken here, or attachments that cannot be sent."""


class Notices(Protocol):
    def forum_summary(self, forum: Forum, summary: ForumSummary) -> Notice: ...
    def summary_attachment(self, forum: Forum, number: int, total: int) -> Notice: ...
    def summary_timeline_note(self, forum: Forum, summary: ForumSummary) -> dict[str, str]: ...


@dataclass
class SummaryDraft:
    forum_id: int
    texts: dict[str, str]
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (photo | document, Telegram file id)


@dataclass(frozen=True)
class Page:
    items: Sequence
    page: int
    pages: int


def checked_text(text: str | None) -> str:
    """A summary text without surrounding blanks; TextProblem when empty or too long as sent."""
    cleaned = (text or "").strip()
    length = len(escape(cleaned))
    if not cleaned or length > TEXT_LIMIT:
        raise TextProblem(TEXT_LIMIT, length)
    return cleaned


def _page(page: int, total: int) -> tuple[int, int]:
    """The page clamped to those that exist, and how many there are (at least one)."""
    pages = max(1, -(-total // PER_PAGE))
    return min(max(page, 0), pages - 1), pages


async def awaiting(uow: UnitOfWork, actor_telegram_id: int, now: datetime, page: int) -> Page:
    """Forums that have started and have no summary yet, the latest first (editors and admins)."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    page, pages = _page(page, await uow.forum_summaries.count_awaiting(now))
    return Page(await uow.forum_summaries.awaiting(now, page * PER_PAGE, PER_PAGE), page, pages)


async def summarizable(uow: UnitOfWork, actor_telegram_id: int, forum_id: int, now: datetime) -> Forum:
    """The forum, when this staff member may write its summary now; why not otherwise."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    forum = await forums.forum(uow, forum_id)
    if forums.phase_of(forum, now) == ForumPhase.UPCOMING:
        raise NotStarted("the forum has not started")
    if await uow.forum_summaries.get(forum.id) is not None:
        raise AlreadyPublished("the forum has its summary")
    return forum


async def unsaved(uow: UnitOfWork, actor_telegram_id: int, draft: SummaryDraft, now: datetime
                  ) -> tuple[Forum, ForumSummary]:
    """The summary a draft makes, with today's attendance figures, checked but not stored (the preview)."""
    forum = await summarizable(uow, actor_telegram_id, draft.forum_id, now)
    texts = {locale: checked_text(text) for locale, text in draft.texts.items() if text and text.strip()}
    if not texts or set(texts) - set(LOCALES):
        raise InvalidSummary(f"write it in at least one of {', '.join(LOCALES)}")
    if len(draft.attachments) > MOST_ATTACHMENTS or any(kind not in ATTACHMENT_KINDS for kind, _ in draft.attachments):
        raise InvalidSummary(f"at most {MOST_ATTACHMENTS} photos or PDF documents")
    figures = await forum_attendance.figures(uow, forum)
    return forum, ForumSummary(
        forum_id=forum.id, texts=texts,
        attachments=[{"kind": kind, "file_id": file_id} for kind, file_id in draft.attachments],
        attendance=figures.as_json(), published_by=actor_telegram_id, published_at=now)


async def reach(uow: UnitOfWork, forum: Forum) -> int:
    """How many residents a summary of the forum would go to now."""
    return len(await uow.forum_summaries.audience(forum))


async def publish(uow: UnitOfWork, actor_telegram_id: int, draft: SummaryDraft, notices: Notices,
                  now: datetime) -> tuple[ForumSummary, int]:
    """Store the summary, send it (then its attachments) to the forum's people and the theme's
    followers, and note it on the theme's timeline – all in one commit. Returns it and how many
    residents it goes to."""
    forum, summary = await unsaved(uow, actor_telegram_id, draft, now)
    if not await uow.forum_summaries.add(summary):
        raise AlreadyPublished("published meanwhile")
    recipients = await uow.forum_summaries.audience(forum)
    sent = dict(kind=KIND, subject=forums.subject(forum), now=now, priority=Priority.BULK,
                created_by=actor_telegram_id)
    broadcast = await outbox.enqueue(uow, recipients, notices.forum_summary(forum, summary), **sent)
    for number, attachment in enumerate(summary.attachments, start=1):
        await outbox.enqueue(uow, recipients, notices.summary_attachment(forum, number, len(summary.attachments)),
                             media=(attachment["kind"], attachment["file_id"]), **sent)
    theme = await forums.theme_of(uow, forum)
    if theme is not None:
        await uow.themes.add_entry(theme.id, theme.status, notices.summary_timeline_note(forum, summary),
                                   actor_telegram_id, now)
    reached = (await uow.outbox.get(broadcast)).total
    await uow.commit()
    return summary, reached


async def archive(uow: UnitOfWork, theme_id: int | None, page: int) -> Page:
    """Published summaries with their forums, newest first, one page; of one theme when given."""
    page, pages = _page(page, await uow.forum_summaries.count_archive(theme_id))
    return Page(await uow.forum_summaries.archive(theme_id, page * PER_PAGE, PER_PAGE), page, pages)


async def themes(uow: UnitOfWork) -> Sequence[Proposal]:
    """The themes that have summaries (the archive's filter)."""
    return await uow.forum_summaries.themes()


async def published(uow: UnitOfWork, forum_id: int) -> tuple[ForumSummary, Forum]:
    summary = await uow.forum_summaries.get(forum_id)
    if summary is None:
        raise NotFound("no summary")
    return summary, await forums.forum(uow, forum_id)
