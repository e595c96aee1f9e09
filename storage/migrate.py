"""Schema migrations, driven from code (no alembic.ini needed)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision on the given engine."""
    await _migrate(engine, command.upgrade, "heads")


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema back to `revision` (undoing the newer migrations and what they added)."""
    await _migrate(engine, command.downgrade, revision)


async def _migrate(engine: AsyncEngine, step: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def run(connection: object) -> None:
        config.attributes["connection"] = connection
        step(config, revision)

    # Alembic begins and commits the transaction itself, so that a migration can step outside it
    # (SQLite takes PRAGMA foreign_keys only there).
    async with engine.connect() as connection:
        await connection.run_sync(run)
        await connection.commit()


async def pending_revisions(engine: AsyncEngine) -> set[str]:
    """Head revisions not yet applied; all heads for an empty database."""
    heads = set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())

    def current(connection: object) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as connection:
        applied = await connection.run_sync(current)
    return heads - applied


async def has_history(engine: AsyncEngine) -> bool:
    """Whether migrations were ever applied here (an empty database has no version table)."""

    def version_table_exists(connection: Connection) -> bool:
        return inspect(connection).has_table("alembic_version")

    async with engine.connect() as connection:
        return await connection.run_sync(version_table_exists)


def make_revision(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
