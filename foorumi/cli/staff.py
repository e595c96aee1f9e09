from __future__ import annotations

import typer

from foorumi.cli import app, fail, run_async, with_uow
from domain import Role
from bot.services import staff as staff_service

staff_app = typer.Typer(help="Staff roles: admin, moderator, editor.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
def add(telegram_id: int, role: Role) -> None:
    """Give a Telegram user a staff role."""
    granted = run_async(lambda: with_uow(lambda uow: staff_service.grant(uow, telegram_id, role, None)))
    typer.echo(f"{telegram_id} is now {role.value}" if granted else f"{telegram_id} already was {role.value}")


@staff_app.command("remove")
def remove(telegram_id: int, role: Role | None = typer.Argument(None)) -> None:
    """Take a role from a Telegram user (all their roles when no role is given)."""
    removed = run_async(lambda: with_uow(lambda uow: staff_service.revoke(uow, telegram_id, role)))
    if not removed:
        fail(f"{telegram_id} has no such role")
    typer.echo(f"removed {removed} role(s) from {telegram_id}")


@staff_app.command("list")
def listing() -> None:
    """List staff and their roles."""
    rows = run_async(lambda: with_uow(staff_service.listing))
    if not rows:
        typer.echo("no staff yet: add one with `foorumi staff add TELEGRAM_ID admin`")
    for row in rows:
        typer.echo(f"{row.telegram_id}\t{row.role}\tsince {row.granted_at:%Y-%m-%d}")
