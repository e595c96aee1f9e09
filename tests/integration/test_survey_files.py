"""A survey from a YAML or JSON file: every field read, and every problem reported with the line it
concerns – a question's problem with that question's line."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services import areas, staff, survey_files
from bot.services.survey_files import SurveyFileError, read_survey_file
from domain import LOCALES, Audience, QuestionKind, Role
from storage.models import Survey
from tests.support.forums import CREATED, EDITOR, ENDS, MODERATOR, new_forum

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Europe/Helsinki")

SURVEY_FILE = [  # one line each (a question on one line or a few), so each case knows the line it breaks
    'title: {fi: "Palautetta kirjastofoorumista", sv: "Respons på biblioteksforumet"}',
    'intro: {fi: "Kiitos, että olit mukana!"}',
    "anonymous: true",
    "forum: {forum}",
    "invite_after: 2h",
    "opens: 2026-08-04 20:00",
    "closes: 2026-08-11 20.00",
    f"created_by: {EDITOR}",
    "questions:",
    "  - {kind: rating, text: {fi: 'Miten foorumi onnistui?', sv: 'Hur lyckades forumet?'}}",
    "  - {kind: scale, text: {fi: 'Suosittelisitko foorumia?'}}",
    "  - {kind: single, text: {fi: 'Miten osallistuit?'}, options: [{fi: Paikan päällä, sv: På plats}, Etänä]}",
    "  - kind: multiple",
    "    text: {fi: 'Mikä toimi?'}",
    "    options:",
    "      - Aikataulu",
    "      - Paikka",
    "      - Keskustelu",
    "    max: 2",
    "    required: false",
    "  - {kind: yes_no, text: {fi: 'Tuletko uudelleen?'}}",
    "  - {kind: text, text: {fi: 'Mitä muuta haluat sanoa?'}, required: false}",
    "  - {kind: theme, text: {fi: Ehdota teemaa tulevalle foorumille}, required: false}",
]


def survey_file(tmp_path: Path, forum_id: int = 1, upto: int | None = None, **changed_lines: str) -> Path:
    """The file's first `upto` lines with some replaced (line_7="..."), after forum `forum_id`."""
    lines = [line.format(forum=forum_id) if line.startswith("forum") else line for line in SURVEY_FILE][:upto]
    for key, text in changed_lines.items():
        lines[int(key.removeprefix("line_")) - 1] = text
    path = tmp_path / "survey.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- reading the file ----------------------------------------------------------------------------

def test_every_field_is_read(tmp_path):
    described, problems = read_survey_file(survey_file(tmp_path, 7), ZONE)
    assert problems == []
    draft = described.draft
    assert (draft.forum_id, draft.invite_delay, draft.anonymous, draft.audience) == (7, 120, True, None)
    assert draft.title["sv"] == "Respons på biblioteksforumet" and draft.intro == {"fi": "Kiitos, että olit mukana!"}
    assert (draft.opens_at, draft.closes_at - draft.opens_at) == (ENDS, timedelta(days=7))
    assert [question.kind for question in draft.questions] == list(QuestionKind)
    single, multiple = draft.questions[2], draft.questions[3]
    assert single.options == [{"fi": "Paikan päällä", "sv": "På plats"}, dict.fromkeys(LOCALES, "Etänä")]
    assert (len(multiple.options), multiple.max_choices, multiple.required) == (3, 2, False)
    assert [question.required for question in draft.questions] == [True] * 3 + [False, True, False, False]
    assert (described.created_by, described.lines["question 4"], described.lines["question 4, option 2"]) == (
        EDITOR, 13, 17)


def test_an_audience_instead_of_a_forum_and_the_defaults(tmp_path):
    path = survey_file(tmp_path, line_2="# no intro", line_3="# named", line_4="# no forum",
                       line_5="audience: {areas: [keskusta, ristiina], resident_types: [holiday], languages: [sv]}")
    described, problems = read_survey_file(path, ZONE)
    assert problems == []
    draft = described.draft
    assert (draft.intro, draft.anonymous, draft.forum_id, draft.invite_delay) == ({}, False, None, 60)
    assert draft.audience == Audience((), ("holiday",), ("sv",))
    assert described.area_codes == (("keskusta", 5), ("ristiina", 5))
    everyone, problems = read_survey_file(survey_file(tmp_path, line_4="audience: everyone", line_5="#"), ZONE)
    assert problems == [] and everyone.draft.audience == Audience()


def test_a_json_file_is_read_alike(tmp_path):
    described, _ = read_survey_file(survey_file(tmp_path, 3), ZONE)
    draft = described.draft
    data = {"title": draft.title, "anonymous": True, "forum": 3, "invite_after": "30min",
            "opens": "2026-08-04 20:00", "closes": "2026-08-11 20:00", "created_by": EDITOR,
            "questions": [{"kind": "rating", "text": {"fi": "Miten foorumi onnistui?"}},
                          {"kind": "single", "text": {"fi": "Miten osallistuit?"}, "options": ["Paikalla", "Etänä"],
                           "required": False}]}
    path = tmp_path / "survey.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent="\t"), encoding="utf-8")  # tabs, as editors do
    from_json, problems = read_survey_file(path, ZONE)
    assert problems == []
    assert (from_json.draft.invite_delay, from_json.draft.opens_at, len(from_json.draft.questions)) == (30, ENDS, 2)
    assert from_json.draft.questions[1].options[1]["sv"] == "Etänä"
    data["questions"][1]["max"] = "two"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1) if '"max"' in text)
    _described, problems = read_survey_file(path, ZONE)
    assert problems == [(line, "question 2: max must be a whole number")]


def test_the_example_in_deploy_is_a_valid_survey_file():
    described, problems = read_survey_file(ROOT / "deploy" / "surveys" / "forum-feedback.yaml", ZONE)
    assert problems == []
    draft = described.draft
    assert all(set(question.texts) == {"fi", "sv", "en"} for question in draft.questions)
    assert {question.kind for question in draft.questions} == set(QuestionKind)
    assert draft.questions[-1].kind == QuestionKind.THEME
    assert draft.questions[-1].texts["en"] == "Suggest a theme for a future forum"


@pytest.mark.parametrize("changed, line, message", [
    ({"line_1": "# no title"}, 1, "title is missing"),
    ({"line_3": "anonymous: sometimes"}, 3, "anonymous must be true or false"),
    ({"line_5": "invite_after: soon"}, 5, 'invite_after must be like "1h", "30min" or "2d"'),
    ({"line_4": "# no forum"}, 5, "invite_after is for a survey after a forum"),
    ({"line_4": "forum: library"}, 4, "forum must be a whole number"),
    ({"line_4": "audience: nobody", "line_5": "#"}, 4, "audience must be everyone or {areas:"),
    ({"line_4": "audience: {areas: [keskusta], languages: [de]}", "line_5": "#"}, 4,
     "each of languages must be one of fi, sv, en, not 'de'"),
    ({"line_4": "audience: {types: [holiday]}", "line_5": "#"}, 4, "audience: unknown key 'types'"),
    ({"line_7": "closes: next week"}, 7, 'closes must be a date and time such as "2026-12-05 09:00"'),
    ({"upto": 9, "line_9": "questions: seven"}, 9, "questions must be a list"),
    ({"line_11": "  - {kind: stars, text: {fi: 'Tähdet?'}}"}, 11, "question 2: kind must be rating, scale,"),
    ({"line_11": "  - {kind: scale}"}, 11, "question 2 must give its kind and text"),
    ({"line_11": "  - {kind: scale, text: Suosittelisitko}"}, 11,
     "question 2: text must give a text per language (fi, sv, en)"),
    ({"line_11": "  - {kind: scale, text: {fi: 'Suosittelisitko?'}, weight: 2}"}, 11,
     "question 2: unknown key 'weight' (expected kind, text, options, max, required)"),
    ({"line_11": "  - Suosittelisitko?"}, 11, "question 2 must give its kind and text: {kind: rating"),
    ({"line_17": "      - [Paikka]"}, 17, "question 4, option 2 must be a text, or a text per language"),
    ({"line_20": "    required: maybe"}, 20, "question 4: required must be true or false"),
], ids=["no-title", "anonymous-not-a-bool", "bad-delay", "delay-without-forum", "forum-not-a-number",
        "bad-audience", "bad-language", "audience-unknown-key", "bad-close", "questions-not-a-list", "bad-kind",
        "no-text", "text-not-per-language", "question-unknown-key", "question-not-a-mapping", "bad-option",
        "required-not-a-bool"])
def test_each_problem_of_the_file_has_its_line(tmp_path, changed, line, message):
    _described, problems = read_survey_file(survey_file(tmp_path, **changed), ZONE)
    assert any(found == line and text.startswith(message) for found, text in problems), problems


def test_not_a_mapping_at_all(tmp_path):
    path = tmp_path / "survey.json"
    path.write_text('[\n  "just a list"\n]\n', encoding="utf-8")
    with pytest.raises(SurveyFileError) as refused:
        read_survey_file(path, ZONE)
    assert refused.value.problems == [f"{path} line 1: expected the keys title, intro, anonymous, forum, "
                                      "invite_after, audience, opens, closes, created_by, questions"]
    path.write_text('{\n  "title": {"fi": "x"},\n  "opens": "2026-08-04 20:00"\n', encoding="utf-8")
    with pytest.raises(SurveyFileError, match="line 4: not valid YAML"):
        read_survey_file(path, ZONE)


# --- making the survey ---------------------------------------------------------------------------

@pytest.fixture
async def city(uow_factory) -> int:
    """Mikkeli's areas, an editor, and a forum on 4 August 18–20; the forum's id."""
    async with uow_factory() as uow:
        await areas.load(uow, areas.parse_area_file(ROOT / "deploy" / "areas" / "mikkeli.yaml"))
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
    return await new_forum(uow_factory)


async def stored(uow_factory) -> list[Survey]:
    async with uow_factory() as uow:
        return list(await uow.session.scalars(select(Survey)))


async def test_a_good_file_creates_the_survey(tmp_path, uow_factory, city):
    async with uow_factory() as uow:
        survey = await survey_files.create_from_file(uow, survey_file(tmp_path, city), ZONE, CREATED)
    [made] = await stored(uow_factory)
    assert (made.id, made.forum_id, made.invite_delay, made.audience, made.anonymous) == (
        survey.id, city, 120, None, True)
    assert (made.created_by, made.created_at, made.opens_at) == (EDITOR, CREATED, ENDS)
    assert [(question.position, question.kind, question.max_choices, question.required)
            for question in made.questions] == [
        (1, "rating", None, True), (2, "scale", None, True), (3, "single", None, True), (4, "multiple", 2, False),
        (5, "yes_no", None, True), (6, "text", None, False), (7, "theme", None, False)]
    assert made.questions[2].options == [{"fi": "Paikan päällä", "sv": "På plats"},
                                         {"fi": "Etänä", "sv": "Etänä", "en": "Etänä"}]


async def test_an_audience_of_areas_is_stored_by_id(tmp_path, uow_factory, city):
    path = survey_file(tmp_path, line_4="audience: {areas: [ristiina], resident_types: [holiday]}", line_5="#")
    async with uow_factory() as uow:
        await survey_files.create_from_file(uow, path, ZONE, CREATED)
        ristiina = (await uow.outbox.area_ids(["ristiina"]))["ristiina"]
    [made] = await stored(uow_factory)
    assert (made.forum_id, made.invite_delay) == (None, None)
    assert made.audience == {"area_ids": [ristiina], "resident_types": ["holiday"], "locales": []}


@pytest.mark.parametrize("changed, line, message", [
    ({"line_1": 'title: {fi: " "}'}, 1, "title: give it in at least one of fi, sv, en"),
    ({"line_7": "closes: 2026-08-04 19:00"}, 7, "closes: must be after it opens"),
    ({"line_6": "opens: 2026-07-01 20:00", "line_7": "closes: 2026-07-02 20:00"}, 7, "closes: must be in the future"),
    ({"line_5": "invite_after: 15d"}, 5, "invite_delay: 0–20160 minutes after the forum ends"),
    ({"line_4": "forum: 999"}, 4, "forum: no forum with id 999"),
    ({"line_5": "audience: everyone"}, 5, "audience: a survey after a forum goes to its attendees"),
    ({"line_4": "audience: {areas: [keskusta, atlantis]}", "line_5": "#"}, 4,
     "areas: no area with the code 'atlantis'"),
    ({"upto": 9, "line_9": "questions: []"}, 9, "questions: 1–20 questions, not 0"),
    ({"line_12": "  - {kind: single, text: {fi: 'Miten osallistuit?'}, options: [Paikalla]}"}, 12,
     "question 3: 2–10 options, not 1"),
    ({"line_12": "  - {kind: single, text: {fi: 'Miten osallistuit?'}, options: [Paikalla, '']}"}, 12,
     "question 3, option 2: give it in at least one of fi, sv, en"),
    ({"line_19": "    max: 4"}, 13, "question 4: between 1 and the number of options (3)"),
    ({"line_21": "  - {kind: yes_no, text: {fi: 'Tuletko?'}, max: 1}"}, 21,
     "question 5: only a multiple-choice question has a maximum"),
    ({"line_22": "  - {kind: text, text: {fi: 'Mitä?'}, options: [a, b]}"}, 22, "question 6: only choice questions"),
    ({"line_10": "  - {kind: theme, text: {fi: Ehdota teemaa}}"}, 10,
     "question 1: a theme suggestion can only be the last question"),
    ({"line_8": f"created_by: {MODERATOR}"}, 8, f"created_by: {MODERATOR} is neither an editor nor an admin"),
], ids=["no-title", "closes-before-opening", "in-the-past", "delay-too-long", "no-such-forum",
        "forum-and-audience", "unknown-area", "no-questions", "too-few-options", "empty-option",
        "max-above-options", "max-not-multiple", "options-not-choice", "theme-not-last", "not-an-editor"])
async def test_each_problem_of_the_survey_has_its_line(tmp_path, uow_factory, city, changed, line, message):
    path = survey_file(tmp_path, city, **changed)
    async with uow_factory() as uow:
        with pytest.raises(SurveyFileError) as refused:
            await survey_files.create_from_file(uow, path, ZONE, CREATED)
    assert any(problem.startswith(f"{path} line {line}: {message}") for problem in refused.value.problems), \
        refused.value.problems
    assert await stored(uow_factory) == []


async def test_every_problem_of_a_file_at_once_in_line_order(tmp_path, uow_factory, city):
    path = survey_file(tmp_path, city, line_20="    required: maybe", line_3="anonymous: 1",
                       line_11="  - {kind: stars, text: {fi: 'Tähdet?'}}")
    async with uow_factory() as uow:
        with pytest.raises(SurveyFileError) as refused:
            await survey_files.create_from_file(uow, path, ZONE, CREATED)
    assert [problem.split(": ")[0] for problem in refused.value.problems] == [
        f"{path} line 3", f"{path} line 11", f"{path} line 20"]
