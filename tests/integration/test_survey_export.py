"""`foorumi survey export`: one CSV row per finished response, parsed back with the csv module,
and nothing in it that identifies anyone – on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from bot.services import survey_export
from bot.services.surveys import QuestionDraft
from domain import QuestionKind
from foorumi.cli import survey_export as command  # noqa: F401  (registers the command)
from storage.models import Resident, SurveyResponse
from tests.integration.test_survey_results import answered_survey, respond
from tests.integration.test_vote_cli import run
from tests.support.forums import people
from tests.support.surveys import new_survey

HEADER = ["response", "resident_group", "1. Miten foorumi onnistui?", "2. Suosittelisitko foorumia ystävällesi?",
          "3. Miten osallistuit?", "4. Mikä toimi?", "5. Tuletko uudelleen?", "6. Mitä muuta haluat sanoa?",
          "7. Ehdota teemaa tulevalle foorumille"]


def parsed(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs for ä and ö
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


async def identities(uow_factory) -> set[str]:
    """Every resident id and Telegram id in the store, as text."""
    async with uow_factory() as uow:
        rows = (await uow.session.execute(select(Resident.id, Resident.telegram_id))).all()
    return {str(value) for row in rows for value in row}


async def test_one_row_per_finished_response_with_labels_and_no_identities(uow_factory, database_url, tmp_path):
    survey_id = await answered_survey(uow_factory)  # named: the store keeps who answered
    output = tmp_path / "tulokset.csv"
    result = await run(tmp_path, database_url, "survey", "export", str(survey_id), "--output", str(output))
    assert result.exit_code == 0, result.output
    header, *rows = parsed(output.read_bytes())
    assert header == HEADER
    assert len(rows) == 13  # the three who did not finish are not there
    async with uow_factory() as uow:
        stored = sorted((await uow.session.scalars(select(SurveyResponse.id))).all())
        assert output.read_bytes() == await survey_export.export(uow, survey_id, "fi")  # the bot's file too
    assert [row[0] for row in rows] == stored  # random ids, in their own order: not by time
    assert {row[1] for row in rows} == {"permanent", "hidden"}  # 5 holiday and 2 working: too few to show
    first = next(row for row in rows if row[5] == "Aikataulu; Keskustelu")  # [0, 2]: the second resident
    assert first[2:] == ["4", "9", "Paikan päällä", "Aikataulu; Keskustelu", "1", "", ""]
    assert sorted(row[7] for row in rows if row[7]) == ["Hyvä ilta", "Kahvi loppui", "Lisää tuoleja"]
    known = await identities(uow_factory)
    assert all(re.fullmatch("[0-9a-f]{32}", row[0]) and row[0] not in known for row in rows)
    telegram_ids = {value for value in known if len(value) >= 4}  # resident ids are as small as the answers
    assert not any(telegram_id in cell for row in rows for cell in row[1:] for telegram_id in telegram_ids)


async def test_written_answers_that_look_like_formulas_stay_text(uow_factory):
    survey_id = await new_survey(uow_factory, anonymous=True, questions=[
        QuestionDraft(QuestionKind.TEXT, {"fi": "Mitä haluat sanoa?"})])
    [aino] = await people(uow_factory, 1)
    await respond(uow_factory, aino, survey_id, ['=HYPERLINK("http://example.com", "klikkaa")'])
    async with uow_factory() as uow:
        [_header, row] = parsed(await survey_export.export(uow, survey_id, "fi"))
    assert row[1:] == ["hidden", '\'=HYPERLINK("http://example.com", "klikkaa")']


async def test_an_unknown_survey_is_an_error(database_url, tmp_path):
    result = await run(tmp_path, database_url, "survey", "export", "999")
    assert result.exit_code == 2 and "no survey 999" in result.output
