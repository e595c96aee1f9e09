"""Shared pieces of the survey tests: a survey with one question of every kind, made by an editor.

Times are fixed instants: the survey opens with the forum's end (tests/support/forums.py) and
stays open a week.
"""
from __future__ import annotations

from datetime import timedelta

from bot.services import staff, surveys
from bot.services.surveys import QuestionDraft, SurveyDraft
from domain import Audience, QuestionKind, Role
from storage.uow import UnitOfWorkFactory
from tests.support.forums import CREATED, EDITOR, ENDS

OPENS = ENDS
CLOSES = OPENS + timedelta(days=7)
SECRET = b"test survey key"

EVERY_KIND = [
    QuestionDraft(QuestionKind.RATING, {"fi": "Miten foorumi onnistui?", "sv": "Hur lyckades forumet?",
                                        "en": "How did the forum go?"}),
    QuestionDraft(QuestionKind.SCALE, {"fi": "Suosittelisitko foorumia ystävällesi?",
                                       "sv": "Skulle du rekommendera forumet till en vän?"}),
    QuestionDraft(QuestionKind.SINGLE, {"fi": "Miten osallistuit?", "sv": "Hur deltog du?"},
                  [{"fi": "Paikan päällä", "sv": "På plats"}, {"fi": "Etänä", "sv": "På distans"}]),
    QuestionDraft(QuestionKind.MULTIPLE, {"fi": "Mikä toimi?", "sv": "Vad fungerade?"},
                  [{"fi": "Aikataulu", "sv": "Tidtabellen"}, {"fi": "Paikka", "sv": "Platsen"},
                   {"fi": "Keskustelu", "sv": "Diskussionen"}], max_choices=2, required=False),
    QuestionDraft(QuestionKind.YES_NO, {"fi": "Tuletko uudelleen?", "sv": "Kommer du igen?"}),
    QuestionDraft(QuestionKind.TEXT, {"fi": "Mitä muuta haluat sanoa?", "sv": "Vad vill du mer säga?"},
                  required=False),
    QuestionDraft(QuestionKind.THEME, {"fi": "Ehdota teemaa tulevalle foorumille",
                                       "sv": "Föreslå ett tema för ett kommande forum"}, required=False),
]


def draft(**changes: object) -> SurveyDraft:
    made = SurveyDraft(
        title={"fi": "Palautetta kirjastofoorumista", "sv": "Respons på biblioteksforumet"},
        questions=list(EVERY_KIND), opens_at=OPENS, closes_at=CLOSES, audience=Audience(),
    )
    for name, value in changes.items():
        setattr(made, name, value)
    return made


async def new_survey(uow_factory: UnitOfWorkFactory, **changes: object) -> int:
    async with uow_factory() as uow:
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
        return (await surveys.create(uow, EDITOR, draft(**changes), CREATED)).id
