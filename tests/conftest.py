"""Shared fixtures: real databases (SQLite always, PostgreSQL when it answers) and the bot."""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from foorumi.app import App, build_app
from bot.config import load_settings
from storage import migrate
from storage.db import create_engine, create_session_factory, write_in_progress
from storage.models import Base
from storage.uow import UnitOfWorkFactory, unit_of_work_factory
from tests.support.clock import FakeClock
from tests.support.databases import fresh_postgres_database, postgres_unavailable_reason
from tests.support.harness import BotHarness
from tests.support.recording import RecordingSession

TEST_TOKEN = "42:TEST-token"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite')}/foorumi.db"
        return
    reason = await postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
async def migrated_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


async def empty_tables(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        existing = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    tables = [table for table in reversed(Base.metadata.sorted_tables) if table.name in existing]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(table.delete())


@pytest.fixture
async def engine(migrated_engine: AsyncEngine) -> AsyncEngine:
    """A migrated database of each backend, emptied before the test."""
    await empty_tables(migrated_engine)
    return migrated_engine


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    return unit_of_work_factory(create_session_factory(engine))


@pytest.fixture(scope="session")
async def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('bot')}/bot.db")
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> FakeClock:
    """The tests' instant (tests/support/clock.py); pacing waits advance it instead of sleeping.

    A test whose outcome depends on the time of day pins its own instant:
    @pytest.mark.parametrize("clock", [NIGHT], indirect=True).
    """
    return FakeClock(getattr(request, "param", None))


@pytest.fixture
def settings_overrides() -> dict:
    """Settings the `app` fixture is built with besides the defaults (parametrize to change)."""
    return {}


@pytest.fixture
async def app(sqlite_engine: AsyncEngine, clock: FakeClock, settings_overrides: dict) -> AsyncIterator[App]:
    """The whole bot on SQLite with a recording Bot session (no network) and a fake clock."""
    await empty_tables(sqlite_engine)
    settings = load_settings(
        bot_token=TEST_TOKEN,
        database_url=sqlite_engine.url.render_as_string(),
        default_locale="fi",
        _env_file=None,
        **settings_overrides,
    )
    bot_app = refusing_calls_while_writing(build_app(settings, session=RecordingSession(), clock=clock))
    yield bot_app
    await bot_app.close()


def refusing_calls_while_writing(bot_app: App) -> App:
    """No Bot API call may be made while a write transaction is open: on SQLite it would hold
    up every other writer for the call's round trip. Every test on the `app` fixture checks it."""
    def check(method: object) -> None:
        assert not write_in_progress(bot_app.engine), f"{type(method).__name__} during a write transaction"

    session = bot_app.bot.session
    assert isinstance(session, RecordingSession)
    session.before_call = check
    return bot_app


@pytest.fixture
def harness(app: App) -> BotHarness:
    return BotHarness(app)


@pytest.fixture
async def restart() -> AsyncIterator[Callable[[App], Awaitable[App]]]:
    """Stop a bot and start it again over the same database: nothing it held in memory remains."""
    started: list[App] = []

    async def restart_app(old: App) -> App:
        await old.close()
        started.append(refusing_calls_while_writing(
            build_app(old.settings, session=RecordingSession(), clock=old.clock)))
        return started[-1]

    yield restart_app
    for restarted in started:
        await restarted.close()


@pytest.fixture
async def second_process(engine):
    """The same database through an engine of its own, as another bot process has it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("processes racing for rows: PostgreSQL (SQLite writers take turns)")
    other = create_engine(engine.url.render_as_string(hide_password=False))
    yield unit_of_work_factory(create_session_factory(other))
    await other.dispose()
