"""Real databases for tests: a SQLite file always, PostgreSQL when a server answers."""
from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

POSTGRES_ADMIN_DSN = os.environ.get("FOORUMI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


async def postgres_unavailable_reason() -> str | None:
    try:
        connection = await asyncio.wait_for(asyncpg.connect(POSTGRES_ADMIN_DSN), timeout=3)
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as error:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_DSN}: {error}"
    await connection.close()
    return None


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty database for this test run (so parallel runs never collide)."""
    name = f"foorumi_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
