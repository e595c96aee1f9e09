"""Everything stored about one resident: read out for /mydata, erased or unlinked for /delete.

What each table holds and what erasing does with it is decided in bot/services/privacy.py; this is
the SQL of it. A resident is found by their row id and by their Telegram id, which names them in
staff roles, in what staff did and in conversation keys.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Select, and_, delete, exists, func, or_, select, update

from storage.models import (
    Area, Ballot, BallotOption, Broadcast, ConversationState, Delivery, Follower, Forum, ForumQuestion,
    ForumReminder, ForumSummary, ModerationAction, Proposal, Report, Resident, Rsvp, StaffRole, Support,
    Survey, SurveyAnswer, SurveyParticipant, SurveyQuestion, SurveyResponse, TimelineEntry, Vote,
)
from storage.models.proposals import ResidentMark
from storage.repositories.base import Repository
from storage.repositories.outbox import OutboxRepository

Rows = list[dict[str, Any]]

# Columns that name a member of staff by Telegram id: who granted a role, moved a theme, decided,
# made a ballot, a broadcast, a forum, a summary or a survey.
STAFF_COLUMNS = (
    StaffRole.granted_by, TimelineEntry.created_by, ModerationAction.actor_telegram_id, Ballot.created_by,
    Broadcast.created_by, Forum.created_by, ForumQuestion.decided_by, ForumSummary.published_by,
    Survey.created_by,
)
TOMBSTONE_DEFAULTS = (Resident.quiet_from, Resident.quiet_until, Resident.digest_hour)


def _columns(model: Any, *left_out: str) -> list[Column[Any]]:
    """A table's columns except those naming someone else (the staff member who decided)."""
    return [column for column in model.__table__.columns if column.key not in left_out]


def _mark(model: type[ResidentMark], resident_id: int) -> Select[Any]:
    return (select(*_columns(model), Proposal.title.label("proposal_title"))
            .join(Proposal, Proposal.id == model.proposal_id)
            .where(model.resident_id == resident_id).order_by(model.proposal_id))


def _conversation_keys(keys: Iterable[str], telegram_id: int) -> list[str]:
    """Keys are aiogram's "fsm:<chat>[:<thread>]:<user>:<destiny>": the user is the one before last."""
    return [key for key in keys if key.split(":")[-2:-1] == [str(telegram_id)]]


class PersonalDataRepository(Repository):
    # --- /mydata --------------------------------------------------------------------------------

    async def sections(self, resident_id: int, telegram_id: int, survey_keys: Collection[str]) -> dict[str, Rows]:
        """The resident's rows, table by table, with a label where an id alone says little."""
        responses = select(SurveyResponse.id).where(SurveyResponse.resident_id == resident_id)
        statements: dict[str, Select[Any]] = {
            "residents": select(*_columns(Resident), Area.code.label("area_code"))
            .outerjoin(Area, Area.id == Resident.area_id).where(Resident.id == resident_id),
            "staff_roles": select(*_columns(StaffRole, "granted_by")).where(StaffRole.telegram_id == telegram_id),
            "proposals": select(*_columns(Proposal)).where(Proposal.author_id == resident_id).order_by(Proposal.id),
            "proposal_supports": _mark(Support, resident_id),
            "proposal_reports": _mark(Report, resident_id),
            "theme_followers": _mark(Follower, resident_id),
            "votes": select(*_columns(Vote), Ballot.question.label("ballot_question"),
                            BallotOption.labels.label("option_labels"))
            .join(Ballot, Ballot.id == Vote.ballot_id).join(BallotOption, BallotOption.id == Vote.option_id)
            .where(Vote.resident_id == resident_id).order_by(Vote.ballot_id, Vote.slot),
            "deliveries": select(*_columns(Delivery), Broadcast.kind.label("message_kind"))
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .where(self._addressed_to(resident_id, telegram_id), Delivery.status == "pending")
            .order_by(Delivery.id),
            "forum_rsvps": select(*_columns(Rsvp), Forum.title.label("forum_title"),
                                  Forum.starts_at.label("forum_starts_at"))
            .join(Forum, Forum.id == Rsvp.forum_id).where(Rsvp.resident_id == resident_id).order_by(Rsvp.forum_id),
            "forum_reminders": select(*_columns(ForumReminder)).where(ForumReminder.resident_id == resident_id)
            .order_by(ForumReminder.forum_id, ForumReminder.minutes_before),
            "forum_questions": select(*_columns(ForumQuestion, "decided_by"))
            .where(ForumQuestion.resident_id == resident_id).order_by(ForumQuestion.id),
            "survey_participants": select(*_columns(SurveyParticipant), Survey.title.label("survey_title"),
                                          Survey.anonymous.label("survey_anonymous"))
            .join(Survey, Survey.id == SurveyParticipant.survey_id)
            .where(or_(SurveyParticipant.resident_id == resident_id, SurveyParticipant.key.in_(survey_keys)))
            .order_by(SurveyParticipant.survey_id),
            "survey_responses": select(*_columns(SurveyResponse), Survey.title.label("survey_title"))
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(SurveyResponse.resident_id == resident_id).order_by(SurveyResponse.survey_id),
            "survey_answers": select(*_columns(SurveyAnswer), SurveyQuestion.texts.label("question_texts"))
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(SurveyAnswer.response_id.in_(responses))
            .order_by(SurveyAnswer.response_id, SurveyQuestion.position),
        }
        found = {name: [dict(row._mapping) for row in await self.session.execute(statement)]
                 for name, statement in statements.items()}
        keys = await self._conversations_of(telegram_id)
        found["conversation_states"] = [dict(row._mapping) for row in await self.session.execute(
            select(*_columns(ConversationState)).where(ConversationState.key.in_(keys))
            .order_by(ConversationState.key))]
        return found

    async def survey_ids(self) -> list[int]:
        return list((await self.session.scalars(select(Survey.id).order_by(Survey.id))).all())

    @staticmethod
    def _addressed_to(resident_id: int, telegram_id: int) -> Any:
        """Outbox rows to the resident, and to their private chat as a chat (a moderator's cards)."""
        return or_(Delivery.resident_id == resident_id, Delivery.chat_id == telegram_id)

    async def _conversations_of(self, telegram_id: int) -> list[str]:
        candidates = await self.session.scalars(
            select(ConversationState.key).where(ConversationState.key.like(f"%:{telegram_id}:%")))
        return _conversation_keys(candidates, telegram_id)

    # --- /delete --------------------------------------------------------------------------------

    async def upcoming_answers(self, resident_id: int, now: datetime) -> list[int]:
        """Forums not yet started that the resident said they come to, remotely or on the waiting list."""
        statement = (select(Rsvp.forum_id).join(Forum, Forum.id == Rsvp.forum_id)
                     .where(Rsvp.resident_id == resident_id, Rsvp.attendance != "not_coming", Forum.starts_at > now)
                     .order_by(Rsvp.forum_id))
        return list((await self.session.scalars(statement)).all())

    async def proposals_off_the_path(self, resident_id: int, path: Collection[str]) -> list[Proposal]:
        """The resident's proposals that never became a theme on its path (pending, rejected or merged
        by a moderator): no timeline entry of theirs is a step of the path."""
        was_on_path = exists().where(TimelineEntry.proposal_id == Proposal.id, TimelineEntry.status.in_(path))
        statement = select(Proposal).where(Proposal.author_id == resident_id, Proposal.status.not_in(path),
                                           ~was_on_path)
        return list((await self.session.scalars(statement)).all())

    async def questions_of(self, resident_id: int) -> list[ForumQuestion]:
        statement = select(ForumQuestion).where(ForumQuestion.resident_id == resident_id)
        return list((await self.session.scalars(statement)).all())

    async def delete_broadcasts_about(self, subjects: Collection[str]) -> int:
        """Every message about these subjects (cards, their edits, notices), with its outbox rows."""
        if not subjects:
            return 0
        return (await self.session.execute(delete(Broadcast).where(Broadcast.subject.in_(subjects)))).rowcount

    async def delete_proposals(self, proposal_ids: Collection[int]) -> int:
        """With their supports, reports, followers, timeline and moderation log (the foreign keys cascade)."""
        if not proposal_ids:
            return 0
        return (await self.session.execute(delete(Proposal).where(Proposal.id.in_(proposal_ids)))).rowcount

    async def delete_questions(self, question_ids: Collection[int]) -> int:
        if not question_ids:
            return 0
        statement = delete(ForumQuestion).where(ForumQuestion.id.in_(question_ids))
        return (await self.session.execute(statement)).rowcount

    async def unlink_proposals(self, resident_id: int) -> int:
        statement = update(Proposal).where(Proposal.author_id == resident_id).values(author_id=None)
        return (await self.session.execute(statement.execution_options(synchronize_session=False))).rowcount

    async def delete_follows(self, resident_id: int) -> int:
        return (await self.session.execute(delete(Follower).where(Follower.resident_id == resident_id))).rowcount

    async def delete_reminders(self, resident_id: int) -> int:
        statement = delete(ForumReminder).where(ForumReminder.resident_id == resident_id)
        return (await self.session.execute(statement)).rowcount

    async def cancel_deliveries(self, resident_id: int, telegram_id: int, tombstone_id: int, now: datetime) -> int:
        """Pending outbox rows to the resident are cancelled (their broadcasts' totals with them); the
        rest stay counted, but the messages in their chat can no longer be found or edited."""
        pending = and_(self._addressed_to(resident_id, telegram_id), Delivery.status == "pending")
        per_broadcast = dict((await self.session.execute(
            select(Delivery.broadcast_id, func.count()).where(pending).group_by(Delivery.broadcast_id))).all())
        await self.session.execute(update(Delivery).where(pending).values(status="cancelled", error="erased"))
        for broadcast_id, count in per_broadcast.items():
            await self.session.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                                       .values(cancelled=Broadcast.cancelled + count))
        await OutboxRepository(self.session).finish_completed(per_broadcast, now)
        unreachable = {"message_id": None, "edit_message_id": None}
        await self.session.execute(update(Delivery).where(Delivery.resident_id == resident_id).values(unreachable))
        await self.session.execute(update(Delivery).where(Delivery.chat_id == telegram_id)
                                   .values(chat_id=tombstone_id, **unreachable))
        return sum(per_broadcast.values())

    async def unlink_surveys(self, resident_id: int) -> Counter[str]:
        """Participations and named responses stay counted, no longer linked to the resident: a
        participant row keeps its key and how far it got, a response its group and its answers."""
        participants = await self.session.execute(
            update(SurveyParticipant).where(SurveyParticipant.resident_id == resident_id)
            .values(resident_id=None, draft=None, started_at=None).execution_options(synchronize_session=False))
        responses = await self.session.execute(
            update(SurveyResponse).where(SurveyResponse.resident_id == resident_id)
            .values(resident_id=None, finished_at=None).execution_options(synchronize_session=False))
        return Counter(survey_participants=participants.rowcount, survey_responses=responses.rowcount)

    async def delete_staff_roles(self, telegram_id: int) -> int:
        return (await self.session.execute(delete(StaffRole).where(StaffRole.telegram_id == telegram_id))).rowcount

    async def replace_staff_id(self, telegram_id: int, tombstone_id: int) -> int:
        """What they did as staff stays on record, done by the tombstone; their name leaves the
        moderation log and their chat stops receiving a broadcast's progress."""
        await self.session.execute(
            update(ModerationAction).where(ModerationAction.actor_telegram_id == telegram_id).values(actor_name=None))
        await self.session.execute(
            update(Broadcast).where(Broadcast.progress_chat_id == telegram_id)
            .values(progress_chat_id=None, progress_message_id=None))
        replaced = 0
        for column in STAFF_COLUMNS:
            statement = update(column.table).where(column == telegram_id).values({column.key: tombstone_id})
            replaced += (await self.session.execute(statement)).rowcount
        return replaced

    async def delete_conversations(self, telegram_id: int) -> int:
        keys = await self._conversations_of(telegram_id)
        if not keys:
            return 0
        statement = delete(ConversationState).where(ConversationState.key.in_(keys))
        return (await self.session.execute(statement)).rowcount

    async def make_tombstone(self, resident: Resident, locale: str, now: datetime) -> None:
        """The resident's row, emptied: the negative of its id stands in for the Telegram id (no
        Telegram user has one, and it stays unique), every choice is back to its default, and it
        counts as blocked, so no message is ever queued for it."""
        resident.telegram_id = -resident.id
        resident.locale, resident.locale_confirmed = locale, False
        resident.resident_type, resident.area, resident.onboarded_at = None, None, None
        for column in TOMBSTONE_DEFAULTS:
            setattr(resident, column.key, column.default.arg)  # type: ignore[union-attr]
        resident.digest_weekday, resident.digest_sent_at = None, None
        resident.created_at = resident.blocked_at = resident.erased_at = now
        await self.session.flush()
