from __future__ import annotations

import typer

from foorumi.cli import app, run_async, settings
from storage import migrate
from storage.db import create_engine

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade() -> None:
    """Create or upgrade the schema to the newest version."""
    config = settings()

    async def go() -> None:
        engine = create_engine(config.database_url)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()

    run_async(go)
    typer.echo("database is up to date")


@db_app.command("revision")
def revision(message: str = typer.Option(..., "-m", "--message")) -> None:
    """(developers) Write a new migration from the difference between models and database."""
    migrate.make_revision(settings().database_url, message)
