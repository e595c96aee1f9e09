"""deploy/backup.sh and deploy/restore.sh: back up the demo city, wipe the store, restore it, and the
bot carries on – every row back, a resident's /mine answered and new rows written after it."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import load_settings
from foorumi import demo
from foorumi.app import build_app
from handlers.proposals_views import Action, ProposalAct
from storage.db import create_engine
from storage.models import Base, Proposal, Resident, Support
from tests.conftest import TEST_TOKEN
from tests.e2e.conftest import with_demo_city
from tests.support.clock import FakeClock
from tests.support.databases import fresh_postgres_database, postgres_unavailable_reason
from tests.support.harness import BotHarness
from tests.support.recording import RecordingSession
from tests.support.updates import AINO, Person

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PENTTI = Person(demo.PENTTI.telegram_id, "Pentti", "fi")
GRACE = Person(demo.GRACE.telegram_id, "Grace", "en")


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request, tmp_path) -> AsyncIterator[str]:
    """A fresh database of each backend (not the shared test databases: this test wipes it)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/city.db"
        return
    if reason := await postgres_unavailable_reason():
        pytest.skip(reason)
    async with fresh_postgres_database() as url:
        yield url


def script(name: str, *args: str, database_url: str, cwd: Path) -> str:
    environment = {**os.environ, "DATABASE_URL": database_url, "PYTHON": sys.executable}
    result = subprocess.run([str(DEPLOY / name), *args], cwd=cwd, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        existing = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        return {table.name: await connection.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables if table.name in existing}


async def wipe(engine: AsyncEngine, database_url: str) -> None:
    """What a lost disk or a bad migration leaves: no tables at all (SQLite: no file)."""
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    else:
        database = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)


async def test_backup_wipe_restore_and_the_bot_carries_on(database_url, tmp_path):
    await with_demo_city(database_url)
    engine = create_engine(database_url)
    try:
        seeded = await row_counts(engine)
        assert all(seeded[table] for table in ("residents", "proposals", "votes", "forums", "survey_responses"))

        backup = tmp_path / "city.backup"
        assert script("backup.sh", str(backup), database_url=database_url, cwd=tmp_path) == f"{backup}\n"
        await engine.dispose()  # a stopped bot holds no connections
        await wipe(engine, database_url)
        assert await row_counts(engine) == {}

        script("restore.sh", str(backup), database_url=database_url, cwd=tmp_path)
        await engine.dispose()
        assert await row_counts(engine) == seeded
    finally:
        await engine.dispose()

    app = build_app(load_settings(_env_file=None, bot_token=TEST_TOKEN, database_url=database_url,
                                  default_locale="fi"), session=RecordingSession(), clock=FakeClock())
    harness = BotHarness(app)
    try:
        [mine] = await harness.say(PENTTI, "/mine")
        assert "Penkkejä kesätorille" in mine.text and "Kyläkoulun tilat iltakäyttöön" in mine.text

        await harness.say(AINO, "/start")  # a new resident: a row with a fresh id
        async with app.uow_factory() as uow:
            library = await uow.session.scalar(
                select(Proposal.id).where(Proposal.title == "Library opening hours in summer"))
        await harness.press(GRACE, ProposalAct(action=Action.SUPPORT, id=library).pack())

        async with app.uow_factory() as uow:
            assert await uow.session.scalar(select(func.count()).select_from(Resident)) == seeded["residents"] + 1
            supporters = await uow.session.scalar(
                select(func.count()).select_from(Support).where(Support.proposal_id == library))
        assert supporters == len(demo.PROPOSALS[3].supporters) + 1
    finally:
        await app.close()


def test_the_default_file_is_named_by_the_time_and_the_backend(tmp_path):
    """Without FILE: backups/foorumi-<UTC time>.sqlite, readable by its owner only."""
    database = tmp_path / "foorumi.db"
    sqlite3.connect(database).close()
    (tmp_path / ".env").write_text(f'DATABASE_URL="sqlite+aiosqlite:///{database}"\n', encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"PYTHON": sys.executable}
    result = subprocess.run([str(DEPLOY / "backup.sh")], cwd=tmp_path, env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    written = tmp_path / result.stdout.strip()
    assert written.parent == tmp_path / "backups" and written.name.startswith("foorumi-")
    assert written.suffix == ".sqlite" and written.stat().st_mode & 0o777 == 0o600


def test_restore_refuses_a_missing_file(tmp_path):
    result = subprocess.run([str(DEPLOY / "restore.sh"), str(tmp_path / "none.dump")], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.startswith("usage: ")
