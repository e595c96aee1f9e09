from __future__ import annotations

from pathlib import Path

import typer

from foorumi.cli import app, fail, run_async, with_uow
from domain import DomainError
from bot.services import areas as area_service

areas_app = typer.Typer(help="The city's villages and districts.", no_args_is_help=True)
app.add_typer(areas_app, name="areas")


@areas_app.command("load")
def load(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Load areas from a YAML or CSV file (updates areas with the same code)."""
    try:
        records = area_service.parse_area_file(file)
    except (DomainError, ValueError) as error:
        fail(f"{file}: {error}")
    if not records:
        fail(f"{file}: no areas found")
    count = run_async(lambda: with_uow(lambda uow: area_service.load(uow, records)))
    typer.echo(f"loaded {count} areas")
