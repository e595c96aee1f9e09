"""Conversation state (a step and its draft data) by conversation key."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.models import ConversationState
from storage.repositories.base import Repository


@dataclass
class Conversation:
    key: str
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


class ConversationRepository(Repository):
    async def get(self, key: str) -> Conversation:
        row = (await self.session.execute(
            select(ConversationState.state, ConversationState.data).where(ConversationState.key == key)
        )).first()
        return Conversation(key, row.state, dict(row.data or {})) if row else Conversation(key)

    async def save(self, conversation: Conversation, now: datetime) -> None:
        await self.session.execute(self.prepared("save conversation", _upsert), {
            "key": conversation.key, "state": conversation.state, "data": conversation.data, "updated_at": now})


def _upsert(insert: Any) -> Any:
    statement = insert(ConversationState.__table__)
    changed = {column: statement.excluded[column] for column in ("state", "data", "updated_at")}
    return statement.on_conflict_do_update(index_elements=["key"], set_=changed)
