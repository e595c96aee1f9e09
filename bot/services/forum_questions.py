"""Live questions: a remote attendee asks during a forum, a moderator approves or skips, the host
takes the approved ones in order (/next) and the asker hears that theirs was taken up.

A question is seen by moderators (and, once approved, the host) only; never by other residents.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.services import forums, outbox, staff
from bot.services.proposals import clean_text, moderator_chats
from domain import Attendance, Chat, DomainError, ForumPhase, NotFound, Notice, QuestionStatus, Role
from storage.models import Forum, ForumQuestion, Resident
from storage.uow import UnitOfWork

QUESTION_LIMIT = 500
PENDING_LIMIT = 3  # a resident's questions waiting for a moderator at one forum: the queue stays fair
CARD = "forum_question"


class NotLive(DomainError):
    """The forum is not happening now: `phase` says whether it is still to come or over."""

    def __init__(self, phase: ForumPhase) -> None:
        super().__init__(f"forum is {phase}")
        self.phase = phase


class NotRemote(DomainError):
    """Only those taking part remotely send questions from the bot."""


class TooManyPending(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} questions waiting")
        self.limit = limit


class QuestionDecided(NotFound):
    """A moderator (or an earlier tap) already decided; the card's buttons are stale."""

    def __init__(self, question_id: int) -> None:
        super().__init__("question already decided")
        self.question_id = question_id


class Notices(Protocol):
    @property
    def staff_chat(self) -> Chat | None: ...

    @property
    def default_locale(self) -> str: ...

    def question_card(self, question: ForumQuestion, forum: Forum) -> Notice: ...
    def question_decided(self, question: ForumQuestion, forum: Forum, who: str | None) -> Notice: ...
    def question_taken(self, question: ForumQuestion, forum: Forum) -> Notice: ...


@dataclass(frozen=True)
class Queue:
    """The host's view after /next: the question taken (None: nothing approved), its forum, and
    how many approved and pending questions still wait at the live forums."""

    question: ForumQuestion | None
    forum: Forum | None
    approved: int
    pending: int
    live: Sequence[Forum]


def subject(question: ForumQuestion) -> str:
    return f"question:{question.id}"


async def askable(uow: UnitOfWork, resident: Resident, forum_id: int, now: datetime) -> Forum:
    """The forum, when this resident may ask it a question now; why not otherwise."""
    forum = await forums.forum(uow, forum_id)
    phase = forums.phase_of(forum, now)
    if phase != ForumPhase.LIVE:
        raise NotLive(phase)
    if await uow.forum_questions.attendance(forum.id, resident.id) != Attendance.REMOTE:
        raise NotRemote("not attending remotely")
    if await uow.forum_questions.pending_of(forum.id, resident.id) >= PENDING_LIMIT:
        raise TooManyPending(PENDING_LIMIT)
    return forum


async def live_for(uow: UnitOfWork, resident: Resident, now: datetime) -> Sequence[Forum]:
    """Forums happening now that the resident attends remotely (where /ask can go)."""
    return await uow.forum_questions.remote_at_live(resident.id, now)


async def ask(uow: UnitOfWork, resident: Resident, forum_id: int, text: str, notices: Notices,
              now: datetime) -> ForumQuestion:
    """Store the question as pending and put its card before the moderators, in one commit.
    TextProblem when the text is empty or too long."""
    forum = await askable(uow, resident, forum_id, now)
    question = await uow.forum_questions.add(ForumQuestion(
        forum_id=forum.id, resident_id=resident.id, text=clean_text(text, QUESTION_LIMIT),
        status=QuestionStatus.PENDING, asked_at=now))
    chats = await moderator_chats(uow, notices.staff_chat, notices.default_locale)
    await outbox.enqueue(uow, chats, notices.question_card(question, forum), kind=CARD,
                         subject=subject(question), now=now, urgent=True)
    await uow.commit()
    return question


async def decide(uow: UnitOfWork, actor_telegram_id: int, question_id: int, approved: bool, notices: Notices,
                 now: datetime, who: str | None = None, card: tuple[int, int] | None = None
                 ) -> tuple[ForumQuestion, Forum]:
    """Approve (into the host's queue) or skip a pending question (moderators and admins); every
    other copy of its card then shows the decision, without buttons, and `who` made it (a first name)
    only in the staff group. The copy pressed, `card` (chat id, message id), is the caller's to edit."""
    await staff.require(uow, actor_telegram_id, Role.MODERATOR)
    question = await _question(uow, question_id)
    status = QuestionStatus.APPROVED if approved else QuestionStatus.SKIPPED
    if question.status != QuestionStatus.PENDING:
        raise QuestionDecided(question.id)
    if not await uow.forum_questions.move(question.id, QuestionStatus.PENDING, status, decided_at=now,
                                          decided_by=actor_telegram_id):
        await uow.rollback()  # decided by someone else this very moment
        raise QuestionDecided(question.id)
    question = await _question(uow, question_id)
    forum = await forums.forum(uow, question.forum_id)
    await uow.outbox.cancel_unsent(CARD, subject(question), now)
    staff_group = notices.staff_chat
    named = {staff_group.chat_id: notices.question_decided(question, forum, who)} if staff_group else {}
    await outbox.edit_copies(uow, CARD, subject(question), notices.question_decided(question, forum, None),
                             now=now, except_message=card, notice_in=named)
    await uow.commit()
    return question, forum


async def decided(uow: UnitOfWork, question_id: int) -> tuple[ForumQuestion, Forum]:
    """A question and its forum, to show a card pressed after the decision."""
    question = await _question(uow, question_id)
    return question, await forums.forum(uow, question.forum_id)


async def take_next(uow: UnitOfWork, actor_telegram_id: int, notices: Notices, now: datetime) -> Queue:
    """The oldest approved question of the forums happening now, marked taken (the asker is told);
    with what still waits. Moderators and admins."""
    await staff.require(uow, actor_telegram_id, Role.MODERATOR)
    live = await uow.forum_questions.live_forums(now)
    ids = [forum.id for forum in live]
    while (question := await uow.forum_questions.oldest_approved(ids)) is not None:
        if await uow.forum_questions.move(question.id, QuestionStatus.APPROVED, QuestionStatus.TAKEN, taken_at=now):
            break  # else another host took it a moment ago: the next one
    forum = next((forum for forum in live if question and forum.id == question.forum_id), None)
    if question is not None and forum is not None and question.resident_id is not None:
        await outbox.enqueue(uow, [question.resident_id], notices.question_taken(question, forum),
                             kind="forum_question_taken", subject=subject(question), now=now, urgent=True)
    await uow.commit()  # (when nothing was taken, this ends the transaction a lost race began)
    counts = await uow.forum_questions.waiting(ids)
    return Queue(question, forum, counts[QuestionStatus.APPROVED], counts[QuestionStatus.PENDING], live)


async def _question(uow: UnitOfWork, question_id: int) -> ForumQuestion:
    question = await uow.forum_questions.get(question_id)
    if question is None:
        raise NotFound("no such question")
    return question
