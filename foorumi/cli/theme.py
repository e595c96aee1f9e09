from __future__ import annotations

import typer

from bot.services import themes
from domain import DomainError, Status
from foorumi.app import Core
from foorumi.cli import app, fail, run_async, settings, with_core
from storage.models import TimelineEntry

theme_app = typer.Typer(
    help="Themes on their path: initiative → preparation → forum → implementation → done.",
    no_args_is_help=True,
)
app.add_typer(theme_app, name="theme")


@theme_app.command("status")
def status(
    theme_id: int,
    new_status: Status = typer.Argument(..., metavar="STATUS"),
    note: str | None = typer.Option(
        None, help="Public note in the default language (DEFAULT_LOCALE)."
    ),
    note_fi: str | None = typer.Option(None, help="Public note in Finnish."),
    note_sv: str | None = typer.Option(None, help="Public note in Swedish."),
    note_en: str | None = typer.Option(None, help="Public note in English."),
    by: int | None = typer.Option(
        None, help="Telegram id of the staff member acting (default: first ADMIN_IDS)."
    ),
) -> None:
    """Move a theme along its path; a dated timeline entry is made and followers are told."""
    config = settings()
    actor = by if by is not None else next(iter(config.admin_ids), None)
    if actor is None:
        fail("--by: give the Telegram id of a staff member (or set ADMIN_IDS)")
    notes = {"fi": note_fi, "sv": note_sv, "en": note_en}
    if note:
        notes[config.default_locale] = note

    async def move(core: Core) -> TimelineEntry:
        async with core.uow_factory() as uow:
            return await themes.move(uow, actor, theme_id, new_status, notes, core.notices,
                                     core.clock.now())

    try:
        entry = run_async(lambda: with_core(move))
    except DomainError as error:
        fail(f"theme {theme_id}: {error}")
    typer.echo(f"theme {theme_id} is now {entry.status} ({entry.created_at:%Y-%m-%d %H:%M} UTC)")
