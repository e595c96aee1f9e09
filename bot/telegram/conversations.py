"""A conversation's step and draft for aiogram's FSMContext, kept in the update's unit of work.

The state is read with the resident (one statement) and written with the update's next commit,
so a step and the change it records land together, and a half-finished conversation
(onboarding, a proposal draft) survives a restart. With REDIS_URL, aiogram's RedisStorage keeps
conversations instead, shared by every bot process.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from storage.repositories.conversations import Conversation
from storage.uow import UnitOfWork

KEYS = DefaultKeyBuilder(with_destiny=True, with_business_connection_id=True)


def conversation_key(key: StorageKey) -> str:
    return KEYS.build(key)


class UpdateConversation(BaseStorage):
    """The one conversation an update belongs to; changes are staged in its unit of work."""

    def __init__(self, uow: UnitOfWork, key: StorageKey, conversation: Conversation, now: datetime) -> None:
        self._uow = uow
        self._key = key
        self._conversation = conversation
        self._now = now

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        self._check(key)
        self._conversation.state = state.state if isinstance(state, State) else state
        self._stage()

    async def get_state(self, key: StorageKey) -> str | None:
        self._check(key)
        return self._conversation.state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        self._check(key)
        self._conversation.data = dict(data)
        self._stage()

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        self._check(key)
        return dict(self._conversation.data)

    async def close(self) -> None:
        """Nothing of its own to close: the unit of work belongs to the update."""

    def _check(self, key: StorageKey) -> None:
        if key != self._key:
            raise LookupError("an update reaches only its own conversation")

    def _stage(self) -> None:
        self._uow.stage("conversation", self._save)

    async def _save(self) -> None:
        await self._uow.conversations.save(self._conversation, self._now)
