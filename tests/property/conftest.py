"""The seeded city per backend, made once per session (tests/property/city.py)."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.property.city import PostgresCity, SqliteCity, postgres_city
from tests.support.databases import postgres_unavailable_reason


@pytest.fixture(scope="session")
async def sqlite_city(tmp_path_factory: pytest.TempPathFactory) -> SqliteCity:
    city = SqliteCity(tmp_path_factory.mktemp("city"))
    await city.seed()
    return city


@pytest.fixture(scope="session")
async def postgresql_city() -> AsyncIterator[PostgresCity]:
    if reason := await postgres_unavailable_reason():
        pytest.skip(reason)
    async with postgres_city() as city:
        yield city
