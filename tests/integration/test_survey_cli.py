"""`foorumi survey load|list`, run as an operator would, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services import areas, staff
from domain import Role
from foorumi.cli import survey  # noqa: F401  (registers the commands)
from storage.models import Survey, SurveyResponse
from storage.uow import UnitOfWorkFactory
from tests.integration.test_vote_cli import run
from tests.support.forums import EDITOR, new_forum
from tests.support.surveys import new_survey

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Europe/Helsinki")
# The command runs on the real clock: the survey opens in three days at 20.00 and stays open a week.
OPENS = (datetime.now(UTC) + timedelta(days=3)).astimezone(ZONE).replace(hour=20, minute=0, second=0,
                                                                        microsecond=0)
CLOSES = OPENS + timedelta(days=7)


def local(moment: datetime) -> str:
    return f"{moment.astimezone(ZONE):%Y-%m-%d %H:%M}"


@pytest.fixture
async def city(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await areas.load(uow, areas.parse_area_file(ROOT / "deploy" / "areas" / "mikkeli.yaml"))
        await staff.grant(uow, EDITOR, Role.EDITOR, None)


def survey_file(tmp_path: Path, *lines: str) -> str:
    """A survey file with two questions, `lines` added before them; its name on the command line."""
    text = "\n".join([
        'title: {fi: "Palautetta kirjastofoorumista", sv: "Respons på biblioteksforumet"}',
        f"opens: {local(OPENS)}",
        f"closes: {local(CLOSES)}",
        f"created_by: {EDITOR}",
        *lines,
        "questions:",
        "  - {kind: rating, text: {fi: Miten foorumi onnistui}}",
        "  - {kind: theme, text: {fi: Ehdota teemaa tulevalle foorumille}, required: false}",
    ])
    (tmp_path / "survey.yaml").write_text(text + "\n", encoding="utf-8")
    return "survey.yaml"


async def stored(uow_factory: UnitOfWorkFactory) -> list[Survey]:
    async with uow_factory() as uow:
        return list(await uow.session.scalars(select(Survey).order_by(Survey.id)))


async def test_a_survey_for_an_audience_is_loaded(tmp_path, database_url, uow_factory, city):
    result = await run(tmp_path, database_url, "survey", "load",
                       survey_file(tmp_path, "audience: {areas: [keskusta]}", "anonymous: true"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"survey 1: 2 questions, anonymous, open {local(OPENS)}–{local(CLOSES)} (Europe/Helsinki)\n"
        "link: /s1\n"
        f"invitations to its audience go out {local(OPENS)}\n")
    [made] = await stored(uow_factory)
    assert (made.anonymous, made.forum_id, len(made.questions)) == (True, None, 2)


async def test_a_survey_after_a_forum_invites_a_set_time_after_it_ends(tmp_path, database_url, uow_factory,
                                                                       city):
    starts = OPENS - timedelta(hours=2)
    forum_id = await new_forum(uow_factory, starts_at=starts, ends_at=OPENS)
    result = await run(tmp_path, database_url, "survey", "load",
                       survey_file(tmp_path, f"forum: {forum_id}", "invite_after: 90min"),
                       "--bot", "@foorumi_mikkeli_bot")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "link: https://t.me/foorumi_mikkeli_bot?start=s1",
        f"invitations to forum {forum_id}'s attendees (in person and remote) go out "
        f"{local(OPENS + timedelta(minutes=90))}",
    ]
    [made] = await stored(uow_factory)
    assert (made.forum_id, made.invite_delay, made.audience) == (forum_id, 90, None)


async def test_problems_are_reported_with_their_lines_and_nothing_is_made(tmp_path, database_url, uow_factory,
                                                                          city):
    result = await run(tmp_path, database_url, "survey", "load",
                       survey_file(tmp_path, "anonymous: perhaps", "audience: {areas: [atlantis]}"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: survey.yaml line 5: anonymous must be true or false",
        "error: survey.yaml line 6: areas: no area with the code 'atlantis'",
    ]
    no_forum = await run(tmp_path, database_url, "survey", "load", survey_file(tmp_path, "forum: 999"))
    assert no_forum.stderr == "error: survey.yaml line 5: forum: no forum with id 999\n"
    not_staff = await run(tmp_path, database_url, "survey", "load", survey_file(tmp_path, "created_by: 4242"))
    assert not_staff.stderr == "error: survey.yaml line 5: created_by is given twice\n"
    assert await stored(uow_factory) == []


async def test_the_list_shows_surveys_to_come_open_and_of_the_last_30_days(tmp_path, database_url, uow_factory,
                                                                          city):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    spans = {"long closed": (now - timedelta(days=50), now - timedelta(days=40)),
             "closed": (now - timedelta(days=12), now - timedelta(days=5)),
             "open": (now - timedelta(days=1), now + timedelta(days=6)),
             "to come": (OPENS, CLOSES)}
    ids = {name: await new_survey(uow_factory, opens_at=opens, closes_at=closes, anonymous=name == "open")
           for name, (opens, closes) in spans.items()}
    async with uow_factory() as uow:
        uow.session.add_all([SurveyResponse(id=uuid.uuid4().hex, survey_id=ids["open"]) for _ in range(2)])
        await uow.commit()
    result = await run(tmp_path, database_url, "survey", "list")
    assert result.exit_code == 0, result.stderr

    def line(name: str, phase: str, responses: int, kind: str = "named") -> str:
        opens, closes = spans[name]
        return f"{ids[name]}\t{phase}\t{local(opens)}\t{local(closes)}\t7\t{responses}\t{kind}\t" \
               "Palautetta kirjastofoorumista"

    assert result.stdout.splitlines() == [line("to come", "upcoming", 0), line("open", "open", 2, "anonymous"),
                                          line("closed", "closed", 0)]


async def test_the_list_without_surveys(tmp_path, database_url, city):
    result = await run(tmp_path, database_url, "survey", "list")
    assert result.stdout == "no surveys in the last 30 days or to come\n"
