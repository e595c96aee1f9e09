"""Engine and session factory; SQLite gets WAL and foreign keys."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession


POOL_SIZE = 20  # the handlers, the outbox sender and the progress job share it


def create_engine(url: str, **options: Any) -> AsyncEngine:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        options.setdefault("connect_args", {"timeout": 30})
    else:
        # A fixed pool (no overflow connections opened and closed under load) and no ping per
        # checkout: a connection the server dropped is invalidated on its error and replaced,
        # and none is kept past pool_recycle.
        options.setdefault("pool_size", POOL_SIZE)
        options.setdefault("max_overflow", 0)
        options.setdefault("pool_timeout", 30)
        options.setdefault("pool_recycle", 1800)
    engine = create_async_engine(url, **options)
    if backend == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
