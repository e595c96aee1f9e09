"""The demo city's feedback survey, after the market square forum held three days ago: Pentti and
Lena have answered it; Sven, who took part remotely, can answer it in Swedish, and Grace can see
the results."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.notices import Notices
from bot.services import survey_answers, surveys
from bot.services.surveys import QuestionDraft, SurveyDraft
from domain import QuestionKind
from storage.models import Forum, Resident
from storage.uow import UnitOfWork

TITLE = {"fi": "Palautetta kesätorin penkkifoorumista", "sv": "Respons på forumet om bänkar på sommartorget",
         "en": "Feedback on the summer market square forum"}
INTRO = {"fi": "Kuusi lyhyttä kysymystä. Vastaukset tallennetaan ilman nimeäsi.",
         "sv": "Sex korta frågor. Svaren sparas utan ditt namn.",
         "en": "Six short questions. Your answers are stored without your name."}
QUESTIONS = [
    QuestionDraft(QuestionKind.RATING, {"fi": "Miten foorumi kokonaisuutena onnistui?",
                                        "sv": "Hur lyckades forumet som helhet?",
                                        "en": "How did the forum go overall?"}),
    QuestionDraft(QuestionKind.SCALE, {"fi": "Kuinka todennäköisesti suosittelisit kaupunkifoorumeita tutullesi?",
                                       "sv": "Hur troligt är det att du skulle rekommendera stadsforumen till en bekant?",
                                       "en": "How likely are you to recommend the city forums to someone you know?"}),
    QuestionDraft(QuestionKind.MULTIPLE, {"fi": "Mikä foorumissa toimi?", "sv": "Vad fungerade på forumet?",
                                          "en": "What worked at the forum?"},
                  [{"fi": "Ajankohta", "sv": "Tidpunkten", "en": "The time"},
                   {"fi": "Paikka", "sv": "Platsen", "en": "The place"},
                   {"fi": "Etäosallistuminen", "sv": "Distansdeltagandet", "en": "Taking part remotely"},
                   {"fi": "Keskustelu", "sv": "Diskussionen", "en": "The discussion"}], max_choices=2, required=False),
    QuestionDraft(QuestionKind.YES_NO, {"fi": "Tuletko seuraavaan foorumiin?", "sv": "Kommer du till nästa forum?",
                                        "en": "Will you come to the next forum?"}),
    QuestionDraft(QuestionKind.TEXT, {"fi": "Mitä tekisimme ensi kerralla toisin?",
                                      "sv": "Vad borde vi göra annorlunda nästa gång?",
                                      "en": "What should we do differently next time?"}, required=False),
    QuestionDraft(QuestionKind.THEME, {"fi": "Ehdota teemaa tulevalle foorumille",
                                       "sv": "Föreslå ett tema för ett kommande forum",
                                       "en": "Suggest a theme for a future forum"}, required=False),
]
ANSWERS = {  # what Pentti and Lena answered
    "pentti": [4, 8, [1, 3], 1, "Kahvitarjoilu houkuttelisi lisää väkeä.", None],
    "lena": [5, 10, [2], 1, None, "Pyöräparkit rautatieasemalle"],
}


async def seed_survey(uow: UnitOfWork, staff_id: int, forum: Forum, people: Mapping[str, Resident],
                      secret: bytes, notices: Notices, now: datetime) -> None:
    """The forum's survey, once, answered by Pentti and Lena."""
    if any(found.title == TITLE for found in await uow.surveys.open_at(now)):
        return
    draft = SurveyDraft(dict(TITLE), list(QUESTIONS), opens_at=forum.ends_at, closes_at=now + timedelta(days=7),
                        intro=dict(INTRO), anonymous=True, forum_id=forum.id, invite_delay=60)
    made = await surveys.create(uow, staff_id, draft, forum.ends_at - timedelta(days=1))
    answered = now - timedelta(days=2)
    for name, answers in ANSWERS.items():
        progress = await survey_answers.begin(uow, people[name], made.id, secret, answered)
        for value in answers:
            if value is None:
                progress = await survey_answers.skip(uow, people[name], made.id, progress.position, secret,
                                                     notices, answered)
            else:
                progress = await survey_answers.answer(uow, people[name], made.id, progress.position, value,
                                                       secret, notices, answered)
