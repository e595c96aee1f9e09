from __future__ import annotations

from collections.abc import Awaitable, Callable

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from foorumi.cli import app, run_async, settings
from storage import migrate
from storage.db import create_engine

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade() -> None:
    """Create or upgrade the schema to the newest version."""
    run_async(lambda: _migrated(migrate.upgrade))
    typer.echo("database is up to date")


@db_app.command("downgrade")
def downgrade(revision: str = typer.Argument(..., help="the revision to go back to, e.g. 0006")) -> None:
    """Take the schema back to an older version (what newer versions added is lost)."""
    run_async(lambda: _migrated(lambda engine: migrate.downgrade(engine, revision)))
    typer.echo(f"database is at {revision}")


async def _migrated(step: Callable[[AsyncEngine], Awaitable[None]]) -> None:
    engine = create_engine(settings().database_url)
    try:
        await step(engine)
    finally:
        await engine.dispose()


@db_app.command("revision")
def revision(message: str = typer.Option(..., "-m", "--message")) -> None:
    """(developers) Write a new migration from the difference between models and database."""
    migrate.make_revision(settings().database_url, message)
