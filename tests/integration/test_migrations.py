"""Migrations keep what is stored: the newest one and back again, on a store with content in it."""
from __future__ import annotations

from sqlalchemy import func, select

from foorumi import demo
from storage import migrate
from storage.db import create_engine
from storage.models import Base
from tests.e2e.conftest import with_demo_city


async def row_counts(engine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {table.name: await connection.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
                if not table.name.startswith("survey")}  # the surveys' tables come with 0007


async def test_making_a_proposals_author_optional_and_back_keeps_every_other_row_on_sqlite(tmp_path):
    # SQLite rebuilds `proposals` for it; with foreign keys on, dropping the old table would take
    # every support, follower and timeline entry with it (cascade).
    url = f"sqlite+aiosqlite:///{tmp_path}/city.db"
    await with_demo_city(url)
    engine = create_engine(url)
    try:
        seeded = await row_counts(engine)
        await migrate.downgrade(engine, "0006")
        # only the theme suggested in the demo's anonymous survey goes: 0006 needs an author
        assert await row_counts(engine) == {**seeded, "proposals": seeded["proposals"] - 1}
        await migrate.upgrade(engine)
        assert await row_counts(engine) == {**seeded, "proposals": seeded["proposals"] - 1}
        assert seeded["proposal_supports"] == sum(len(proposal.supporters) for proposal in demo.PROPOSALS)
        async with engine.connect() as connection:
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
            assert (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all() == []
    finally:
        await engine.dispose()
