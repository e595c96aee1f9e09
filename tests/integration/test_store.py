"""Repositories, the conversation store and migrations on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from foorumi.app import SchemaOutdated, prepare_database
from domain import DomainError, PermissionDenied, Role
from bot.services import areas, residents, staff
from storage import migrate
from storage.conversations import DatabaseStorage
from storage.db import create_engine, create_session_factory
from storage.models import Resident

SAMPLE_AREAS = Path(__file__).resolve().parents[2] / "deploy" / "areas" / "mikkeli.yaml"


async def test_first_contact_creates_one_resident_even_when_racing(uow_factory, clock):
    async def greet():
        async with uow_factory() as uow:
            return (await residents.greet(uow, 555, "sv", clock.now())).id

    ids = await asyncio.gather(*(greet() for _ in range(5)))
    assert len(set(ids)) == 1


async def test_telegram_id_is_unique_in_the_database(uow_factory):
    async with uow_factory() as uow:
        uow.session.add_all([Resident(telegram_id=1, locale="fi"), Resident(telegram_id=1, locale="sv")])
        with pytest.raises(IntegrityError):
            await uow.commit()


async def test_an_update_id_is_claimed_once(uow_factory, clock):
    async with uow_factory() as uow:
        assert await uow.updates.claim(42, 1000, clock.now()) is True
        assert await uow.updates.claim(42, 1000, clock.now()) is False
        assert await uow.updates.claim(43, 1000, clock.now()) is True
        await uow.commit()


async def test_staff_roles_are_granted_checked_and_revoked(uow_factory):
    async with uow_factory() as uow:
        assert await staff.grant(uow, 1003, Role.MODERATOR, None) is True
        assert await staff.grant(uow, 1003, Role.MODERATOR, None) is False
        await staff.grant(uow, 1003, Role.EDITOR, 1)
        assert await staff.require(uow, 1003, Role.EDITOR) == {Role.MODERATOR, Role.EDITOR}
        with pytest.raises(PermissionDenied):
            await staff.require(uow, 1003, Role.ADMIN)
        with pytest.raises(PermissionDenied):
            await staff.require(uow, 2000, Role.MODERATOR)
        await staff.ensure_admins(uow, [2000])
        assert await staff.require(uow, 2000, Role.MODERATOR) == {Role.ADMIN}
        assert await staff.revoke(uow, 1003, Role.EDITOR) == 1
        assert await staff.revoke(uow, 1003) == 1
        assert [(r.telegram_id, r.role) for r in await staff.listing(uow)] == [(2000, "admin")]


async def test_areas_load_update_and_page(uow_factory):
    records = areas.parse_area_file(SAMPLE_AREAS)
    async with uow_factory() as uow:
        assert await areas.load(uow, records) == 21
        listing, page, pages = await areas.page(uow, 5)
        assert (page, pages, len(listing)) == (2, 3, 5)
        renamed = [r if r.code != "ristiina" else areas.AreaRecord("ristiina", "village",
                   {"fi": "Ristiina", "sv": "Kristina", "en": "Ristiina village"}) for r in records]
        await areas.load(uow, renamed)
        assert await uow.areas.count() == 21
        first, _, _ = await areas.page(uow, 0)
        assert first[0].name("sv") == "Centrum"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("areas:\n  - code: x\n    kind: planet\n    name: {fi: a, sv: b, en: c}\n", "area x: kind must be one of"),
        ("areas:\n  - code: x\n    kind: village\n    name: {fi: a, sv: b}\n", "area x: name.en must be 1-100"),
        ("areas: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_area_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "areas.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DomainError, match=message):
        areas.parse_area_file(path)


def test_areas_from_csv(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text("code,kind,fi,sv,en\nristiina,village,Ristiina,Kristina,Ristiina\n", encoding="utf-8")
    [record] = areas.parse_area_file(path)
    assert record.names == {"fi": "Ristiina", "sv": "Kristina", "en": "Ristiina"}


async def test_conversation_survives_a_new_storage(engine):
    key = StorageKey(bot_id=42, chat_id=1001, user_id=1001)
    first = DatabaseStorage(create_session_factory(engine))
    await first.set_state(key, "Propose:title")
    await first.update_data(key, {"title": "Penkkejä torille"})
    await first.update_data(key, {"area": 3})

    restarted = DatabaseStorage(create_session_factory(engine))
    assert await restarted.get_state(key) == "Propose:title"
    assert await restarted.get_data(key) == {"title": "Penkkejä torille", "area": 3}
    await restarted.set_state(key, None)
    await restarted.set_data(key, {})
    assert (await restarted.get_state(key), await restarted.get_data(key)) == (None, {})


async def test_empty_database_is_created_and_outdated_one_refused(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    else:
        url = database_url  # the shared test database is already migrated
    engine = create_engine(url)
    try:
        await prepare_database(engine)
        assert await migrate.pending_revisions(engine) == set()
        async with engine.begin() as connection:
            version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
            await connection.execute(text("DELETE FROM alembic_version"))
            await connection.execute(text("INSERT INTO alembic_version VALUES ('older')"))
        try:
            with pytest.raises(SchemaOutdated, match="run `foorumi db upgrade`"):
                await prepare_database(engine)
        finally:
            async with engine.begin() as connection:
                await connection.execute(text("DELETE FROM alembic_version"))
                for revision in version:
                    await connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})
    finally:
        await engine.dispose()
