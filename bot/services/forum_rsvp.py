"""RSVPs: in person, remotely or not coming; a full room's waiting list and who gets a freed seat.

Seats are counted with the forum locked (uow.forums.lock), so however many residents answer at
once, no more come in person than the room holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.services import forums, outbox
from domain import Attendance, DomainError, ForumPhase, NotFound, Notice, is_public
from storage.models import Forum, Proposal, Resident, Rsvp
from storage.uow import UnitOfWork

SEATED = (Attendance.IN_PERSON, Attendance.WAITING)  # answers that ask for a seat in the room


class ForumEnded(DomainError):
    """The forum is over: answers are closed."""


class AlreadyStarted(DomainError):
    """The forum has started: no more seats are given, remote attendance still is."""


class NoRemoteLink(DomainError):
    """The forum has no link for remote attendance."""


class Full(DomainError):
    """Every seat is taken; the resident may come remotely (when the forum has a link) or wait."""

    def __init__(self, remote: bool) -> None:
        super().__init__("no seats left")
        self.remote = remote


class Notices(Protocol):
    def forum_seat(self, forum: Forum) -> Notice: ...


@dataclass(frozen=True)
class Answer:
    """The resident's answer before and after (the same when nothing changed)."""

    before: Attendance | None
    after: Attendance

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Headcount:
    capacity: int | None  # seats in the room; None: no limit
    in_person: int = 0
    remote: int = 0
    waiting: int = 0

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.in_person, 0)

    @property
    def full(self) -> bool:
        return self.seats_left == 0


@dataclass(frozen=True)
class ForumView:
    """What a resident's page of a forum shows."""

    forum: Forum
    phase: ForumPhase
    headcount: Headcount
    mine: Attendance | None
    theme: Proposal | None  # when public


async def view(uow: UnitOfWork, resident: Resident, forum_id: int, now: datetime) -> ForumView:
    chosen = await forums.forum(uow, forum_id)
    theme = await forums.theme_of(uow, chosen)
    return ForumView(chosen, forums.phase_of(chosen, now), await headcount(uow, chosen),
                     await my_rsvp(uow, chosen, resident), theme if theme and is_public(theme) else None)


async def my_rsvp(uow: UnitOfWork, chosen: Forum, resident: Resident) -> Attendance | None:
    found = await uow.forums.rsvp_of(chosen.id, resident.id)
    return Attendance(found.attendance) if found else None


async def headcount(uow: UnitOfWork, chosen: Forum) -> Headcount:
    counts = await uow.forums.headcount(chosen.id)
    return Headcount(chosen.capacity, counts.get(Attendance.IN_PERSON, 0), counts.get(Attendance.REMOTE, 0),
                     counts.get(Attendance.WAITING, 0))


async def rsvp(uow: UnitOfWork, resident: Resident, forum_id: int, attendance: Attendance, notices: Notices,
               now: datetime) -> Answer:
    """Answer a forum's invitation or change the answer; commits.

    Asking for a seat (in person, or the waiting list) gives one while any is free; when none
    is, in person raises Full and the waiting list keeps the resident's place in the queue.
    A seat given up before the start goes to whoever has waited longest, who is told.
    """
    chosen = await uow.forums.lock(forum_id)
    try:
        answer = await _answer(uow, chosen, resident, attendance, notices, now)
    except DomainError:
        await uow.commit()  # nothing was written: ends the transaction and lets go of the forum
        raise
    await uow.commit()
    return answer


async def withdraw(uow: UnitOfWork, resident: Resident, forum_id: int, notices: Notices, now: datetime) -> None:
    """The resident is not coming to a forum not yet started (they are erasing their data): a seat
    they held goes to the waiting list. Does NOT commit."""
    chosen = await uow.forums.lock(forum_id)
    if chosen is not None and forums.phase_of(chosen, now) == ForumPhase.UPCOMING:
        await _answer(uow, chosen, resident, Attendance.NOT_COMING, notices, now)


async def _answer(uow: UnitOfWork, chosen: Forum | None, resident: Resident, wanted: Attendance,
                  notices: Notices, now: datetime) -> Answer:
    if chosen is None or chosen.announced_at is None:
        raise NotFound("no such forum")
    phase = forums.phase_of(chosen, now)
    if phase == ForumPhase.PAST:
        raise ForumEnded("the forum has ended")
    if wanted == Attendance.REMOTE and not chosen.remote_url:
        raise NoRemoteLink("no remote link")
    current = await uow.forums.rsvp_of(chosen.id, resident.id)
    before = Attendance(current.attendance) if current else None
    if wanted in SEATED:
        if before == Attendance.IN_PERSON:
            return Answer(before, before)
        if phase != ForumPhase.UPCOMING:
            raise AlreadyStarted("no seats after the start")
        if (await headcount(uow, chosen)).seats_left != 0:
            wanted = Attendance.IN_PERSON
        elif wanted == Attendance.IN_PERSON:
            raise Full(remote=bool(chosen.remote_url))
    if wanted == before:
        return Answer(before, wanted)
    if current is None:
        current = Rsvp(forum_id=chosen.id, resident_id=resident.id)
    current.attendance, current.responded_at = wanted.value, now
    current.resident_type, current.area_id = resident.resident_type, resident.area_id
    await uow.forums.save_rsvp(current)
    if before == Attendance.IN_PERSON and phase == ForumPhase.UPCOMING:
        await _give_freed_seats(uow, chosen, notices, now)
    return Answer(before, wanted)


async def _give_freed_seats(uow: UnitOfWork, chosen: Forum, notices: Notices, now: datetime) -> None:
    """Free seats to the waiting list, longest waiting first, each told through the outbox."""
    while not (await headcount(uow, chosen)).full:
        waiting = await uow.forums.first_waiting(chosen.id)
        if waiting is None:
            return
        waiting.attendance = Attendance.IN_PERSON.value
        await uow.forums.save_rsvp(waiting)
        await outbox.enqueue(uow, [waiting.resident_id], notices.forum_seat(chosen), kind="forum_seat",
                             subject=forums.subject(chosen), now=now)
