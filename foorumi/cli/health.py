"""`foorumi healthcheck`: for Docker's HEALTHCHECK, compose and other orchestrators.

Exit 0 when this worker can serve; 1 with one line naming what failed (Docker reserves exit 2).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from bot.config import ConfigError, Settings, load_settings
from foorumi.cli import app, run_async
from storage import migrate
from storage.db import create_engine

TIMEOUT = 3.0  # seconds for each check; the checks run at the same time
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1"}  # a server listening on every address


@app.command()
def healthcheck() -> None:
    """Check the database answers with a current schema, Redis answers (REDIS_URL) and the webhook port
    accepts connections (webhook mode)."""
    try:
        config = load_settings()
    except ConfigError as error:
        problem: str | None = f"configuration: {error}"
    else:
        problem = run_async(lambda: first_problem(config))
    if problem:
        typer.echo(f"unhealthy: {problem}", err=True)
        raise typer.Exit(1)
    typer.echo("healthy")


async def first_problem(config: Settings, timeout: float = TIMEOUT) -> str | None:
    """What stops this worker from serving, checked at once; None when nothing does."""
    checks = {"database": database_problem(config.database_url)}
    if config.redis_url:
        checks["redis"] = redis_problem(config.redis_url, timeout)
    if config.webhook_mode:
        checks["webhook port"] = port_problem(config.webhook_listen)
    results = await asyncio.gather(*(_within(check, timeout) for check in checks.values()))
    problems = [f"{name}: {result}" for name, result in zip(checks, results) if result]
    return "; ".join(problems) or None


async def _within(check: Awaitable[str | None], timeout: float) -> str | None:
    try:
        return await asyncio.wait_for(check, timeout)
    except asyncio.TimeoutError:
        return f"no answer within {timeout:g} s"
    except Exception as error:  # whatever it is, this worker cannot serve: say what in one line
        return _one_line(error)


async def database_problem(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        if not Path(parsed.database).is_file():
            return f"no database file {parsed.database} (run `foorumi db upgrade`)"
    engine = create_engine(url, pool_size=1)
    try:
        pending = await migrate.pending_revisions(engine)
    finally:
        await engine.dispose()
    return "schema is not current (run `foorumi db upgrade`)" if pending else None


async def redis_problem(url: str, timeout: float) -> str | None:
    # Imported only here: every `foorumi` command imports this module, few need Redis.
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        await client.ping()
    finally:
        await client.aclose()
    return None


async def port_problem(listen: str) -> str | None:
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    try:
        _, writer = await asyncio.open_connection(ANY_ADDRESS.get(host, host), int(port))
    except OSError as error:
        return f"nothing accepts connections on {listen} ({error.strerror or type(error).__name__})"
    writer.close()
    await writer.wait_closed()
    return None


def _one_line(error: BaseException) -> str:
    detail = str(error).strip().splitlines()
    return f"{type(error).__name__}: {detail[0]}" if detail else type(error).__name__
