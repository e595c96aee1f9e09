"""`foorumi vote create|list|export|qr`, run as an operator would, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
from collections import Counter
from contextlib import chdir
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import qrcode
from PIL import Image, ImageChops
from sqlalchemy import delete
from typer.testing import CliRunner

from foorumi.cli import app, vote  # noqa: F401  (registers the commands)
from bot.config import load_settings
from bot.i18n import create_i18n
from bot.notices import Notices
from bot.services import areas, ballot_counts, ballots, moderation, proposals, residents, staff
from bot.services.ballots import BallotDraft, OptionDraft
from bot.services.proposals import Draft
from domain import Method, Role
from storage.models import Ballot, Vote
from storage.uow import UnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
ADMIN, EDITOR, MODERATOR = 1001, 1003, 1004
THEME, PENDING = 1, 2  # the city's public theme and a proposal still waiting for moderation


@pytest.fixture
async def city(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """Mikkeli's areas, an admin, an editor and a moderator, a public theme and a pending proposal."""
    notices = Notices(create_i18n("fi"), load_settings(_env_file=None))
    async with uow_factory() as uow:
        await areas.load(uow, areas.parse_area_file(ROOT / "deploy" / "areas" / "mikkeli.yaml"))
        for telegram_id, role in ((ADMIN, Role.ADMIN), (EDITOR, Role.EDITOR),
                                  (MODERATOR, Role.MODERATOR)):
            await staff.grant(uow, telegram_id, role, None)
        author = await residents.greet(uow, 1002, "fi", NOW)
        theme = await proposals.submit(
            uow, author, Draft("Kyläkoulun tilat iltakäyttöön", "Salit iltaisin."), 3, notices, NOW)
        await moderation.approve(uow, ADMIN, theme.id, notices, NOW)
        await proposals.submit(uow, author, Draft("Bibliotekets öppettider", "Söndagar."), 3, notices, NOW)
    return uow_factory


async def run(tmp_path: Path, database_url: str, *args: str):
    """The command in-process (in a thread, as it runs its own event loop), from tmp_path."""

    def invoke():
        with chdir(tmp_path):
            return CliRunner().invoke(app, list(args), env={
                "DATABASE_URL": database_url, "ADMIN_IDS": "", "BOT_TOKEN": "",
                "TIMEZONE": "Europe/Helsinki", "DEFAULT_LOCALE": "fi",
            })

    return await asyncio.to_thread(invoke)


# --- vote create ---------------------------------------------------------------------------------

def local(moment: datetime) -> datetime:
    """The moment in the city's time, to the minute (as a ballot file gives it)."""
    return moment.astimezone(ZONE).replace(second=0, microsecond=0)


OPENS = local(datetime.now(UTC) + timedelta(days=3))  # the command runs on the real clock
CLOSES = OPENS + timedelta(days=7, hours=9)

BALLOT_FILE = [  # one line each, so each case below knows the line it breaks
    'question: {fi: "Mikä teema seuraavaan foorumiin?", sv: "Vilket tema till nästa forum?", '
    'en: "Which theme for the next forum?"}',
    "options:",
    f"  - theme: {THEME}                  # a public theme on the path",
    "  - {fi: Kirjaston aukioloajat, sv: Bibliotekets öppettider, en: Library opening hours}",
    "method: approval",
    "max_choices: 2",
    "areas: [haukivuori, ristiina]",
    "resident_types: [holiday]",
    f'opens: "{OPENS:%Y-%m-%d %H:%M}"',
    f"closes: {CLOSES:%-d.%-m.%Y} klo {CLOSES:%-H.%M}",
    "results: live",
    f"created_by: {EDITOR}",
]


def ballot_file(tmp_path: Path, **changed_lines: str) -> str:
    """The file with some lines replaced (line_7="..."); its name as given on the command line."""
    lines = list(BALLOT_FILE)
    for key, text in changed_lines.items():
        lines[int(key.removeprefix("line_")) - 1] = text
    (tmp_path / "ballot.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "ballot.yaml"


async def test_a_valid_file_creates_the_ballot(tmp_path, database_url, city):
    result = await run(tmp_path, database_url, "vote", "create", ballot_file(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"ballot 1 opens {OPENS:%Y-%m-%d %H:%M} and closes {CLOSES:%Y-%m-%d %H:%M} (Europe/Helsinki)\n"
        "link: /b1\n")
    async with city() as uow:
        ballot = await uow.ballots.get(1)
        area_ids = await uow.outbox.area_ids(["haukivuori", "ristiina"])
        assert ballot.question["sv"] == "Vilket tema till nästa forum?"
        assert (ballot.method, ballot.max_choices, ballot.visibility) == ("approval", 2, "live")
        assert ballot.area_ids == [area_ids["haukivuori"], area_ids["ristiina"]]
        assert ballot.resident_types == ["holiday"]
        assert ballot.opens_at == OPENS and ballot.closes_at == CLOSES
        assert ballot.created_by == EDITOR and ballot.closed_at is None
        assert [(option.position, option.theme_id) for option in ballot.options] == [(1, THEME), (2, None)]
        assert ballot.options[0].labels == dict.fromkeys(("fi", "sv", "en"), "Kyläkoulun tilat iltakäyttöön")
        assert ballot.options[1].labels["en"] == "Library opening hours"

    with_bot = await run(tmp_path, database_url, "vote", "create", ballot_file(tmp_path, line_5="method: single",
                         line_6="max_choices: 1"), "--bot", "@foorumi_mikkeli_bot")
    assert with_bot.exit_code == 0, with_bot.stderr
    assert with_bot.stdout.endswith("link: https://t.me/foorumi_mikkeli_bot?start=b2\n")


@pytest.mark.parametrize("changed, line, message", [
    ({"line_11": "result: live"}, 11, "unknown key 'result' (expected question, options, method,"),
    ({"line_5": "method: ranked"}, 5, "method must be single or approval, not 'ranked'"),
    ({"line_5": "method: single"}, 6, "max_choices: a single-choice ballot has exactly 1"),
    ({"line_7": "areas: [haukivuori, atlantis]"}, 7, "areas: no area with the code 'atlantis'"),
    ({"line_10": f'closes: "{OPENS - timedelta(hours=1):%Y-%m-%d %H:%M}"'}, 10,
     "closes: must be after it opens"),
    ({"line_4": "  # the only option"}, 2, "options: 2–12 options, not 1"),
    ({"line_3": f"  - theme: {PENDING}"}, 3, f"option 1: no public theme with id {PENDING}"),
    ({"line_9": "opens: next week"}, 9, 'opens must be a date and time such as "2026-12-05 09:00"'),
    ({"line_12": "created_by: someone"}, 12, "created_by must be a whole number"),
], ids=["unknown-key", "bad-method", "max-choices-on-single", "unknown-area", "closes-before-opens",
        "too-few-options", "theme-not-public", "bad-time", "wrong-type"])
async def test_each_problem_is_reported_with_its_line(tmp_path, database_url, city, changed, line, message):
    result = await run(tmp_path, database_url, "vote", "create", ballot_file(tmp_path, **changed))
    assert result.exit_code == 2
    problems = result.stderr.splitlines()
    assert any(problem.startswith(f"error: ballot.yaml line {line}: {message}") for problem in problems), problems
    async with city() as uow:
        assert await uow.ballots.recent(1) == []


async def test_every_problem_of_a_file_at_once(tmp_path, database_url, city):
    file = ballot_file(tmp_path, line_5="method: ranked", line_7="areas: [atlantis]", line_11="colour: red")
    result = await run(tmp_path, database_url, "vote", "create", file)
    assert [problem.split(": ")[:2] for problem in result.stderr.splitlines()] == [
        ["error", "ballot.yaml line 5"], ["error", "ballot.yaml line 7"], ["error", "ballot.yaml line 11"]]


@pytest.mark.parametrize("telegram_id", [MODERATOR, 4242])
async def test_created_by_must_be_an_editor_or_admin(tmp_path, database_url, city, telegram_id):
    result = await run(tmp_path, database_url, "vote", "create",
                       ballot_file(tmp_path, line_12=f"created_by: {telegram_id}"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: ballot.yaml line 12: created_by: {telegram_id} is neither an editor nor an admin\n")
    async with city() as uow:
        assert await uow.ballots.recent(1) == []


# --- vote export and list ------------------------------------------------------------------------

LABELS = ({"fi": "Uimaranta", "sv": "Badstrand"}, {"sv": "Bibliotekets öppettider"}, {"en": "Skate park"})
# Who voted: 6 permanent, 5 holiday, 2 working and 2 other residents (the last two groups are too
# small to show); 7 in Haukivuori, 6 in Ristiina and 2 not told (too small, so Ristiina, the next
# smallest, is hidden too, or the total would give them away).
VOTERS = [("permanent", "haukivuori")] * 4 + [("permanent", "ristiina")] * 2 + \
    [("holiday", "ristiina")] * 4 + [("holiday", "haukivuori")] + [("works", "haukivuori")] * 2 + \
    [("other", None)] * 2


def choices_of(number: int) -> list[int]:
    """Option positions resident `number` chooses: one, and every third resident a second one."""
    first = number % 3 + 1
    return [first, first % 3 + 1] if number % 3 == 0 else [first]


OPENED = local(datetime.now(UTC) - timedelta(days=1))  # open now: the command counts it afresh
CLOSING = OPENED + timedelta(days=8)


async def cast_votes(uow_factory: UnitOfWorkFactory) -> Ballot:
    """An approval ballot (up to 2 choices) open to everyone, and VOTERS' votes in it."""
    async with uow_factory() as uow:
        ballot = await ballots.create(uow, EDITOR, BallotDraft(
            {"fi": "Mitä kehitetään ensin?"}, [OptionDraft(labels) for labels in LABELS],
            OPENED, CLOSING, Method.APPROVAL, 2), OPENED)
        area_ids = await uow.outbox.area_ids(["haukivuori", "ristiina"])
        for number, (resident_type, area) in enumerate(VOTERS):
            resident = await residents.greet(uow, 5000 + number, "fi", NOW)
            await residents.choose_resident_type(uow, resident, resident_type)
            await residents.choose_area(uow, resident, area_ids.get(area))
            for position in choices_of(number):
                option_id = ballot.options[position - 1].id
                await ballots.vote(uow, resident, ballot.id, option_id, OPENED + timedelta(hours=1))
    return ballot


def expected_rows() -> list[dict[str, str]]:
    """The export worked out from VOTERS and their choices."""
    labels = ["Uimaranta", "Bibliotekets öppettider", "Skate park"]  # fi, else sv, else en

    def rows(kind: str, group: str, members: list[int]) -> list[dict[str, str]]:
        votes = Counter(position for number in members for position in choices_of(number))
        return [{"group_kind": kind, "group": group, "position": str(position), "option": label,
                 "theme_id": "", "votes": str(votes[position]), "voters": str(len(members)),
                 "share": f"{votes[position] / len(members):.4f}"}
                for position, label in enumerate(labels, 1)]

    def members(index: int, value: str) -> list[int]:
        return [number for number, who in enumerate(VOTERS) if who[index] == value]

    return (rows("total", "", list(range(len(VOTERS))))
            + rows("resident_type", "holiday", members(0, "holiday"))
            + rows("resident_type", "permanent", members(0, "permanent"))
            + rows("area", "haukivuori", members(1, "haukivuori")))


def read_csv(path: Path) -> list[dict[str, str]]:
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["group_kind", "group", "position", "option", "theme_id", "votes",
                                     "voters", "share"]
        return list(reader)


async def test_results_exported_as_csv_open_then_closed(tmp_path, database_url, city):
    ballot = await cast_votes(city)
    result = await run(tmp_path, database_url, "vote", "export", str(ballot.id), "--output", "open.csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "open.csv: results of ballot 1, 12 rows\n"
    assert read_csv(tmp_path / "open.csv") == expected_rows()

    async with city() as uow:  # closed as the scheduler closes it, then a vote goes missing
        counted = await ballot_counts.count(uow, await ballots.ballot(uow, ballot.id))
        assert await uow.ballots.mark(ballot.id, "closed_at", closed_at=CLOSING, outcome=counted.as_json())
        await uow.session.execute(delete(Vote).where(Vote.slot == 2))
        await uow.commit()
    closed = await run(tmp_path, database_url, "vote", "export", str(ballot.id))
    assert closed.exit_code == 0, closed.stderr
    assert list(csv.DictReader(closed.stdout.splitlines())) == expected_rows()  # as counted at closing

    listing = await run(tmp_path, database_url, "vote", "list")
    assert listing.stdout == (f"1\tclosed\t{OPENED:%Y-%m-%d %H:%M}\t{CLOSING:%Y-%m-%d %H:%M}"
                              f"\t{len(VOTERS)}\tMitä kehitetään ensin?\n")
    unknown = await run(tmp_path, database_url, "vote", "export", "99")
    assert unknown.exit_code == 2 and unknown.stderr == "error: no ballot 99\n"


async def test_list_without_ballots(tmp_path, database_url, city):
    assert (await run(tmp_path, database_url, "vote", "list")).stdout == "no ballots yet\n"


# --- vote qr -------------------------------------------------------------------------------------

async def test_qr_code_of_the_ballot_link(tmp_path, database_url, city):
    ballot = await cast_votes(city)
    result = await run(tmp_path, database_url, "vote", "qr", str(ballot.id), "--output", "poster.png",
                       "--bot", "@foorumi_mikkeli_bot")
    assert result.exit_code == 0, result.stderr
    link = f"https://t.me/foorumi_mikkeli_bot?start=b{ballot.id}"
    assert result.stdout == f"poster.png: {link}\n"
    assert (tmp_path / "poster.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(tmp_path / "poster.png") as image:
        assert image.format == "PNG" and image.size[0] == image.size[1] >= 200
        # No QR decoder is installed: the symbol must be exactly the one that encodes the link.
        expected = qrcode.make(link).get_image()
        assert ImageChops.difference(image.convert("1"), expected.convert("1")).getbbox() is None

    unknown = await run(tmp_path, database_url, "vote", "qr", "99", "--bot", "foorumi_mikkeli_bot")
    assert unknown.exit_code == 2 and unknown.stderr == "error: no ballot 99\n"
    assert not (tmp_path / "ballot-99.png").exists()
