from __future__ import annotations

import typer

from bot.app import SchemaOutdated, build_app
from bot.app import run as run_bot
from bot.cli import app, configure_logging, fail, run_async, settings


@app.command()
def run() -> None:
    """Run the bot (long polling, or a webhook server when WEBHOOK_URL is set)."""
    config = settings()
    if config.bot_token is None:
        fail("BOT_TOKEN: not set (get one from @BotFather and put it in the environment or .env)")
    configure_logging(config.log_level)
    bot_app = build_app(config)
    try:
        run_async(lambda: run_bot(bot_app))
    except SchemaOutdated as error:
        fail(str(error))
    except KeyboardInterrupt:
        typer.echo("stopped")
