"""The `foorumi` command: run the bot and administer its store from the shell.

Operator output is in English (like the logs); everything residents see is translated.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from bot import logs
from bot.config import ConfigError, Settings, load_settings
from foorumi.app import Core, build_core
from storage.uow import UnitOfWork

T = TypeVar("T")

app = typer.Typer(help="Foorumi – a Telegram participation channel for a city's forums.",
                  no_args_is_help=True, add_completion=False)


def fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        fail(str(error))
        raise  # unreachable: fail() exits


def run_async(function: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(function())


async def with_core(work: Callable[[Core], Awaitable[T]]) -> T:
    """Run one piece of work with the parts the bot itself is built from (store, clock, notices)."""
    core = build_core(settings())
    try:
        return await work(core)
    finally:
        await core.close()


async def with_uow(work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run one piece of work against the configured database."""
    async def in_unit_of_work(core: Core) -> T:
        async with core.uow_factory() as uow:
            return await work(uow)

    return await with_core(in_unit_of_work)


def configure_logging(config: Settings) -> None:
    """Log to standard error at LOG_LEVEL in LOG_FORMAT; residents under a pseudonym keyed by the token."""
    if config.bot_token is not None:
        logs.use_key(logs.key_from_token(config.bot_token.get_secret_value()))
    logs.configure(config.log_level, config.log_format)


def main() -> None:
    # Importing the modules registers their commands.
    from foorumi.cli import (  # noqa: F401
        areas, broadcast, db, demo, forum, health, proposal, run, staff, survey, survey_export, theme,
        vote,
    )

    app()
