"""`foorumi run`: the bot until SIGTERM (systemd's and Docker's stop signal) or SIGINT (Ctrl+C),
which stop it gracefully – no new updates taken, those under way finished, the scheduler's and
the outbox sender's leases given up, exit status 0.

Tests only: FOORUMI_CLOCK_OFFSET (seconds) moves the bot's clock, so worker processes started by
a test share the tests' instant (foorumi.app.OffsetClock).
"""
from __future__ import annotations

import asyncio
import signal

import typer

from foorumi.app import App, SchemaOutdated, build_app
from foorumi.app import run as run_bot
from foorumi.cli import app, configure_logging, fail, run_async, settings
from foorumi.cli import demo


@app.command()
def run(
    port: int = typer.Option(demo.DEFAULT_PORT, help="Without BOT_TOKEN: the demo's port."),
    host: str = typer.Option(demo.DEFAULT_HOST, help="Without BOT_TOKEN: the demo's address."),
) -> None:
    """Run the bot (long polling, or a webhook server when WEBHOOK_URL is set); without BOT_TOKEN, the demo."""
    config = settings()
    if config.bot_token is None:
        typer.echo("BOT_TOKEN is not set: starting the demo instead (`foorumi demo --help`; "
                   "get a token from @BotFather to run on Telegram)")
        demo.start(host, port)
        return
    configure_logging(config)
    bot_app = build_app(config)
    try:
        run_async(lambda: serve(bot_app))
    except SchemaOutdated as error:
        fail(str(error))
    except KeyboardInterrupt:  # before the signal handlers were in place
        typer.echo("stopped")


async def serve(bot_app: App) -> None:
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, bot_app.stop)
    await run_bot(bot_app)
