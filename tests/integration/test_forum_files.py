"""A forum from a YAML file: every field read, and every problem reported with the line it concerns."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services import areas, forum_files, forums, staff
from bot.services.forum_files import ForumFileError, read_forum_file
from domain import DEFAULT_REMINDERS, ForumAudience, Role
from storage.models import Broadcast, Forum
from tests.support.forums import CREATED, EDITOR, MODERATOR, NOTICES, STARTS, people, theme

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Europe/Helsinki")

FORUM_FILE = [  # one line each, so each case below knows the line it breaks
    "theme: {theme}",
    'title: {fi: "Kirjaston tulevaisuus", sv: "Bibliotekets framtid", en: "The library\'s future"}',
    'description: {fi: "Keskustellaan aukioloajoista.", sv: "Vi diskuterar öppettiderna."}',
    "starts: 2026-08-04 18.00",
    'ends: "20:00"',
    "place: Mikkelin pääkirjasto, Raatihuoneenkatu 6",
    "location: {latitude: 61.6886, longitude: 27.2723}",
    "remote_url: https://meet.example.fi/kirjasto",
    "capacity: 40",
    "reminders: [48h, 2 h, 30min, 90]",
    "audience: {areas: [keskusta, ristiina]}",
    f"created_by: {EDITOR}",
]


def forum_file(tmp_path: Path, theme_id: int = 7, **changed_lines: str) -> Path:
    """The file with some lines replaced (line_7="..."), its theme `theme_id`."""
    lines = [line.format(theme=theme_id) if line.startswith("theme") else line for line in FORUM_FILE]
    for key, text in changed_lines.items():
        lines[int(key.removeprefix("line_")) - 1] = text
    path = tmp_path / "forum.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- reading the file ----------------------------------------------------------------------------

def test_every_field_is_read(tmp_path):
    described, problems = read_forum_file(forum_file(tmp_path), ZONE)
    assert problems == []
    draft = described.draft
    assert draft.theme_id == 7 and described.created_by == EDITOR
    assert draft.title["sv"] == "Bibliotekets framtid" and set(draft.description) == {"fi", "sv"}
    assert (draft.starts_at, (draft.ends_at - draft.starts_at).total_seconds()) == (STARTS, 2 * 3600)
    assert (draft.place, draft.latitude, draft.longitude) == (
        "Mikkelin pääkirjasto, Raatihuoneenkatu 6", 61.6886, 27.2723)
    assert (draft.remote_url, draft.capacity) == ("https://meet.example.fi/kirjasto", 40)
    assert draft.reminders == (2880, 120, 30, 90)
    assert draft.audience == ForumAudience.AREAS
    assert described.area_codes == (("keskusta", 11), ("ristiina", 11))


def test_the_optional_fields_have_their_defaults(tmp_path):
    path = forum_file(tmp_path, line_5='ends: "2026-08-05 01:30"', line_7="# no location",
                      line_8="# no remote link", line_9="# no limit", line_10="# default reminders",
                      line_11="# the theme's followers and supporters")
    described, problems = read_forum_file(path, ZONE, theme_id=12)  # --theme stands for the file's
    assert problems == []
    draft = described.draft
    assert (draft.latitude, draft.longitude, draft.remote_url, draft.capacity) == (None, None, None, None)
    assert (draft.reminders, draft.audience, draft.theme_id) == (DEFAULT_REMINDERS, ForumAudience.THEME, 12)
    assert (draft.ends_at - draft.starts_at).total_seconds() == 7.5 * 3600  # past midnight, written in full


def test_the_example_in_deploy_is_a_valid_forum_file():
    described, problems = read_forum_file(ROOT / "deploy" / "forums" / "library-future.yaml", ZONE, theme_id=3)
    assert problems == []
    assert set(described.draft.title) == {"fi", "sv", "en"}
    assert described.draft.audience == ForumAudience.EVERYONE


@pytest.mark.parametrize("changed, line, message", [
    ({"line_1": "# no theme"}, 1, "theme is missing"),
    ({"line_9": "seats: 40"}, 9, "unknown key 'seats' (expected theme, title, description,"),
    ({"line_2": "title: Kirjaston tulevaisuus"}, 2, "title must give a text per language (fi, sv, en)"),
    ({"line_2": "title: {de: Die Zukunft}"}, 2, "title: unknown key 'de' (expected fi, sv, en)"),
    ({"line_4": "starts: next tuesday"}, 4, 'starts must be a date and time such as "2026-12-05 09:00", '
                                            "not 'next tuesday'"),
    ({"line_5": "ends: late"}, 5, 'ends must be a time such as "20.00" or a date and time'),
    ({"line_7": "location: {latitude: north, longitude: 27.27}"}, 7,
     "location.latitude must be a number such as 61.6886"),
    ({"line_7": "location: Raatihuoneenkatu"}, 7, "location must give latitude and longitude"),
    ({"line_9": "capacity: many"}, 9, "capacity must be a whole number"),
    ({"line_10": "reminders: [a day before]"}, 10, "each of reminders must be like \"24h\", \"1h\" or \"30min\""),
    ({"line_10": "reminders: 24h"}, 10, "reminders must be a list"),
    ({"line_11": "audience: nobody"}, 11, "audience must be theme, everyone or {areas: [area codes]}, "
                                          "not 'nobody'"),
    ({"line_11": "audience: {area: [keskusta]}"}, 11, "audience: unknown key 'area' (expected areas)"),
    ({"line_12": "created_by: someone"}, 12, "created_by must be a whole number"),
], ids=["no-theme", "unknown-key", "title-not-per-language", "unknown-language", "bad-start", "bad-end",
        "bad-latitude", "location-not-a-mapping", "capacity-not-a-number", "bad-reminder",
        "reminders-not-a-list", "bad-audience", "audience-without-areas", "created-by-not-a-number"])
def test_each_problem_of_the_file_has_its_line(tmp_path, changed, line, message):
    _described, problems = read_forum_file(forum_file(tmp_path, **changed), ZONE)
    assert any(found == line and text.startswith(message) for found, text in problems), problems


def test_not_a_mapping_at_all(tmp_path):
    path = tmp_path / "forum.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ForumFileError) as refused:
        read_forum_file(path, ZONE)
    assert refused.value.problems == [f"{path} line 1: expected the keys theme, title, description, starts, "
                                      "ends, place, location, remote_url, capacity, reminders, audience, "
                                      "created_by"]
    path.write_text("title: {fi: [unclosed\n", encoding="utf-8")
    with pytest.raises(ForumFileError, match="line 2: not valid YAML"):
        read_forum_file(path, ZONE)


# --- making the forum ----------------------------------------------------------------------------

@pytest.fixture
async def city(uow_factory):
    """Mikkeli's areas, an editor, and a theme on its path; its id."""
    async with uow_factory() as uow:
        await areas.load(uow, areas.parse_area_file(ROOT / "deploy" / "areas" / "mikkeli.yaml"))
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
    return await theme(uow_factory)


async def stored(uow_factory) -> list[Forum]:
    async with uow_factory() as uow:
        return list(await uow.session.scalars(select(Forum)))


async def test_a_good_file_creates_the_forum_and_queues_its_invitation(tmp_path, uow_factory, city):
    async with uow_factory() as uow:
        keskusta = (await uow.outbox.area_ids(["keskusta"]))["keskusta"]
    await people(uow_factory, 3, area_id=keskusta)
    await people(uow_factory, 2, first=6000)  # living elsewhere: not invited
    async with uow_factory() as uow:
        forum = await forum_files.create_from_file(uow, forum_file(tmp_path, city), ZONE, NOTICES, CREATED)
        invited = await forums.invitation_count(uow, forum)
    assert invited == 3
    async with uow_factory() as uow:
        [made] = await stored(uow_factory)
        assert (made.theme_id, made.created_by, made.announced_at) == (city, EDITOR, CREATED)
        assert made.reminders == [2880, 120, 90, 30] and made.capacity == 40
        area_ids = await uow.outbox.area_ids(["keskusta", "ristiina"])
        assert made.audience == {"kind": "areas", "area_ids": [area_ids["keskusta"], area_ids["ristiina"]]}
        invitation = await uow.session.scalar(select(Broadcast).where(Broadcast.kind == "forum"))
        assert invitation.subject == f"forum:{made.id}" and invitation.total == 3
        assert "ti 4.8. klo 18.00–20.00" in invitation.texts["fi"]


@pytest.mark.parametrize("changed, line, message", [
    ({"line_5": 'ends: "17.00"'}, 5, "ends: must be after it starts"),
    ({"line_5": 'ends: "2026-08-06 18:00"'}, 5, "ends: at most 24 hours after it starts"),
    ({"line_4": "starts: 2026-07-01 18:00"}, 4, "starts: must be in the future"),
    ({"line_2": 'title: {fi: " "}'}, 2, "title: give it in at least one of fi, sv, en"),
    ({"line_6": 'place: ""'}, 6, "place: 1–200 characters"),
    ({"line_7": "location: {latitude: 61.6886}"}, 7, "location: give both latitude and longitude, or neither"),
    ({"line_8": "remote_url: ftp://files.example.fi"}, 8, "remote_url: a web address starting with https://"),
    ({"line_9": "capacity: 0"}, 9, "capacity: at least 1, or none for no limit"),
    ({"line_10": "reminders: [15d]"}, 10, "reminders: at most 4 different times, each 5–20160 minutes before"),
    ({"line_11": "audience: {areas: [keskusta, atlantis]}"}, 11, "areas: no area with the code 'atlantis'"),
    ({"line_11": "audience: {areas: []}"}, 11, "audience: choose at least one area"),
    ({"line_1": "theme: 999"}, 1, "theme: no public theme with id 999"),
    ({"line_12": f"created_by: {MODERATOR}"}, 12, f"created_by: {MODERATOR} is neither an editor nor an admin"),
], ids=["ends-before-start", "too-long", "in-the-past", "no-title", "no-place", "half-a-location",
        "not-a-web-address", "no-seats", "reminder-too-early", "unknown-area", "no-areas",
        "theme-not-public", "not-an-editor"])
async def test_each_problem_of_the_forum_has_its_line(tmp_path, uow_factory, city, changed, line, message):
    path = forum_file(tmp_path, city, **changed)
    async with uow_factory() as uow:
        with pytest.raises(ForumFileError) as refused:
            await forum_files.create_from_file(uow, path, ZONE, NOTICES, CREATED)
    assert f"{path} line {line}: {message}" in refused.value.problems
    assert await stored(uow_factory) == []


async def test_every_problem_of_a_file_at_once_in_line_order(tmp_path, uow_factory, city):
    path = forum_file(tmp_path, city, line_9="capacity: many", line_4="starts: soon",
                      line_11="audience: {areas: [atlantis]}")
    async with uow_factory() as uow:
        with pytest.raises(ForumFileError) as refused:
            await forum_files.create_from_file(uow, path, ZONE, NOTICES, CREATED)
    assert [problem.split(": ")[0] for problem in refused.value.problems] == [
        f"{path} line 4", f"{path} line 9", f"{path} line 11"]
