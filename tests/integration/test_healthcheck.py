"""`foorumi healthcheck` against real SQLite, PostgreSQL and Redis, a listening port and a dead one."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from foorumi.cli.health import first_problem
from storage import migrate
from storage.db import create_engine
from tests.e2e.conftest import free_port
from tests.support.databases import fresh_postgres_database, postgres_unavailable_reason
from tests.support.redis import reachable_redis

FOORUMI = Path(sys.executable).with_name("foorumi")
REDIS_URL = "redis://127.0.0.1:6379/14"  # only pinged: nothing is written
SECRET = "health-secret"


async def migrated(url: str) -> str:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    return url


@pytest.fixture
async def sqlite_url(tmp_path) -> str:
    return await migrated(f"sqlite+aiosqlite:///{tmp_path}/health.db")


@pytest.fixture
async def redis_url() -> str:
    return await reachable_redis(REDIS_URL)


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A port something listens on, as the webhook server does (the kernel accepts for it)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def webhook(port: int) -> dict[str, str]:
    return {"webhook_url": "https://foorumi.example.fi", "webhook_secret": SECRET,
            "webhook_listen": f"127.0.0.1:{port}"}


def settings(database_url: str, **values: object):
    return load_settings(_env_file=None, bot_token="42:HEALTH-token", database_url=database_url, **values)


async def test_a_migrated_sqlite_database_in_long_polling_mode_is_healthy(sqlite_url):
    assert await first_problem(settings(sqlite_url)) is None


async def test_a_missing_or_outdated_sqlite_database_is_named(tmp_path, sqlite_url):
    missing = await first_problem(settings(f"sqlite+aiosqlite:///{tmp_path}/none.db"))
    assert missing == f"database: no database file {tmp_path}/none.db (run `foorumi db upgrade`)"
    assert not (tmp_path / "none.db").exists()  # looking did not create it

    engine = create_engine(sqlite_url)
    try:
        await migrate.downgrade(engine, "0006")
    finally:
        await engine.dispose()
    assert await first_problem(settings(sqlite_url)) == "database: schema is not current (run `foorumi db upgrade`)"


async def test_postgresql_empty_then_migrated():
    if reason := await postgres_unavailable_reason():
        pytest.skip(reason)
    async with fresh_postgres_database() as url:
        assert await first_problem(settings(url)) == "database: schema is not current (run `foorumi db upgrade`)"
        await migrated(url)
        assert await first_problem(settings(url)) is None


async def test_a_postgresql_server_that_does_not_answer_is_named():
    problem = await first_problem(settings(f"postgresql+asyncpg://foorumi@127.0.0.1:{free_port()}/foorumi"))
    assert problem.startswith("database: ") and "Connect call failed" in problem


async def test_redis_answering_and_not(sqlite_url, redis_url):
    assert await first_problem(settings(sqlite_url, redis_url=redis_url)) is None
    dead = await first_problem(settings(sqlite_url, redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    assert dead.startswith("redis: ConnectionError")


async def test_the_webhook_port_must_accept_connections(sqlite_url, listening_port):
    assert await first_problem(settings(sqlite_url, **webhook(listening_port))) is None
    dead = free_port()
    assert await first_problem(settings(sqlite_url, **webhook(dead))) == (
        f"webhook port: nothing accepts connections on 127.0.0.1:{dead} (Connect call failed ('127.0.0.1', {dead}))"
    )


async def test_a_server_on_every_address_is_reached_through_loopback(sqlite_url):
    with socket.socket() as server:
        server.bind(("0.0.0.0", 0))
        server.listen()
        port = server.getsockname()[1]
        assert await first_problem(settings(sqlite_url, **webhook(port) | {"webhook_listen": f"0.0.0.0:{port}"})) is None


async def test_every_failure_is_named_in_one_line():
    problem = await first_problem(settings(
        f"postgresql+asyncpg://foorumi@127.0.0.1:{free_port()}/foorumi",
        redis_url=f"redis://127.0.0.1:{free_port()}/0", **webhook(free_port())))
    assert "\n" not in problem
    assert [part.split(":")[0] for part in problem.split("; ")] == ["database", "redis", "webhook port"]


def run_healthcheck(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "REDIS_", "WEBHOOK_"))}
    return subprocess.run([str(FOORUMI), "healthcheck"], cwd=tmp_path, env={**clean, **env},
                          capture_output=True, text=True, timeout=30)


def test_the_command_exits_0_when_healthy_and_1_with_one_line_when_not(tmp_path, sqlite_url, redis_url,
                                                                      listening_port):
    env = {"BOT_TOKEN": "42:HEALTH-token", "DATABASE_URL": sqlite_url, "REDIS_URL": redis_url,
           "WEBHOOK_URL": "https://foorumi.example.fi", "WEBHOOK_SECRET": SECRET,
           "WEBHOOK_LISTEN": f"127.0.0.1:{listening_port}"}
    healthy = run_healthcheck(tmp_path, **env)
    assert (healthy.returncode, healthy.stdout, healthy.stderr) == (0, "healthy\n", "")

    dead = free_port()
    unhealthy = run_healthcheck(tmp_path, **env | {"WEBHOOK_LISTEN": f"127.0.0.1:{dead}"})
    assert unhealthy.returncode == 1
    assert unhealthy.stderr.startswith(f"unhealthy: webhook port: nothing accepts connections on 127.0.0.1:{dead}")
    assert unhealthy.stderr.count("\n") == 1


def test_a_bad_setting_is_unhealthy_with_exit_1_not_2(tmp_path):
    # Docker reserves exit code 2 of a health check.
    result = run_healthcheck(tmp_path, TIMEZONE="Europe/Mikkeli")
    assert result.returncode == 1
    assert result.stderr == "unhealthy: configuration: TIMEZONE: unknown time zone 'Europe/Mikkeli' (e.g. Europe/Helsinki)\n"
