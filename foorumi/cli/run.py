from __future__ import annotations

import typer

from foorumi.app import SchemaOutdated, build_app
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
    configure_logging(config.log_level)
    bot_app = build_app(config)
    try:
        run_async(lambda: run_bot(bot_app))
    except SchemaOutdated as error:
        fail(str(error))
    except KeyboardInterrupt:
        typer.echo("stopped")
