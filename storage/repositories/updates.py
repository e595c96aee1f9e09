from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, select

from storage.models import ConversationState, ProcessedUpdate, Resident
from storage.repositories.base import Repository
from storage.repositories.conversations import Conversation, ConversationRepository


class UpdateAlreadyHandled(Exception):
    """Another delivery of this update was handled and committed first."""


@dataclass
class Arrival:
    """What handling an update starts from, read in one statement for a known resident."""

    seen: bool  # this update was handled before
    resident: Resident | None
    conversation: Conversation | None  # None when no conversation key was given


SEEN = exists().where(
    ProcessedUpdate.bot_id == bindparam("bot_id"), ProcessedUpdate.update_id == bindparam("update_id"),
).label("seen")
ARRIVAL = (
    select(SEEN, Resident, ConversationState.state, ConversationState.data)
    .outerjoin(ConversationState, ConversationState.key == bindparam("key"))
    .where(Resident.telegram_id == bindparam("telegram_id"))
)


class ProcessedUpdateRepository(Repository):
    async def arrival(
        self, bot_id: int, update_id: int, telegram_id: int | None, conversation_key: str | None
    ) -> Arrival:
        """Whether the update was seen, its resident and their conversation, in one read."""
        update = {"bot_id": bot_id, "update_id": update_id}
        if telegram_id is not None:
            row = (await self.session.execute(
                ARRIVAL, {**update, "telegram_id": telegram_id, "key": conversation_key})).first()
            if row is not None:
                conversation = None
                if conversation_key is not None:
                    conversation = Conversation(conversation_key, row.state, dict(row.data or {}))
                return Arrival(bool(row.seen), row.Resident, conversation)
        # No resident yet (or none to look for): the first contact's slower path.
        was_seen = bool(await self.session.scalar(select(SEEN), update))
        conversation = None
        if conversation_key is not None:
            conversation = await ConversationRepository(self.session).get(conversation_key)
        return Arrival(was_seen, None, conversation)

    async def claim(self, bot_id: int, update_id: int, now: datetime) -> None:
        """Record the update as handled; raises UpdateAlreadyHandled when it already was."""
        statement = self.prepared("claim update", _claim)
        claimed = await self.session.execute(
            statement, {"bot_id": bot_id, "update_id": update_id, "processed_at": now})
        if claimed.rowcount != 1:
            raise UpdateAlreadyHandled(update_id)

    async def forget_before(self, moment: datetime) -> int:
        statement = delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < moment)
        return (await self.session.execute(statement)).rowcount


def _claim(insert: Any) -> Any:
    return insert(ProcessedUpdate.__table__).on_conflict_do_nothing()
