"""`foorumi vote`: theme votes from the shell – a ballot from a file, the list, results, posters."""
from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode
import typer
from aiogram.exceptions import TelegramAPIError

from bot.config import Settings
from bot.services import ballot_files, ballots
from bot.services.ballot_counts import Results
from bot.services.ballot_files import BallotFileError, Row
from domain import NotFound, ballot_command, ballot_link, localized_text
from foorumi.app import Core
from foorumi.cli import app, fail, run_async, settings, with_core, with_uow
from foorumi.cli.proposal import username_of_bot
from storage.models import Ballot
from storage.uow import UnitOfWork

vote_app = typer.Typer(help="Theme votes: ballots residents vote in from the bot.",
                       no_args_is_help=True)
app.add_typer(vote_app, name="vote")


@vote_app.command("create")
def create(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    bot_username: str | None = typer.Option(
        None, "--bot", help="The bot's username for the link (default: asked from Telegram "
                            "when BOT_TOKEN is set, else the /b command)."),
) -> None:
    """Create a ballot from a YAML file; each problem is reported with its line.

    question        a text per language: {fi: "…", sv: "…", en: "…"}
    options         2–12, each a public theme (theme: 12) or a text per language
    method          single (default) or approval
    max_choices     approval only (default: every option)
    areas           area codes (default: everyone)
    resident_types  permanent, holiday, works, other (default: all)
    opens, closes   local time (TIMEZONE), e.g. "2026-12-05 09:00" or "5.12.2026 klo 9.00"
    results         after_close (default) or live
    created_by      Telegram id of the editor or admin it is made for
    """
    config = settings()

    async def make(core: Core) -> Ballot:
        async with core.uow_factory() as uow:
            return await ballot_files.create_from_file(uow, file, config.zone, core.clock.now())

    try:
        ballot = run_async(lambda: with_core(make))
    except BallotFileError as error:
        for problem in error.problems:
            typer.secho(f"error: {problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    opens, closes = local_time(ballot.opens_at, config.zone), local_time(ballot.closes_at, config.zone)
    typer.echo(f"ballot {ballot.id} opens {opens} and closes {closes} ({config.timezone})")
    typer.echo(f"link: {deep_link(config, bot_username, ballot_link, ballot_command, ballot.id)}")


@vote_app.command("list")
def listing(limit: int = typer.Option(20, help="How many, the latest to close first.")) -> None:
    """Ballots: id, phase, opens, closes (local time), voters and the question (DEFAULT_LOCALE)."""
    config = settings()

    async def read(core: Core) -> list[str]:
        now = core.clock.now()
        async with core.uow_factory() as uow:
            return [await _listed(uow, ballot, config, now)
                    for ballot in await uow.ballots.recent(limit)]

    lines = run_async(lambda: with_core(read))
    if not lines:
        typer.echo("no ballots yet")
    for line in lines:
        typer.echo(line)


async def _listed(uow: UnitOfWork, ballot: Ballot, config: Settings, now: datetime) -> str:
    """One tab-separated line; a closed ballot's voters as counted when it closed."""
    if ballot.outcome is not None:
        voters = Results.from_json(ballot.outcome).outcome.voters
    else:
        voters = await uow.ballots.voters(ballot.id)
    question, _ = localized_text(ballot.question, config.default_locale, config.default_locale)
    return "\t".join((str(ballot.id), ballots.phase_of(ballot, now),
                      local_time(ballot.opens_at, config.zone), local_time(ballot.closes_at, config.zone),
                      str(voters), question))


@vote_app.command("export")
def export(
    ballot_id: int,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="CSV file (default: standard output)."),
) -> None:
    """A ballot's results as CSV: votes per option, then per resident type and per area.

    Columns: group_kind (total, resident_type or area), group, position, option, theme_id,
    votes, voters (in the group) and share (of those voters, 4 decimals).
    Groups too small to show are left out, as in the bot.
    A closed ballot gives what it was counted at; an open one is counted now.
    """
    config = settings()

    async def rows(core: Core) -> list[Row]:
        async with core.uow_factory() as uow:
            return await ballot_files.result_rows(uow, ballot_id, config.default_locale,
                                                  core.clock.now())

    try:
        table = run_async(lambda: with_core(rows))
    except NotFound:
        fail(f"no ballot {ballot_id}")
    if output is None:
        ballot_files.write_csv(table, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        ballot_files.write_csv(table, handle)
    typer.echo(f"{output}: results of ballot {ballot_id}, {len(table)} rows")


@vote_app.command("qr")
def qr(
    ballot_id: int,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="PNG file (default: ballot-ID.png)."),
    bot_username: str | None = typer.Option(
        None, "--bot", help="The bot's username (default: asked from Telegram)."),
) -> None:
    """Write a QR code (PNG) of the link that opens a ballot in the bot, for posters."""
    config = settings()
    try:
        run_async(lambda: with_uow(lambda uow: ballots.ballot(uow, ballot_id)))
    except NotFound:
        fail(f"no ballot {ballot_id}")
    username = (bot_username or run_async(lambda: username_of_bot(config))).lstrip("@")
    link = ballot_link(username, ballot_id)
    path = output or Path(f"ballot-{ballot_id}.png")
    qrcode.make(link).save(path)
    typer.echo(f"{path}: {link}")


def deep_link(config: Settings, bot_username: str | None, link: Callable[[str, int], str],
              command: Callable[[int], str], target_id: int) -> str:
    """The deep link when the bot's username is known (--bot, or Telegram), else the command
    (/b7, /f3) that opens the same in the bot."""
    if bot_username is None and config.bot_token is not None:
        try:
            bot_username = run_async(lambda: username_of_bot(config))
        except TelegramAPIError as error:
            typer.secho(f"warning: could not ask Telegram for the bot's username ({error})",
                        err=True)
    if not bot_username:
        return command(target_id)
    return link(bot_username.lstrip("@"), target_id)


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"
