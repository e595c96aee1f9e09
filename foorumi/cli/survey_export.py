"""`foorumi survey export`: a survey's finished responses as CSV, the same file the bot's ⬇️ CSV sends."""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from bot.services import survey_export
from domain import NotFound
from foorumi.cli import fail, run_async, settings, with_uow
from foorumi.cli.survey import survey_app


@survey_app.command("export")
def export(
    survey_id: int,
    output: Path | None = typer.Option(None, "--output", "-o", help="CSV file (default: standard output)."),
) -> None:
    """A survey's finished responses as CSV, one row each, in UTF-8 with a byte order mark (Excel
    reads the letters right; Python: encoding="utf-8-sig").

    Columns: response (a random id), resident_group (permanent, holiday, works, other, empty when
    not told; "hidden" in a group too small to show: fewer than 5 responses, or the next smallest
    when only one group would be hidden, as in the bot), then one per question, headed by its
    number and text in DEFAULT_LOCALE: the number (rating 1–5, scale 0–10, yes 1 / no 0), the
    chosen options' labels joined by "; ", or the text written; empty when skipped.
    No resident id, Telegram id, name or time; rows in the order of the random ids.
    """
    config = settings()
    try:
        data = run_async(lambda: with_uow(
            lambda uow: survey_export.export(uow, survey_id, config.default_locale)))
    except NotFound:
        fail(f"no survey {survey_id}")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    output.write_bytes(data)
    typer.echo(f"{output}: the finished responses to survey {survey_id}")
