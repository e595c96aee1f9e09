"""`foorumi theme status` and `foorumi proposal qr|log`, run as an operator would."""

from __future__ import annotations

import asyncio
from contextlib import chdir
from datetime import UTC, datetime

import pytest
from PIL import Image
from typer.testing import CliRunner

from foorumi.cli import app, proposal, theme  # noqa: F401  (registers the commands)
from bot.config import load_settings
from domain import Role
from bot.i18n import create_i18n
from bot.services import moderation, proposals, residents, staff, themes
from bot.services.proposals import Draft
from bot.notices import Notices
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.models import Broadcast
from storage.uow import UnitOfWork

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
ADMIN = 1001


@pytest.fixture
async def city_db(tmp_path):
    """A store with an approved theme (#1, followed by its author) and a waiting proposal (#2)."""
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    engine = create_engine(url)
    await migrate.upgrade(engine)
    notices = Notices(create_i18n("fi"), load_settings(_env_file=None))
    async with UnitOfWork(create_session_factory(engine)) as uow:
        await staff.grant(uow, ADMIN, Role.ADMIN, None)
        author = await residents.greet(uow, 1002, "sv", NOW)
        theme = await proposals.submit(
            uow, author, Draft("Kyläkoulun tilat iltakäyttöön", "Salit iltaisin."), 3, notices, NOW
        )
        await moderation.approve(uow, ADMIN, theme.id, notices, NOW)
        await proposals.submit(uow, author, Draft("Bibliotekets öppettider", "Söndagar."), 3, notices, NOW)
    yield url, engine
    await engine.dispose()


async def run(tmp_path, url, *args):
    """The command in-process (in a thread, as it runs its own event loop), from tmp_path."""

    def invoke():
        with chdir(tmp_path):
            return CliRunner().invoke(
                app, list(args), env={"DATABASE_URL": url, "ADMIN_IDS": str(ADMIN)}
            )

    return await asyncio.to_thread(invoke)


async def test_theme_status_from_the_shell(tmp_path, city_db):
    url, engine = city_db
    result = await run(
        tmp_path,
        url,
        "theme",
        "status",
        "1",
        "preparation",
        "--note",
        "Sivistystoimi valmistelee iltakäytön.",
        "--note-sv",
        "Bildningsväsendet bereder.",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("theme 1 is now preparation (")
    async with UnitOfWork(create_session_factory(engine)) as uow:
        proposal, entries = await themes.timeline(uow, await uow.residents.by_telegram_id(1002), 1)
        assert proposal.status == "preparation"
        assert entries[-1].notes == {
            "fi": "Sivistystoimi valmistelee iltakäytön.",
            "sv": "Bildningsväsendet bereder.",
            "en": None,
        }
        [broadcast] = (
            await uow.session.scalars(
                Broadcast.__table__.select()
                .where(Broadcast.kind == "theme_status")
                .with_only_columns(Broadcast.texts)
            )
        ).all()
        assert "Bildningsväsendet bereder." in broadcast["sv"]
        assert "(only available in Finnish)" in broadcast["en"]

    again = await run(tmp_path, url, "theme", "status", "1", "preparation")
    assert again.exit_code == 2
    assert again.stderr.startswith("error: theme 1: ")
    unknown = await run(tmp_path, url, "theme", "status", "1", "finished")
    assert unknown.exit_code == 2 and "finished" in unknown.stderr
    not_staff = await run(tmp_path, url, "theme", "status", "1", "forum", "--by", "4242")
    assert not_staff.exit_code == 2 and "staff role required" in not_staff.stderr


async def test_qr_code_of_the_deep_link(tmp_path, city_db):
    url, _ = city_db
    result = await run(
        tmp_path, url, "proposal", "qr", "1", "--bot", "@foorumi_mikkeli_bot", "-o", "poster.png"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "poster.png: https://t.me/foorumi_mikkeli_bot?start=p1\n"
    with Image.open(tmp_path / "poster.png") as image:
        assert image.format == "PNG" and image.size[0] == image.size[1] >= 200
    pending = await run(tmp_path, url, "proposal", "qr", "2", "--bot", "foorumi_mikkeli_bot")
    assert pending.exit_code == 2
    assert "not public" in pending.stderr
    assert not (tmp_path / "proposal-2.png").exists()


async def test_moderation_log_from_the_shell(tmp_path, city_db):
    url, _ = city_db
    result = await run(tmp_path, url, "proposal", "log", "1")
    assert result.exit_code == 0
    assert result.stdout == f"2026-06-15 09:00 UTC\t{ADMIN}\tinitiative\t\n"
    assert (
        await run(tmp_path, url, "proposal", "log", "2")
    ).stdout == "no moderation actions on proposal 2\n"
