from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def insert(self, table: Any) -> Any:
        """An INSERT that supports ON CONFLICT on both SQLite and PostgreSQL."""
        dialect = self.session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    def prepared(self, name: str, build: Callable[[Callable[[Any], Any]], Any]) -> Any:
        """A statement for the update path, built once per database dialect from `self.insert`.

        Building a statement costs more than running it; parameters come at execution.
        """
        dialect = self.session.get_bind().dialect.name
        statement = _PREPARED.get((name, dialect))
        if statement is None:
            statement = _PREPARED[name, dialect] = build(self.insert)
        return statement


_PREPARED: dict[tuple[str, str], Any] = {}
