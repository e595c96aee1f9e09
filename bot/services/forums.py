"""Forums: what makes a forum, creating and announcing one, and which forums a resident sees.

RSVPs are in forum_rsvp.py, reminders in forum_reminders.py, remote questions in
forum_questions.py and summaries in forum_summaries.py.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.services import outbox, staff
from bot.services.ballots import Problem
from domain import (
    DEFAULT_REMINDERS, LOCALES, N_, Audience, DomainError, ForumAudience, ForumPhase, NotFound, Notice,
    Priority, Role, forum_phase, is_public,
)
from storage.models import Forum, Proposal
from storage.uow import UnitOfWork

TITLE_LIMIT = 100
DESCRIPTION_LIMIT = 2000
PLACE_LIMIT = 200
URL_LIMIT = 500
LONGEST = timedelta(hours=24)
MOST_REMINDERS = 4
REMINDER_RANGE = (5, 14 * 24 * 60)  # minutes before the start
URL = re.compile(r"^https?://\S+$")


class InvalidForum(DomainError):
    """A draft that cannot become a forum; `problems` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


class Notices(Protocol):
    def forum_invitation(self, forum: Forum) -> Notice: ...


@dataclass
class ForumDraft:
    theme_id: int
    title: dict[str, str]
    description: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    place: str
    latitude: float | None = None
    longitude: float | None = None
    remote_url: str | None = None
    capacity: int | None = None
    reminders: tuple[int, ...] = DEFAULT_REMINDERS
    audience: ForumAudience = ForumAudience.THEME
    area_ids: tuple[int, ...] = field(default=())


def problems_of(draft: ForumDraft, now: datetime) -> list[Problem]:
    """What keeps a draft from becoming a forum, the store aside (empty when nothing does)."""
    found = []
    for part, texts, limit in (("title", draft.title, TITLE_LIMIT),
                               ("description", draft.description, DESCRIPTION_LIMIT)):
        given = {locale: text for locale, text in texts.items() if text.strip()}
        if not given or set(given) - set(LOCALES):
            found.append(Problem(part, N_("give it in at least one of {languages}"),
                                 {"languages": ", ".join(LOCALES)}))
        if any(len(text) > limit for text in given.values()):
            found.append(Problem(part, N_("at most {limit} characters"), {"limit": limit}))
    if not draft.place.strip() or len(draft.place) > PLACE_LIMIT:
        found.append(Problem("place", N_("1–{limit} characters"), {"limit": PLACE_LIMIT}))
    if (draft.latitude is None) != (draft.longitude is None) or (
            draft.latitude is not None and not (-90 <= draft.latitude <= 90 and -180 <= draft.longitude <= 180)):
        found.append(Problem("location", N_("give both latitude and longitude, or neither")))
    if draft.remote_url is not None and (len(draft.remote_url) > URL_LIMIT or not URL.match(draft.remote_url)):
        found.append(Problem("remote_url", N_("a web address starting with https://")))
    if draft.capacity is not None and draft.capacity < 1:
        found.append(Problem("capacity", N_("at least 1, or none for no limit")))
    if draft.ends_at <= draft.starts_at:
        found.append(Problem("ends", N_("must be after it starts")))
    elif draft.ends_at - draft.starts_at > LONGEST:
        found.append(Problem("ends", N_("at most 24 hours after it starts")))
    if draft.starts_at <= now:
        found.append(Problem("starts", N_("must be in the future")))
    low, high = REMINDER_RANGE
    if len(draft.reminders) > MOST_REMINDERS or len(set(draft.reminders)) != len(draft.reminders) or any(
            not low <= minutes <= high for minutes in draft.reminders):
        found.append(Problem("reminders", N_("at most {count} different times, each {low}–{high} minutes before"),
                             {"count": MOST_REMINDERS, "low": low, "high": high}))
    if draft.audience == ForumAudience.AREAS and not draft.area_ids:
        found.append(Problem("audience", N_("choose at least one area")))
    return found


async def unsaved(uow: UnitOfWork, actor_telegram_id: int, draft: ForumDraft, now: datetime) -> Forum:
    """The forum a draft makes, checked but not stored (staff preview it); InvalidForum says why not."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    found = problems_of(draft, now)
    theme = await uow.proposals.get(draft.theme_id)
    if theme is None or not is_public(theme):
        found.append(Problem("theme", N_("no public theme with id {id}"), {"id": draft.theme_id}))
    for area_id in draft.area_ids:
        if await uow.areas.get(area_id) is None:
            found.append(Problem("areas", N_("no area with id {id}"), {"id": area_id}))
    if found:
        raise InvalidForum(found)
    return Forum(
        theme_id=draft.theme_id, title=_kept(draft.title), description=_kept(draft.description),
        starts_at=draft.starts_at, ends_at=draft.ends_at, place=draft.place.strip(),
        latitude=draft.latitude, longitude=draft.longitude, remote_url=draft.remote_url,
        capacity=draft.capacity, reminders=sorted(draft.reminders, reverse=True),
        audience={"kind": draft.audience.value,
                  "area_ids": list(draft.area_ids) if draft.audience == ForumAudience.AREAS else []},
        created_by=actor_telegram_id, created_at=now,
    )


def _kept(texts: dict[str, str]) -> dict[str, str]:
    return {locale: text.strip() for locale, text in texts.items() if text.strip()}


async def create(uow: UnitOfWork, actor_telegram_id: int, draft: ForumDraft, notices: Notices,
                 now: datetime) -> Forum:
    """A new forum (editors and admins), its invitation queued to its audience in the same commit."""
    forum = await uow.forums.add(await unsaved(uow, actor_telegram_id, draft, now))
    forum.announced_at = now
    await outbox.enqueue(uow, await invited_by(uow, forum), notices.forum_invitation(forum), kind="forum",
                         subject=subject(forum), created_by=actor_telegram_id, now=now,
                         priority=Priority.BULK)
    await uow.commit()
    return forum


async def invited_by(uow: UnitOfWork, forum: Forum) -> Audience | Sequence[int]:
    """Who a forum's invitation goes to: an audience, or the theme's followers and supporters."""
    kind = ForumAudience(forum.audience["kind"])
    if kind == ForumAudience.THEME:
        return sorted(await uow.forums.theme_audience(forum.theme_id)) if forum.theme_id else []
    if kind == ForumAudience.AREAS:
        return Audience(area_ids=tuple(forum.audience["area_ids"]))
    return Audience()


async def invitation_count(uow: UnitOfWork, forum: Forum) -> int:
    """How many residents a forum's invitation reaches (stored or not yet): its audience now."""
    invited = await invited_by(uow, forum)
    if isinstance(invited, Audience):
        return await uow.outbox.count_audience(invited)
    return len(invited)


def subject(forum: Forum) -> str:
    return f"forum:{forum.id}"


def phase_of(forum: Forum, now: datetime) -> ForumPhase:
    return forum_phase(forum.starts_at, forum.ends_at, now)


async def forum(uow: UnitOfWork, forum_id: int) -> Forum:
    """An announced forum (residents see no other); NotFound otherwise."""
    found = await uow.forums.get(forum_id)
    if found is None or found.announced_at is None:
        raise NotFound("no such forum")
    return found


async def upcoming(uow: UnitOfWork, now: datetime, offset: int, limit: int) -> Sequence[Forum]:
    """Forums not yet over, the soonest first (one happening now included)."""
    return await uow.forums.upcoming(now, offset, limit)


async def theme_of(uow: UnitOfWork, chosen: Forum) -> Proposal | None:
    return await uow.proposals.get(chosen.theme_id) if chosen.theme_id else None
