"""`foorumi survey`: feedback surveys from the shell – one loaded from a file, the list.

Other modules add commands to `survey_app` (foorumi/cli/survey_export.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import typer

from bot.config import Settings
from bot.services import survey_files, surveys
from bot.services.survey_files import SurveyFileError
from domain import localized_text, survey_command, survey_link
from foorumi.app import Core
from foorumi.cli import app, run_async, settings, with_core
from foorumi.cli.vote import deep_link, local_time
from storage.models import Survey
from storage.uow import UnitOfWork

survey_app = typer.Typer(help="Feedback surveys: after a forum, or for an audience.", no_args_is_help=True)
app.add_typer(survey_app, name="survey")

RECENT = timedelta(days=30)  # how long a closed survey stays in the list


@survey_app.command("load")
def load(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    bot_username: str | None = typer.Option(
        None, "--bot", help="The bot's username for the link (default: asked from Telegram "
                            "when BOT_TOKEN is set, else the /s command)."),
) -> None:
    """Create a survey from a YAML or JSON file; each problem is reported with its line.

    title         a text per language: {fi: "…", sv: "…", en: "…"} (at least one)
    intro         optional, likewise
    anonymous     true or false (default): whether responses are kept without the resident
    forum         id of the forum whose attendees (in person and remote) are invited …
    invite_after  … this long after it ends: e.g. 30min, 1h (default), 2d
    audience      without a forum: everyone (default) or {areas: [codes], resident_types: [...],
                  languages: [fi, sv, en]}
    opens         local time (TIMEZONE), e.g. "2026-08-04 20:00" or "4.8.2026 klo 20.00"
    closes        likewise
    created_by    Telegram id of the editor or admin it is made for
    questions     a list of {kind, text: {fi: …}, options: [...], max: 2, required: false};
                  kind: rating (1–5), scale (0–10), single, multiple, yes_no, text or theme
                  (a theme for a future forum; only the last question); options (single,
                  multiple) a text per language each, or one text for every language
    """
    config = settings()

    async def make(core: Core) -> tuple[Survey, datetime]:
        async with core.uow_factory() as uow:
            survey = await survey_files.create_from_file(uow, file, config.zone, core.clock.now())
            forum = await uow.forums.get(survey.forum_id) if survey.forum_id is not None else None
            return survey, surveys.invitation_moment(survey, forum.ends_at if forum else None)

    try:
        survey, invited_at = run_async(lambda: with_core(make))
    except SurveyFileError as error:
        for problem in error.problems:
            typer.secho(f"error: {problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    count = len(survey.questions)
    typer.echo(f"survey {survey.id}: {count} question{'' if count == 1 else 's'}, "
               f"{'anonymous' if survey.anonymous else 'named'}, open {local_time(survey.opens_at, config.zone)}"
               f"–{local_time(survey.closes_at, config.zone)} ({config.timezone})")
    typer.echo(f"link: {deep_link(config, bot_username, survey_link, survey_command, survey.id)}")
    invited = (f"forum {survey.forum_id}'s attendees (in person and remote)" if survey.forum_id is not None
               else "its audience")
    typer.echo(f"invitations to {invited} go out {local_time(invited_at, config.zone)}")


@survey_app.command("list")
def listing(limit: int = typer.Option(20, help="How many, the latest opening first.")) -> None:
    """Surveys open, to come, or closed in the last 30 days: id, phase, opens, closes (local time),
    questions, responses, anonymous or named, and the title (DEFAULT_LOCALE)."""
    config = settings()

    async def read(core: Core) -> list[str]:
        now = core.clock.now()
        async with core.uow_factory() as uow:
            return await _listed(uow, config, now, limit)

    lines = run_async(lambda: with_core(read))
    if not lines:
        typer.echo("no surveys in the last 30 days or to come")
    for line in lines:
        typer.echo(line)


async def _listed(uow: UnitOfWork, config: Settings, now: datetime, limit: int) -> list[str]:
    """One tab-separated line each."""
    found = await uow.surveys.recent(now - RECENT, limit)
    responses = await uow.surveys.response_counts([survey.id for survey in found])
    lines = []
    for survey in found:
        title, _ = localized_text(survey.title, config.default_locale, config.default_locale)
        lines.append("\t".join((
            str(survey.id), surveys.phase_of(survey, now), local_time(survey.opens_at, config.zone),
            local_time(survey.closes_at, config.zone), str(len(survey.questions)),
            str(responses.get(survey.id, 0)), "anonymous" if survey.anonymous else "named", title)))
    return lines
