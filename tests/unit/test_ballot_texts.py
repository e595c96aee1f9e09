"""What a ballot's results, reminder and theme note say, composed from ballots held in memory."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.config import load_settings
from bot.i18n import create_i18n
from bot.notices import Notices
from bot.notices.ballots import RESULTS_LIMIT, results_text, vote_rows
from bot.services.ballot_counts import Breakdown, Results
from domain import Count, Outcome
from storage.models import Area, Ballot, BallotOption

CLOSES = datetime(2026, 6, 17, 9, 0, tzinfo=UTC)
SETTINGS = load_settings(bot_token="42:TEST-token", default_locale="fi", _env_file=None)
I18N = create_i18n("fi")
HAUKIVUORI = Area(id=4, code="haukivuori", kind="village", name_fi="Haukivuori", name_sv="Haukivuori",
                  name_en="Haukivuori")


def ballot(method: str = "single", closed: bool = True, decided: int | None = None) -> Ballot:
    return Ballot(
        id=7, question={"en": "Which <i>one</i> first?"}, method=method,
        max_choices=1 if method == "single" else 2, closes_at=CLOSES,
        closed_at=CLOSES if closed else None, decided_option_id=decided,
        options=[BallotOption(id=11, position=1, labels={"en": "Benches & shade"}),
                 BallotOption(id=12, position=2, labels={"en": "Café"})],
    )


def results(counts: tuple[int, int], voters: int, *breakdowns: Breakdown) -> Results:
    return Results(Outcome((Count(11, counts[0]), Count(12, counts[1])), voters), breakdowns)


def english(text_of) -> str:
    with I18N.context(), I18N.use_locale("en"):
        return text_of()


def test_counts_come_before_the_bar_and_staff_text_is_escaped():
    text = english(lambda: results_text(ballot(), results((3, 1), 4), "en", {}, SETTINGS))
    assert text == (
        "📊 <b>Results</b>\n"
        "<b>Which &lt;i&gt;one&lt;/i&gt; first?</b>\n"
        "👥 4 voters\n\n"
        "1. Benches &amp; shade\n3 votes · 75\xa0% ▰▰▰▰▰▰▰▰▱▱\n"
        "2. Café\n1 vote · 25\xa0% ▰▰▱▱▱▱▱▱▱▱\n\n"
        "🏆 Chosen option: <b>1. Benches &amp; shade</b>"
    )


def test_while_open_there_is_no_verdict_yet():
    text = english(lambda: results_text(ballot(closed=False), results((1, 1), 2), "en", {}, SETTINGS))
    assert text.startswith("📊 <b>Results so far</b>\n")
    assert text.endswith("1 vote · 50\xa0% ▰▰▰▰▰▱▱▱▱▱")
    assert english(lambda: results_text(ballot(closed=False), results((0, 0), 0), "en", {}, SETTINGS)
                   ).endswith("👥 0 voters\n\nNo votes yet.")


@pytest.mark.parametrize(("decided", "verdict"), [
    (None, "⚖️ A tie: <b>1. Benches &amp; shade</b>, <b>2. Café</b>. City staff will decide."),
    (12, "⚖️ A tie: <b>1. Benches &amp; shade</b>, <b>2. Café</b>. City staff chose <b>2. Café</b>."),
])
def test_a_tie_says_staff_decide_and_then_what_they_chose(decided, verdict):
    text = english(lambda: results_text(ballot(decided=decided), results((2, 2), 4), "en", {}, SETTINGS))
    assert text.endswith(f"\n\n{verdict}")


def test_approval_shares_are_of_all_voters():
    text = english(lambda: results_text(ballot("approval"), results((3, 2), 3), "en", {}, SETTINGS))
    assert "👥 3 voters\nEach voter could choose several options, so the shares are of all voters.\n" in text
    assert "3 votes · 100\xa0% ▰▰▰▰▰▰▰▰▰▰" in text
    assert "2 votes · 67\xa0% ▰▰▰▰▰▰▰▱▱▱" in text


def test_breakdowns_name_groups_largest_first_and_count_the_hidden_ones():
    by_type = Breakdown("resident_type", {"holiday": {11: 5}, "": {11: 3, 12: 3}},
                        {"holiday": 5, "": 6}, 1)
    by_area = Breakdown("area_id", {"4": {12: 5}, "9": {11: 5}, "": {11: 1}}, {"4": 5, "9": 5, "": 1}, 2)
    counted = results((9, 8), 17, by_type, by_area)
    text = english(lambda: results_text(ballot(), counted, "en", {4: HAUKIVUORI}, SETTINGS))
    assert text.endswith(
        "<b>By resident group</b>\n"
        "Not told – 6 voters: 1: 50\xa0% · 2: 50\xa0%\n"
        "🌲 Holiday residents – 5 voters: 1: 100\xa0%\n"
        "🔒 1 group is not shown, to keep the votes of groups with fewer than 5 voters secret.\n\n"
        "<b>By area</b>\n"
        "Haukivuori – 5 voters: 2: 100\xa0%\n"
        "#9 – 5 voters: 1: 100\xa0%\n"
        "Whole city – 1 voter: 1: 100\xa0%\n"
        "🔒 2 groups are not shown, to keep the votes of groups with fewer than 5 voters secret."
    )


def test_buttons_tick_the_choices_and_cut_long_labels():
    long = ballot()
    long.options[1].labels = {"fi": "Kesäkahvila rantaan ja sen viereen leikkipaikka lapsille"}
    rows = english(lambda: vote_rows(long, "en", "fi", chosen={11}))
    assert rows[0][0][0] == "✅ 1. Benches & shade"
    assert rows[1][0][0] == "2. Kesäkahvila rantaan ja sen viereen…"
    assert rows[1][0][1].pack() == "bv:7:12"


def test_the_reminder_and_the_theme_note_in_every_language():
    notices = Notices(I18N, SETTINGS)
    reminder = notices.ballot_reminder(ballot(closed=False))
    assert reminder.texts["fi"].startswith(
        "⏰ <b>Muistutus</b>: tämä äänestys on vielä auki, ja äänesi on tärkeä.\n\n"
        "<b>Which &lt;i&gt;one&lt;/i&gt; first?</b> (saatavilla vain englanniksi)\n\n")
    assert reminder.buttons["sv"] == [[("1. Benches & shade", "bv:7:11")], [("2. Café", "bv:7:12")]]
    assert notices.theme_won(ballot(), results((2, 2), 4)) == {
        "fi": "Kaupungin henkilökunta valitsi tasapelin jälkeen: kärjessä olleet vaihtoehdot saivat kukin "
              "50\xa0% 4 äänestäjästä (/b7)",
        "sv": "Valt av stadens personal efter oavgjort: de ledande alternativen fick vart och ett "
              "50\xa0% av 4 röstande (/b7)",
        "en": "Chosen by city staff after a tie: the leading options each had 50\xa0% of 4 voters (/b7)",
    }


def test_results_with_many_groups_fit_in_one_message():
    options = [BallotOption(id=100 + n, position=n, labels={"en": f"Option {n}"}) for n in range(1, 13)]
    many = Ballot(id=8, question={"en": "Which theme?"}, method="single", max_choices=1, closes_at=CLOSES,
                  closed_at=CLOSES, options=options)
    groups = {str(area): {option.id: 5 + area for option in options} for area in range(1, 80)}
    counted = Results(Outcome(tuple(Count(option.id, 100) for option in options), 1200),
                      (Breakdown("area_id", groups, {group: 60 + int(group) for group in groups}, 3),))
    areas = {area: Area(id=area, code=f"a{area}", kind="district", name_fi=f"Osa {area}",
                        name_sv=f"Del {area}", name_en=f"District {area}") for area in range(1, 80)}
    text = english(lambda: results_text(many, counted, "en", areas, SETTINGS))
    assert len(text) <= RESULTS_LIMIT
    assert "District 79 – 139 voters" in text  # the largest groups first
    assert re.search(r"…and \d+ smaller groups, for want of room\.\n🔒 3 groups are not shown", text)
