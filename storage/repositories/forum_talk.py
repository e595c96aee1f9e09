"""Remote questions and forum summaries."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, union, update

from domain import Attendance, QuestionStatus
from storage.models import Follower, Forum, ForumQuestion, ForumSummary, Proposal, Rsvp
from storage.repositories.base import Repository

SUMMARY_AUDIENCE = (Attendance.IN_PERSON, Attendance.REMOTE, Attendance.WAITING)


def _live(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """An announced forum happening now."""
    return (Forum.announced_at.is_not(None), Forum.starts_at <= now, Forum.ends_at > now)


class ForumQuestionRepository(Repository):
    async def attendance(self, forum_id: int, resident_id: int) -> str | None:
        """How the resident said they take part in the forum (None: no RSVP)."""
        return await self.session.scalar(
            select(Rsvp.attendance).where(Rsvp.forum_id == forum_id, Rsvp.resident_id == resident_id))

    async def live_forums(self, now: datetime) -> Sequence[Forum]:
        """Announced forums happening now, the earliest started first."""
        statement = select(Forum).where(*_live(now)).order_by(Forum.starts_at, Forum.id)
        return (await self.session.scalars(statement)).all()

    async def remote_at_live(self, resident_id: int, now: datetime) -> Sequence[Forum]:
        """Forums happening now that the resident attends remotely."""
        statement = (select(Forum).join(Rsvp, Rsvp.forum_id == Forum.id)
                     .where(*_live(now), Rsvp.resident_id == resident_id, Rsvp.attendance == Attendance.REMOTE)
                     .order_by(Forum.starts_at, Forum.id))
        return (await self.session.scalars(statement)).all()

    async def add(self, question: ForumQuestion) -> ForumQuestion:
        self.session.add(question)
        await self.session.flush()
        return question

    async def get(self, question_id: int) -> ForumQuestion | None:
        return await self.session.get(ForumQuestion, question_id, populate_existing=True)

    async def pending_of(self, forum_id: int, resident_id: int) -> int:
        return await self.session.scalar(
            select(func.count()).select_from(ForumQuestion).where(
                ForumQuestion.forum_id == forum_id, ForumQuestion.resident_id == resident_id,
                ForumQuestion.status == QuestionStatus.PENDING)) or 0

    async def move(self, question_id: int, before: QuestionStatus, after: QuestionStatus,
                   **values: object) -> bool:
        """The question moved from `before` to `after` – False when it was no longer `before`
        (another moderator or host was quicker); the database decides, so only one wins."""
        result = await self.session.execute(
            update(ForumQuestion).where(ForumQuestion.id == question_id, ForumQuestion.status == before)
            .values(status=after, **values).execution_options(synchronize_session=False))
        return result.rowcount == 1

    async def oldest_approved(self, forum_ids: Sequence[int]) -> ForumQuestion | None:
        statement = (select(ForumQuestion)
                     .where(ForumQuestion.forum_id.in_(forum_ids), ForumQuestion.status == QuestionStatus.APPROVED)
                     .order_by(ForumQuestion.decided_at, ForumQuestion.id).limit(1))
        return await self.session.scalar(statement)

    async def waiting(self, forum_ids: Sequence[int]) -> dict[str, int]:
        """How many questions of these forums are approved and how many pending."""
        rows = await self.session.execute(
            select(ForumQuestion.status, func.count())
            .where(ForumQuestion.forum_id.in_(forum_ids),
                   ForumQuestion.status.in_((QuestionStatus.APPROVED, QuestionStatus.PENDING)))
            .group_by(ForumQuestion.status))
        return {QuestionStatus.APPROVED: 0, QuestionStatus.PENDING: 0, **dict(rows.all())}


class ForumSummaryRepository(Repository):
    async def add(self, summary: ForumSummary) -> bool:
        """Store a forum's summary; False when the forum already has one (published meanwhile)."""
        values = {column.key: getattr(summary, column.key) for column in ForumSummary.__table__.columns}
        statement = self.insert(ForumSummary).values(values).on_conflict_do_nothing(index_elements=["forum_id"])
        return (await self.session.execute(statement)).rowcount == 1

    async def get(self, forum_id: int) -> ForumSummary | None:
        return await self.session.get(ForumSummary, forum_id)

    @staticmethod
    def _awaiting(now: datetime) -> tuple[ColumnElement[bool], ...]:
        """An announced forum that has started and has no summary yet."""
        return (Forum.announced_at.is_not(None), Forum.starts_at <= now,
                ~select(ForumSummary.forum_id).where(ForumSummary.forum_id == Forum.id).exists())

    async def count_awaiting(self, now: datetime) -> int:
        return await self.session.scalar(select(func.count()).select_from(Forum).where(*self._awaiting(now))) or 0

    async def awaiting(self, now: datetime, offset: int, limit: int) -> Sequence[Forum]:
        """Forums waiting for their summary, the latest first."""
        statement = (select(Forum).where(*self._awaiting(now)).order_by(Forum.starts_at.desc(), Forum.id.desc())
                     .offset(offset).limit(limit))
        return (await self.session.scalars(statement)).all()

    async def audience(self, forum: Forum) -> Sequence[int]:
        """Everyone who RSVPed (in person, remotely or waiting), asked a question or follows the theme."""
        parts = [select(Rsvp.resident_id).where(Rsvp.forum_id == forum.id, Rsvp.attendance.in_(SUMMARY_AUDIENCE)),
                 select(ForumQuestion.resident_id).where(ForumQuestion.forum_id == forum.id,
                                                         ForumQuestion.resident_id.is_not(None))]
        if forum.theme_id is not None:
            parts.append(select(Follower.resident_id).where(Follower.proposal_id == forum.theme_id))
        return sorted((await self.session.scalars(union(*parts))).all())

    @staticmethod
    def _of_theme(theme_id: int | None) -> tuple[ColumnElement[bool], ...]:
        return (Forum.theme_id == theme_id,) if theme_id is not None else ()

    async def count_archive(self, theme_id: int | None) -> int:
        statement = (select(func.count()).select_from(ForumSummary).join(Forum, Forum.id == ForumSummary.forum_id)
                     .where(*self._of_theme(theme_id)))
        return await self.session.scalar(statement) or 0

    async def archive(self, theme_id: int | None, offset: int, limit: int) -> list[tuple[ForumSummary, Forum]]:
        """Published summaries with their forums, newest first (of one theme when given)."""
        statement = (select(ForumSummary, Forum).join(Forum, Forum.id == ForumSummary.forum_id)
                     .where(*self._of_theme(theme_id))
                     .order_by(ForumSummary.published_at.desc(), ForumSummary.forum_id.desc())
                     .offset(offset).limit(limit))
        return [(summary, forum) for summary, forum in (await self.session.execute(statement)).all()]

    async def themes(self) -> Sequence[Proposal]:
        """The themes that have a published summary, by title."""
        statement = (select(Proposal).where(Proposal.id.in_(
            select(Forum.theme_id).join(ForumSummary, ForumSummary.forum_id == Forum.id)))
            .order_by(Proposal.title, Proposal.id))
        return (await self.session.scalars(statement)).all()
