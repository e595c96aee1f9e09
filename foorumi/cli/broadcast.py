"""`foorumi broadcast`: send, follow, list and cancel broadcasts from the shell (for automation).

The running bot sends them: these commands only write to the outbox and read its progress.
"""
from __future__ import annotations

import asyncio
import sys
from typing import Optional

import typer

from bot.clock import SystemClock
from bot.outbox.progress import PaceMeter, progress_bar
from bot.services import broadcasts
from bot.services.outbox import InvalidBroadcast
from domain import DomainError, NotFound
from foorumi.app import Core
from foorumi.cli import app, fail, run_async, settings, with_core, with_uow
from storage.models import Broadcast

broadcast_app = typer.Typer(help="Broadcasts to residents through the outbox.", no_args_is_help=True)
app.add_typer(broadcast_app, name="broadcast")

FINISHED = ("done", "cancelled")


@broadcast_app.command("send")
def send(
    text: str = typer.Option(..., "--text", help="HTML text in the city's default language (DEFAULT_LOCALE)."),
    text_fi: Optional[str] = typer.Option(None, "--text-fi", help="Finnish text."),
    text_sv: Optional[str] = typer.Option(None, "--text-sv", help="Swedish text."),
    text_en: Optional[str] = typer.Option(None, "--text-en", help="English text."),
    area: list[str] = typer.Option([], "--area", help="Area code; repeat for several. Default: everyone."),
    resident_type: list[str] = typer.Option([], "--resident-type",
                                            help="permanent, holiday, works or other; repeatable."),
    language: list[str] = typer.Option([], "--language", help="fi, sv or en; repeatable."),
    at: Optional[str] = typer.Option(None, "--at", help='Local time, e.g. "2026-12-01 09:00" or "9:00".'),
    urgent: bool = typer.Option(False, "--urgent", help="Deliver during residents' quiet hours too."),
    photo: Optional[str] = typer.Option(None, "--photo", help="Telegram file_id of a photo to attach."),
    document: Optional[str] = typer.Option(None, "--document", help="Telegram file_id of a document."),
    follow: Optional[bool] = typer.Option(None, "--follow/--no-follow",
                                          help="Show progress until done (default: on a terminal)."),
) -> None:
    """Queue a broadcast and print its id (the running bot sends it)."""
    config = settings()
    texts = {config.default_locale: text}
    texts.update({code: value for code, value in (("fi", text_fi), ("sv", text_sv), ("en", text_en)) if value})
    media = ("photo", photo) if photo else ("document", document) if document else None

    async def queue(core: Core) -> Broadcast:
        now = core.clock.now()
        try:
            send_at = broadcasts.parse_moment(at, now, config.zone) if at else None
        except ValueError:
            fail(f"--at: {at!r} is not a time in the future (e.g. \"2026-12-01 09:00\")")
        async with core.uow_factory() as uow:
            audience = await broadcasts.audience_by_codes(uow, area, resident_type, language)
            return await broadcasts.send_broadcast(uow, None, texts, audience, now=now, urgent=urgent,
                                                   send_at=send_at, media=media)

    try:
        broadcast = run_async(lambda: with_core(queue))
    except (InvalidBroadcast, NotFound) as error:
        fail(str(error))
    typer.echo(broadcast.id)
    if _following(follow):
        run_async(lambda: watch(broadcast.id))


@broadcast_app.command("status")
def status(
    broadcast_id: int,
    follow: Optional[bool] = typer.Option(None, "--follow/--no-follow",
                                          help="Keep showing progress until done (default: on a terminal)."),
) -> None:
    """Print a broadcast's progress: sent / failed / blocked / remaining."""
    if _following(follow):
        run_async(lambda: watch(broadcast_id))
    else:
        typer.echo(status_line(_load(broadcast_id), None))


@broadcast_app.command("cancel")
def cancel(broadcast_id: int) -> None:
    """Stop a scheduled or running broadcast (messages already sent stay sent)."""
    async def stop(core: Core) -> Broadcast:
        async with core.uow_factory() as uow:
            return await broadcasts.cancel(uow, None, broadcast_id, core.clock.now())

    try:
        broadcast = run_async(lambda: with_core(stop))
    except DomainError as error:
        fail(str(error))
    typer.echo(f"cancelled broadcast {broadcast.id}: {broadcast.cancelled} not sent")


@broadcast_app.command("list")
def listing(limit: int = typer.Option(10, help="How many of the newest to show.")) -> None:
    """The newest broadcasts and their progress."""
    broadcasts = run_async(lambda: with_uow(lambda uow: uow.outbox.recent(limit)))
    if not broadcasts:
        typer.echo("no broadcasts yet")
    for broadcast in broadcasts:
        typer.echo(status_line(broadcast, None))


def status_line(broadcast: Broadcast, rate: float | None) -> str:
    line = (f"#{broadcast.id} {broadcast.status:<9} {progress_bar(broadcast.total - broadcast.remaining, broadcast.total)}"
            f"  sent {broadcast.sent} · failed {broadcast.failed} · blocked {broadcast.blocked}"
            f" · remaining {broadcast.remaining}")
    if broadcast.status == "scheduled":
        line += f" · starts {broadcast.send_at.astimezone(settings().zone):%Y-%m-%d %H:%M}"
    if rate:
        line += f" · {rate:.1f}/s · ETA {_duration(broadcast.remaining / rate)}"
    return line


async def watch(broadcast_id: int) -> None:
    """Redraw one progress line every second until the broadcast finishes (Ctrl-C only stops watching)."""
    meter = PaceMeter(SystemClock())
    try:
        while True:
            broadcast = await with_uow(lambda uow: broadcasts.get(uow, broadcast_id))
            pace = meter.measure(broadcast.id, broadcast.total - broadcast.remaining)
            sys.stdout.write("\r\x1b[2K" + status_line(broadcast, pace.rate))
            sys.stdout.flush()
            if broadcast.status in FINISHED:
                sys.stdout.write("\n")
                return
            await asyncio.sleep(1)
    except KeyboardInterrupt:
        sys.stdout.write("\n")


def _load(broadcast_id: int) -> Broadcast:
    try:
        return run_async(lambda: with_uow(lambda uow: broadcasts.get(uow, broadcast_id)))
    except NotFound:
        fail(f"no broadcast {broadcast_id}")
        raise


def _following(choice: bool | None) -> bool:
    return sys.stdout.isatty() if choice is None else choice


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"

