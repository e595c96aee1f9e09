"""`foorumi forum`: forums from the shell – one created and announced from a file, the list."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import typer

from bot.config import Settings
from bot.services import forum_attendance, forum_files, forums
from bot.services.forum_files import ForumFileError
from domain import forum_command, forum_link, localized_text
from foorumi.app import Core
from foorumi.cli import app, run_async, settings, with_core
from foorumi.cli.vote import deep_link, local_time
from storage.models import Forum
from storage.uow import UnitOfWork

forum_app = typer.Typer(help="Forums: meetings residents RSVP to in person or remotely.",
                        no_args_is_help=True)
app.add_typer(forum_app, name="forum")

RECENT = timedelta(days=30)  # how long an ended forum stays in the list


@forum_app.command("create")
def create(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    theme: int | None = typer.Option(None, "--theme", help="The theme's id, instead of the file's."),
    bot_username: str | None = typer.Option(
        None, "--bot", help="The bot's username for the link (default: asked from Telegram "
                            "when BOT_TOKEN is set, else the /f command)."),
) -> None:
    """Create a forum from a YAML file and queue its invitation; each problem is reported with its line.

    theme        id of a public theme (or --theme)
    title        a text per language: {fi: "…", sv: "…", en: "…"} (at least one)
    description  likewise
    starts       local time (TIMEZONE), e.g. "2026-08-04 18:00" or "4.8.2026 klo 18.00"
    ends         a time on the same day ("20.00") or a date and time
    place        where it is held
    location     optional: {latitude: 61.6886, longitude: 27.2723}
    remote_url   optional: https:// link for taking part remotely
    capacity     optional: seats in the room
    reminders    optional: e.g. [24h, 1h] (the default), [30min], or minutes; [] for none
    audience     theme (its followers and supporters; default), everyone, or {areas: <area codes>}
    created_by   Telegram id of the editor or admin it is made for
    """
    config = settings()

    async def make(core: Core) -> tuple[Forum, int]:
        async with core.uow_factory() as uow:
            forum = await forum_files.create_from_file(uow, file, config.zone, core.notices,
                                                       core.clock.now(), theme)
            return forum, await forums.invitation_count(uow, forum)

    try:
        forum, invited = run_async(lambda: with_core(make))
    except ForumFileError as error:
        for problem in error.problems:
            typer.secho(f"error: {problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    starts, ends = local_time(forum.starts_at, config.zone), local_time(forum.ends_at, config.zone)
    typer.echo(f"forum {forum.id} starts {starts} and ends {ends} ({config.timezone})")
    typer.echo(f"link: {deep_link(config, bot_username, forum_link, forum_command, forum.id)}")
    typer.echo(f"invitation queued for {invited} resident{'' if invited == 1 else 's'}")


@forum_app.command("list")
def listing(limit: int = typer.Option(20, help="How many, the earliest first.")) -> None:
    """Forums not over yet and those of the last 30 days: id, phase, starts, ends (local time),
    coming in person, remotely, seats and the title (DEFAULT_LOCALE)."""
    config = settings()

    async def read(core: Core) -> list[str]:
        now = core.clock.now()
        async with core.uow_factory() as uow:
            return [await _listed(uow, forum, config, now)
                    for forum in await forums.upcoming(uow, now - RECENT, 0, limit)]

    lines = run_async(lambda: with_core(read))
    if not lines:
        typer.echo("no forums in the last 30 days or to come")
    for line in lines:
        typer.echo(line)


async def _listed(uow: UnitOfWork, forum: Forum, config: Settings, now: datetime) -> str:
    """One tab-separated line; seats "-" when there is no limit."""
    coming = await forum_attendance.figures(uow, forum)
    title, _ = localized_text(forum.title, config.default_locale, config.default_locale)
    return "\t".join((str(forum.id), forums.phase_of(forum, now), local_time(forum.starts_at, config.zone),
                      local_time(forum.ends_at, config.zone), str(coming.in_person), str(coming.remote),
                      str(forum.capacity or "-"), title))
