from __future__ import annotations

from pathlib import Path

import qrcode
import typer
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.config import Settings
from bot.services import proposals
from domain import DomainError, proposal_link
from foorumi.cli import app, fail, run_async, settings, with_uow

proposal_app = typer.Typer(help="Residents' proposals.", no_args_is_help=True)
app.add_typer(proposal_app, name="proposal")


async def username_of_bot(config: Settings) -> str:
    if config.bot_token is None:
        fail("BOT_TOKEN: not set (or give --bot USERNAME)")
    session = AiohttpSession(api=TelegramAPIServer.from_base(config.bot_api_url))
    bot = Bot(config.bot_token.get_secret_value(), session=session)
    try:
        me = await bot.me()
    finally:
        await session.close()
    return me.username or ""


@proposal_app.command("qr")
def qr(
    proposal_id: int,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="PNG file (default: proposal-ID.png)."
    ),
    bot_username: str | None = typer.Option(
        None, "--bot", help="The bot's username (default: asked from Telegram)."
    ),
) -> None:
    """Write a QR code (PNG) of the link that opens a public proposal, for posters."""
    config = settings()
    try:
        run_async(lambda: with_uow(lambda uow: proposals.public(uow, proposal_id)))
    except DomainError:
        fail(
            f"proposal {proposal_id} is not public "
            "(unknown, waiting for moderation, hidden or closed)"
        )
    username = (bot_username or run_async(lambda: username_of_bot(config))).lstrip("@")
    link = proposal_link(username, proposal_id)
    path = output or Path(f"proposal-{proposal_id}.png")
    qrcode.make(link).save(path)
    typer.echo(f"{path}: {link}")


@proposal_app.command("log")
def log(proposal_id: int) -> None:
    """Every moderation action on a proposal: when, who, what and why."""
    actions = run_async(lambda: with_uow(lambda uow: proposals.moderation_log(uow, proposal_id)))
    if not actions:
        typer.echo(f"no moderation actions on proposal {proposal_id}")
    for action in actions:
        who = action.actor_telegram_id if action.actor_telegram_id is not None else "automatic"
        typer.echo(
            f"{action.created_at:%Y-%m-%d %H:%M} UTC\t{who}\t{action.action}\t{action.reason or ''}"
        )
