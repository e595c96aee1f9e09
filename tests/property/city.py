"""The city the property test plays in, seeded once per backend and copied for every example.

The demo city (foorumi/demo.py: residents in Finnish and Swedish, an admin, proposals pending and
on their path, an open and a closed ballot, a forum held, one live and one coming up, an
anonymous survey), plus a moderator, an editor and a resident onboarded in English, a named open
survey with a question of every kind, a scheduled broadcast, and conversations left half-way:
the editor's broadcast draft and a resident's proposal draft.
"""
from __future__ import annotations

import itertools
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import asyncpg

from bot.config import Settings, load_settings
from bot.services import broadcasts, staff, surveys
from domain import Audience, ResidentType, Role
from foorumi import demo
from foorumi.app import App, build_app, build_core
from tests.conftest import TEST_TOKEN, refusing_calls_while_writing
from tests.property.telegram_rules import refusing_like_telegram
from tests.support import surveys as survey_drafts
from tests.support import updates
from tests.support.clock import FakeClock
from tests.support.databases import POSTGRES_ADMIN_DSN, fresh_postgres_database
from tests.support.harness import BotHarness
from tests.support.recording import RecordingSession
from tests.support.update_strategies import EDITOR, JO, MODERATOR, PENTTI, STAFF_GROUP

EXTRA_PEOPLE = {  # besides the demo's residents: (locale, resident type, area, role)
    MODERATOR: ("fi", ResidentType.PERMANENT, "keskusta", Role.MODERATOR),
    EDITOR: ("sv", ResidentType.WORKS, None, Role.EDITOR),
    JO: ("en", ResidentType.HOLIDAY, "ristiina", None),
}
HALF_WAY = [  # conversations left unfinished: the editor's broadcast at its audience, a proposal's title
    updates.message(EDITOR, "/broadcast"),
    updates.message(EDITOR, "Tori on lauantaina suljettu markkinoiden vuoksi."),
    updates.message(EDITOR, "Torget är stängt på lördag för marknaden."),
    updates.callback(EDITOR, "bc:skip"),  # no English
    updates.message(PENTTI, "/propose"),
    updates.message(PENTTI, "Lisää roska-astioita satamaan"),
]


def city_settings(database_url: str) -> Settings:
    return load_settings(bot_token=TEST_TOKEN, database_url=database_url, default_locale="fi",
                         staff_chat_id=STAFF_GROUP, _env_file=None)


@asynccontextmanager
async def running_bot(database_url: str) -> AsyncIterator[App]:
    """The whole bot on this database, a fake clock at the seeding's instant, and a Telegram that
    records the calls, refuses what Telegram refuses, and fails any call made while writing."""
    app = refusing_calls_while_writing(
        build_app(city_settings(database_url), session=RecordingSession(), clock=FakeClock()))
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    while_writing, like_telegram = session.before_call, refusing_like_telegram(app.bot)
    session.before_call = lambda method: (while_writing(method), like_telegram(method))
    try:
        yield app
    finally:
        await app.close()


async def seed_city(database_url: str) -> None:
    core = build_core(city_settings(database_url), clock=FakeClock())
    try:
        await demo.prepare(core)
        now = core.clock.now()
        async with core.uow_factory() as uow:
            area_ids = {area.code: area.id for area in await uow.areas.listing()}
            for person, (locale, resident_type, area, role) in EXTRA_PEOPLE.items():
                await demo._onboarded(uow, demo.DemoResident(person.id, locale, resident_type, area), area_ids, now)
                if role is not None:
                    await staff.grant(uow, person.id, role, None)
            await surveys.create(uow, EDITOR.id, survey_drafts.draft(
                opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7)), now)
            await broadcasts.send_broadcast(uow, EDITOR.id, {"fi": "Huomenna torilla", "sv": "I morgon på torget"},
                                            Audience(), now=now, send_at=now + timedelta(days=1))
    finally:
        await core.close()
    async with running_bot(database_url) as app:
        harness = BotHarness(app)
        for update_id, update in enumerate(HALF_WAY, start=1):  # numbered alike on every run
            await harness.feed({**update, "update_id": update_id})


class SqliteCity:
    """The seeded city in a SQLite file; each example gets a copy of the file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "city.db"
        self._copies = itertools.count(1)

    async def seed(self) -> None:
        await seed_city(self.url(self.template))

    @staticmethod
    def url(path: Path) -> str:
        return f"sqlite+aiosqlite:///{path}"

    @asynccontextmanager
    async def copy(self) -> AsyncIterator[str]:
        path = self.directory / f"example-{next(self._copies)}.db"
        shutil.copyfile(self.template, path)
        try:
            yield self.url(path)
        finally:
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)


class PostgresCity:
    """The seeded city in a PostgreSQL database; each example gets a database made from it."""

    def __init__(self, template_url: str) -> None:
        self.template_url = template_url
        self.template = template_url.rsplit("/", 1)[1]

    async def seed(self) -> None:
        await seed_city(self.template_url)

    @asynccontextmanager
    async def copy(self) -> AsyncIterator[str]:
        name = f"{self.template}_copy"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        try:
            yield self.template_url.rsplit("/", 1)[0] + f"/{name}"
        finally:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @staticmethod
    async def _admin(statement: str) -> None:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(statement)
        finally:
            await admin.close()


@asynccontextmanager
async def postgres_city() -> AsyncIterator[PostgresCity]:
    async with fresh_postgres_database() as url:
        city = PostgresCity(url)
        await city.seed()
        yield city
