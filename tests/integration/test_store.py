"""Repositories, the conversation store and migrations on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from foorumi.app import SchemaOutdated, prepare_database
from domain import DomainError, PermissionDenied, Role
from bot.services import areas, residents, staff
from storage import migrate
from storage.db import create_engine, write_in_progress
from storage.models import Resident
from storage.repositories.conversations import Conversation
from storage.repositories.updates import UpdateAlreadyHandled

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
        await uow.updates.claim(42, 1000, clock.now())
        with pytest.raises(UpdateAlreadyHandled):
            await uow.updates.claim(42, 1000, clock.now())
        await uow.updates.claim(43, 1000, clock.now())
        await uow.commit()


async def test_an_update_arrives_with_its_resident_and_conversation_in_one_statement(engine, uow_factory, clock):
    async with uow_factory() as uow:
        await residents.greet(uow, 1001, "sv", clock.now())
        await uow.conversations.save(Conversation("c:1001", "Propose:title", {"title": "Bänkar"}), clock.now())
        await uow.updates.claim(42, 7, clock.now())
        await uow.commit()
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine.sync_engine, "before_cursor_execute", listen)
    try:
        async with uow_factory() as uow:
            arrival = await uow.updates.arrival(42, 8, 1001, "c:1001")
            assert len(statements) == 1
            assert (arrival.seen, arrival.resident.telegram_id, arrival.resident.locale) == (False, 1001, "sv")
            assert arrival.conversation == Conversation("c:1001", "Propose:title", {"title": "Bänkar"})
            assert (await uow.updates.arrival(42, 7, 1001, "c:other")).conversation == Conversation("c:other")
            assert (await uow.updates.arrival(42, 7, 1001, None)).seen is True
            newcomer = await uow.updates.arrival(42, 9, 2002, "c:2002")
            assert (newcomer.seen, newcomer.resident, newcomer.conversation) == (False, None, Conversation("c:2002"))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listen)


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
        assert len(await uow.areas.listing()) == 21
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


async def test_a_conversation_is_saved_and_read_back(uow_factory, clock):
    async with uow_factory() as uow:
        assert await uow.conversations.get("c:1001") == Conversation("c:1001")
        await uow.conversations.save(Conversation("c:1001", "Propose:title", {"title": "Penkkejä"}), clock.now())
        await uow.conversations.save(
            Conversation("c:1001", "Propose:area", {"title": "Penkkejä torille", "area": 3}), clock.now())
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.conversations.get("c:1001") == Conversation(
            "c:1001", "Propose:area", {"title": "Penkkejä torille", "area": 3})


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


async def test_sqlite_writers_take_turns_from_their_first_write_to_the_end(engine, uow_factory, clock):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    inside, most_inside = 0, 0

    async def writer(update_id: int) -> None:
        nonlocal inside, most_inside
        async with uow_factory() as uow:
            await uow.updates.arrival(42, update_id, None, None)  # a read does not wait for a turn
            await uow.updates.claim(42, update_id, clock.now())  # the first write takes the turn
            assert write_in_progress(engine)
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0)  # the others ask for their turn meanwhile
            inside -= 1
            await uow.commit()

    await asyncio.gather(*(writer(update_id) for update_id in range(20)))
    assert most_inside == 1
    assert not write_in_progress(engine)
    async with uow_factory() as uow:
        await uow.updates.claim(42, 99, clock.now())
        await uow.session.close()  # ended without a commit: the turn is given back as well
    assert not write_in_progress(engine)
