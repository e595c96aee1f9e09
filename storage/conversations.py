"""The conversation store: aiogram FSM state and data kept in the database.

A half-finished conversation (onboarding, a proposal draft) survives a restart.
Each call is its own short transaction so conversations never hold locks.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import ConversationState
from storage.repositories.base import Repository


class DatabaseStorage(BaseStorage):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._keys = DefaultKeyBuilder(with_destiny=True, with_business_connection_id=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._upsert(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._row(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._upsert(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._row(key)
        return dict(row.data) if row and row.data else {}

    async def close(self) -> None:
        """The engine is owned and disposed by the application."""

    async def _row(self, key: StorageKey) -> ConversationState | None:
        async with self._session_factory() as session:
            statement = select(ConversationState).where(ConversationState.key == self._keys.build(key))
            return await session.scalar(statement)

    async def _upsert(self, key: StorageKey, **values: Any) -> None:
        built = self._keys.build(key)
        async with self._session_factory() as session, session.begin():
            insert = Repository(session).insert(ConversationState)
            statement = insert.values(key=built, **{"state": None, "data": {}, **values})
            statement = statement.on_conflict_do_update(index_elements=["key"], set_=values)
            await session.execute(statement)
