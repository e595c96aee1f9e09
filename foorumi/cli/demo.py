"""`foorumi demo`: the bot and the local Bot API sandbox together, with a demo city in the store.

The sandbox runs in this process; the bot reaches it only through BOT_API_URL and a token, exactly
as it reaches Telegram (`build_app` + `run`). The demo has its own database, so it never touches
a real one.
"""
from __future__ import annotations

import errno

import typer

from foorumi import demo as demo_city
from foorumi.app import build_app
from foorumi.app import run as run_bot
from foorumi.cli import app, configure_logging, fail, run_async
from bot.config import ConfigError, Settings, load_settings
from sandbox import RunningSandbox, run_sandbox

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8081
DEMO_DATABASE_URL = "sqlite+aiosqlite:///foorumi-demo.db"
CANNOT_LISTEN = (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES)


@app.command()
def demo(
    port: int = typer.Option(DEFAULT_PORT, help="Port of the chat page and the sandbox's Bot API."),
    host: str = typer.Option(DEFAULT_HOST, help="Address to listen on."),
    database_url: str = typer.Option(
        DEMO_DATABASE_URL, help="The demo's own store (DATABASE_URL is not used: a real store is left alone)."
    ),
) -> None:
    """Try Foorumi without Telegram: a chat page in your browser, the bot and a demo city."""
    start(host, port, database_url)


def start(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, database_url: str = DEMO_DATABASE_URL) -> None:
    try:
        run_async(lambda: serve(host, port, database_url))
    except OSError as error:
        if error.errno not in CANNOT_LISTEN:
            raise
        fail(f"cannot listen on {host}:{port} ({error}); try another --port")
    except KeyboardInterrupt:
        pass
    typer.echo("demo stopped")


def demo_settings(sandbox: RunningSandbox, database_url: str) -> Settings:
    """The environment's settings, pointed at the sandbox and the demo database (long polling)."""
    try:
        return load_settings(
            bot_token=sandbox.token,
            bot_api_url=sandbox.url,
            database_url=database_url,
            webhook_url=None,
            webhook_secret=None,
            redis_url=None,
            staff_chat_id=demo_city.STAFF_GROUP_ID,
        )
    except ConfigError as error:
        fail(str(error))
        raise  # unreachable: fail() exits


async def serve(host: str, port: int, database_url: str) -> None:
    """Run until Ctrl+C (or SIGTERM): the bot stops first, then the sandbox."""
    async with run_sandbox(host=host, port=port) as sandbox:
        config = demo_settings(sandbox, database_url)
        configure_logging(config)
        bot_app = build_app(config)
        try:
            await demo_city.prepare(bot_app.core)
        except BaseException:
            await bot_app.close()
            raise
        typer.echo(
            f"Foorumi demo – the bot on a local Bot API sandbox, not Telegram (store: {database_url})\n"
            f"Open the chat page: {sandbox.url}/\n"
            "Pick Aino to join as a new resident, or Grace, the city's admin (try /moderation). "
            "Press Ctrl+C to stop.",
        )
        await run_bot(bot_app)
