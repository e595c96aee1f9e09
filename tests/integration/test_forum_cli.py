"""`foorumi forum create|list`, run as an operator would, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services import areas, staff
from domain import Role
from foorumi.cli import forum  # noqa: F401  (registers the commands)
from storage.models import Broadcast, Forum, Rsvp
from storage.uow import UnitOfWorkFactory
from tests.integration.test_vote_cli import run
from tests.support.forums import EDITOR, new_forum, people, theme

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Europe/Helsinki")
# The command runs on the real clock: the forum is three days ahead, from 18.00 to 20.00.
STARTS = (datetime.now(UTC) + timedelta(days=3)).astimezone(ZONE).replace(hour=18, minute=0, second=0,
                                                                         microsecond=0)
ENDS = STARTS + timedelta(hours=2)


@pytest.fixture
async def city(uow_factory: UnitOfWorkFactory) -> int:
    """Mikkeli's areas, an editor, a public theme with a follower, three residents; the theme's id."""
    async with uow_factory() as uow:
        await areas.load(uow, areas.parse_area_file(ROOT / "deploy" / "areas" / "mikkeli.yaml"))
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
    theme_id = await theme(uow_factory)
    follower, *_others = await people(uow_factory, 3)
    async with uow_factory() as uow:
        await uow.themes.follow(theme_id, follower.id, STARTS - timedelta(days=10))
        await uow.commit()
    return theme_id


def forum_file(tmp_path: Path, *lines: str) -> str:
    """A forum file, with `lines` added at its end; its name as given on the command line."""
    text = "\n".join([
        'title: {fi: "Kirjaston tulevaisuus", sv: "Bibliotekets framtid"}',
        'description: {fi: "Keskustellaan aukioloajoista."}',
        f"starts: {STARTS:%Y-%m-%d} 18.00",
        "ends: 20.00",
        "place: Mikkelin pääkirjasto",
        f"created_by: {EDITOR}",
        *lines,
    ])
    (tmp_path / "forum.yaml").write_text(text + "\n", encoding="utf-8")
    return "forum.yaml"


async def test_a_forum_is_created_and_its_invitation_queued(tmp_path, database_url, uow_factory, city):
    result = await run(tmp_path, database_url, "forum", "create", forum_file(tmp_path, f"theme: {city}"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"forum 1 starts {STARTS:%Y-%m-%d} 18:00 and ends {STARTS:%Y-%m-%d} 20:00 (Europe/Helsinki)\n"
        "link: /f1\n"
        "invitation queued for 2 residents\n")  # the theme's follower and its author, a supporter
    everyone = await run(tmp_path, database_url, "forum", "create",
                         forum_file(tmp_path, "audience: everyone"), "--theme", str(city),
                         "--bot", "@foorumi_mikkeli_bot")
    assert everyone.exit_code == 0, everyone.stderr
    assert everyone.stdout.endswith("link: https://t.me/foorumi_mikkeli_bot?start=f2\n"
                                    "invitation queued for 4 residents\n")
    async with uow_factory() as uow:
        made = list(await uow.session.scalars(select(Forum).order_by(Forum.id)))
        assert [(forum.theme_id, forum.audience["kind"], forum.starts_at, forum.ends_at) for forum in made] == [
            (city, "theme", STARTS, ENDS), (city, "everyone", STARTS, ENDS)]
        invitations = await uow.session.scalars(select(Broadcast).where(Broadcast.kind == "forum"))
        assert sorted((invitation.subject, invitation.total) for invitation in invitations) == [
            ("forum:1", 2), ("forum:2", 4)]


async def test_problems_are_reported_with_their_lines_and_nothing_is_made(tmp_path, database_url, uow_factory,
                                                                          city):
    result = await run(tmp_path, database_url, "forum", "create",
                       forum_file(tmp_path, "theme: 999", "capacity: none", "audience: {areas: [atlantis]}"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: forum.yaml line 8: capacity must be a whole number",
        "error: forum.yaml line 9: areas: no area with the code 'atlantis'",
    ]
    not_public = await run(tmp_path, database_url, "forum", "create", forum_file(tmp_path, "theme: 999"))
    assert not_public.stderr == "error: forum.yaml line 7: theme: no public theme with id 999\n"
    no_theme = await run(tmp_path, database_url, "forum", "create", forum_file(tmp_path))
    assert no_theme.stderr == "error: forum.yaml line 1: theme is missing\n"
    twice = await run(tmp_path, database_url, "forum", "create", forum_file(tmp_path, "created_by: 4242"),
                      "--theme", str(city))
    assert twice.stderr == "error: forum.yaml line 7: created_by is given twice\n"
    async with uow_factory() as uow:
        assert list(await uow.session.scalars(select(Forum))) == []


async def test_only_an_editor_or_admin_may_create_one(tmp_path, database_url, city):
    forum_file(tmp_path)
    path = tmp_path / "forum.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(f"created_by: {EDITOR}", "created_by: 4242"),
                    encoding="utf-8")
    result = await run(tmp_path, database_url, "forum", "create", "forum.yaml", "--theme", str(city))
    assert result.exit_code == 2
    assert result.stderr == "error: forum.yaml line 6: created_by: 4242 is neither an editor nor an admin\n"


async def test_the_list_shows_forums_to_come_and_of_the_last_30_days(tmp_path, database_url, uow_factory, city):
    def local(moment: datetime) -> str:
        return f"{moment.astimezone(ZONE):%Y-%m-%d %H:%M}"

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    past = [await new_forum(uow_factory, city, starts_at=now - timedelta(days=days),
                            ends_at=now - timedelta(days=days, hours=-2)) for days in (40, 5)]
    coming = await new_forum(uow_factory, city, starts_at=STARTS, ends_at=ENDS, capacity=40)
    async with uow_factory() as uow:
        residents = await people(uow_factory, 3, first=7000)
        for resident, attendance in zip(residents, ("in_person", "in_person", "remote")):
            uow.session.add(Rsvp(forum_id=coming, resident_id=resident.id, attendance=attendance,
                                 resident_type=resident.resident_type, responded_at=now))
        await uow.commit()
    result = await run(tmp_path, database_url, "forum", "list")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{past[1]}\tpast\t{local(now - timedelta(days=5))}\t{local(now - timedelta(days=5, hours=-2))}"
        "\t0\t0\t-\tKirjaston tulevaisuus",
        f"{coming}\tupcoming\t{local(STARTS)}\t{local(ENDS)}\t2\t1\t40\tKirjaston tulevaisuus",
    ]


async def test_the_list_without_forums(tmp_path, database_url, city):
    result = await run(tmp_path, database_url, "forum", "list")
    assert result.stdout == "no forums in the last 30 days or to come\n"
