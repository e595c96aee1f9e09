"""Engine and session factory; SQLite gets WAL, foreign keys and its writers in order."""
from __future__ import annotations

import asyncio
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.util import await_
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession


POOL_SIZE = 20  # the handlers, the outbox sender and the progress job share it


def create_engine(url: str, **options: Any) -> AsyncEngine:
    backend = make_url(url).get_backend_name()
    # A fixed pool: no overflow connections opened and closed under load (for SQLite each one
    # is a thread and a file handle, for PostgreSQL a server process).
    options.setdefault("pool_size", POOL_SIZE)
    options.setdefault("max_overflow", 0)
    options.setdefault("pool_timeout", 30)
    if backend == "sqlite":
        options.setdefault("connect_args", {"timeout": 30})
    else:
        # No ping per checkout: a connection the server dropped is invalidated on its error and
        # replaced, and none is kept past pool_recycle.
        options.setdefault("pool_recycle", 1800)
    engine = create_async_engine(url, **options)
    if backend == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        WritersInOrder().attach(engine)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
WRITER = "foorumi_writer"  # marks the connection that holds the writer turn
WRITER_TIMEOUT = 30.0  # seconds, as busy_timeout: a writer never waits for ever


class WritersInOrder:
    """The process's SQLite writers one at a time, first come first served.

    SQLite lets one connection write at a time. Left to itself, a second writer retries in the
    busy handler, sleeping longer each time, so under load some updates wait seconds while
    later ones go first. Here a transaction's first write waits for its turn on an asyncio lock
    (which serves waiters in order) and keeps it until the transaction ends. Other processes,
    such as a CLI command, still meet busy_timeout.
    """

    def __init__(self) -> None:
        self._turn = asyncio.Lock()

    def attach(self, engine: AsyncEngine) -> None:
        sync_engine = engine.sync_engine
        _WRITERS[sync_engine] = self
        event.listen(sync_engine, "before_cursor_execute", self._before_execute)
        event.listen(sync_engine, "commit", self._end)
        event.listen(sync_engine, "rollback", self._end)
        event.listen(sync_engine.pool, "reset", lambda _dbapi, record, _state: self._release(record.info))
        event.listen(sync_engine.pool, "invalidate", lambda _dbapi, record, _error: self._release(record.info))

    @property
    def writing(self) -> bool:
        return self._turn.locked()

    def _before_execute(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if connection.info.get(WRITER) or not statement.lstrip()[:7].upper().startswith(WRITES):
            return
        # Runs inside SQLAlchemy's greenlet, so the asyncio lock can be awaited from here.
        await_(asyncio.wait_for(self._turn.acquire(), WRITER_TIMEOUT))
        connection.info[WRITER] = True

    def _end(self, connection: Any) -> None:
        self._release(connection.info)

    def _release(self, info: dict[str, Any]) -> None:
        if info.pop(WRITER, False):
            self._turn.release()


_WRITERS: weakref.WeakKeyDictionary[Any, WritersInOrder] = weakref.WeakKeyDictionary()


def write_in_progress(engine: AsyncEngine) -> bool:
    """Whether a write transaction is open in this process on this (SQLite) engine."""
    writers = _WRITERS.get(engine.sync_engine)
    return writers is not None and writers.writing


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
