"""Feedback surveys: what makes one, creating it, who may take it and when.

Taking a survey (one question at a time, one response per person) is in survey_answers.py.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.services import staff
from bot.services.ballots import Problem
from domain import (
    ATTENDING, CHOICE_KINDS, LOCALES, MAX_QUESTIONS, N_, Audience, DomainError, NotFound, QuestionKind, Role,
    SurveyPhase, survey_phase,
)
from domain.surveys import MAX_OPTIONS, MIN_OPTIONS
from storage.models import Resident, Survey, SurveyQuestion
from storage.uow import UnitOfWork

TITLE_LIMIT = 100
INTRO_LIMIT = 1000
QUESTION_LIMIT = 300
OPTION_LIMIT = 60
LONGEST_DELAY = 14 * 24 * 60  # minutes after the forum ends


class InvalidSurvey(DomainError):
    """A draft that cannot become a survey; `problems` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


class NotForYou(DomainError):
    """The survey is for a forum's attendees or an audience this resident is not in."""


class SurveyNotOpen(DomainError):
    def __init__(self, phase: SurveyPhase) -> None:
        super().__init__(f"the survey is {phase}")
        self.phase = phase


@dataclass
class QuestionDraft:
    kind: QuestionKind
    texts: dict[str, str]
    options: list[dict[str, str]] = field(default_factory=list)
    max_choices: int | None = None
    required: bool = True


@dataclass
class SurveyDraft:
    title: dict[str, str]
    questions: list[QuestionDraft]
    opens_at: datetime
    closes_at: datetime
    intro: dict[str, str] = field(default_factory=dict)
    anonymous: bool = False
    forum_id: int | None = None  # its attendees are invited `invite_delay` minutes after it ends
    invite_delay: int = 60
    audience: Audience | None = None  # without a forum: who may answer (None: everyone)


def problems_of(draft: SurveyDraft, now: datetime) -> list[Problem]:
    """What keeps a draft from becoming a survey, the store aside (empty when nothing does)."""
    found = _texts_problems("title", draft.title, TITLE_LIMIT, required=True)
    found += _texts_problems("intro", draft.intro, INTRO_LIMIT, required=False)
    if not 1 <= len(draft.questions) <= MAX_QUESTIONS:
        found.append(Problem("questions", N_("1–{most} questions, not {count}"),
                             {"most": MAX_QUESTIONS, "count": len(draft.questions)}))
    for number, question in enumerate(draft.questions, 1):
        found += _question_problems(f"question {number}", question)
    themes = [n for n, question in enumerate(draft.questions, 1) if question.kind == QuestionKind.THEME]
    if themes and themes != [len(draft.questions)]:
        found.append(Problem(f"question {themes[0]}", N_("a theme suggestion can only be the last question")))
    if draft.closes_at <= draft.opens_at:
        found.append(Problem("closes", N_("must be after it opens")))
    elif draft.closes_at <= now:
        found.append(Problem("closes", N_("must be in the future")))
    if draft.forum_id is not None and draft.audience is not None:
        found.append(Problem("audience", N_("a survey after a forum goes to its attendees: no other audience")))
    if draft.forum_id is not None and not 0 <= draft.invite_delay <= LONGEST_DELAY:
        found.append(Problem("invite_delay", N_("0–{most} minutes after the forum ends"), {"most": LONGEST_DELAY}))
    return found


def _texts_problems(part: str, texts: dict[str, str], limit: int, required: bool) -> list[Problem]:
    given = {locale: text for locale, text in texts.items() if text.strip()}
    found = []
    if set(given) - set(LOCALES) or (required and not given):
        found.append(Problem(part, N_("give it in at least one of {languages}"), {"languages": ", ".join(LOCALES)}))
    if any(len(text) > limit for text in given.values()):
        found.append(Problem(part, N_("at most {limit} characters"), {"limit": limit}))
    return found


def _question_problems(part: str, question: QuestionDraft) -> list[Problem]:
    found = _texts_problems(part, question.texts, QUESTION_LIMIT, required=True)
    if question.kind in CHOICE_KINDS:
        if not MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS:
            found.append(Problem(part, N_("{least}–{most} options, not {count}"),
                                 {"least": MIN_OPTIONS, "most": MAX_OPTIONS, "count": len(question.options)}))
        for number, option in enumerate(question.options, 1):
            found += _texts_problems(f"{part}, option {number}", option, OPTION_LIMIT, required=True)
    elif question.options:
        found.append(Problem(part, N_("only choice questions have options")))
    if question.kind == QuestionKind.MULTIPLE:
        if question.max_choices is not None and not 1 <= question.max_choices <= len(question.options):
            found.append(Problem(part, N_("between 1 and the number of options ({count})"),
                                 {"count": len(question.options)}))
    elif question.max_choices is not None:
        found.append(Problem(part, N_("only a multiple-choice question has a maximum")))
    return found


async def unsaved(uow: UnitOfWork, actor_telegram_id: int, draft: SurveyDraft, now: datetime) -> Survey:
    """The survey a draft makes, checked but not stored (staff preview it); InvalidSurvey says why not."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    found = problems_of(draft, now)
    forum = await uow.forums.get(draft.forum_id) if draft.forum_id is not None else None
    if draft.forum_id is not None and forum is None:
        found.append(Problem("forum", N_("no forum with id {id}"), {"id": draft.forum_id}))
    for area_id in draft.audience.area_ids if draft.audience else ():
        if await uow.areas.get(area_id) is None:
            found.append(Problem("areas", N_("no area with id {id}"), {"id": area_id}))
    if found:
        raise InvalidSurvey(found)
    return Survey(
        title=_kept(draft.title), intro=_kept(draft.intro), anonymous=draft.anonymous,
        forum_id=draft.forum_id, invite_delay=draft.invite_delay if forum else None,
        audience=None if forum else (draft.audience or Audience()).as_json(),
        opens_at=draft.opens_at, closes_at=draft.closes_at, created_by=actor_telegram_id, created_at=now,
        questions=[
            SurveyQuestion(position=number, kind=question.kind.value, texts=_kept(question.texts),
                           options=[_kept(option) for option in question.options],
                           max_choices=question.max_choices if question.kind == QuestionKind.MULTIPLE else None,
                           required=question.required)
            for number, question in enumerate(draft.questions, 1)
        ],
    )


def _kept(texts: dict[str, str]) -> dict[str, str]:
    return {locale: text.strip() for locale, text in texts.items() if text.strip()}


async def create(uow: UnitOfWork, actor_telegram_id: int, draft: SurveyDraft, now: datetime) -> Survey:
    """A new survey (editors and admins). Its invitations go out when due (survey_invitations.py)."""
    survey = await uow.surveys.add(await unsaved(uow, actor_telegram_id, draft, now))
    await uow.commit()
    return survey


async def survey(uow: UnitOfWork, survey_id: int) -> Survey:
    found = await uow.surveys.get(survey_id)
    if found is None:
        raise NotFound("no such survey")
    return found


def phase_of(chosen: Survey, now: datetime) -> SurveyPhase:
    return survey_phase(chosen.opens_at, chosen.closes_at, now)


def audience_of(chosen: Survey) -> Audience | None:
    """Who may answer a survey open to an audience; None for a forum's survey (its attendees)."""
    return Audience.from_json(chosen.audience) if chosen.audience is not None else None


async def may_answer(uow: UnitOfWork, chosen: Survey, resident: Resident) -> bool:
    """A forum's survey is for those who RSVPed in person or remotely; another, for its audience."""
    audience = audience_of(chosen)
    if audience is not None:
        return audience.includes(resident.area_id, resident.resident_type, resident.locale)
    if chosen.forum_id is None:
        return False
    rsvp = await uow.forums.rsvp_of(chosen.forum_id, resident.id)
    return rsvp is not None and rsvp.attendance in ATTENDING


async def open_for(uow: UnitOfWork, resident: Resident, now: datetime) -> Sequence[Survey]:
    """The open surveys this resident may answer, closing soonest first."""
    return [found for found in await uow.surveys.open_at(now) if await may_answer(uow, found, resident)]


def invitation_moment(chosen: Survey, forum_ends: datetime | None) -> datetime:
    """When a survey's invitations are due: a set time after its forum ends, or when it opens."""
    if forum_ends is not None and chosen.invite_delay is not None:
        return max(chosen.opens_at, forum_ends + timedelta(minutes=chosen.invite_delay))
    return chosen.opens_at


def participant_key(secret: bytes, survey_id: int, resident_id: int) -> str:
    """The keyed hash that stands for a resident in a survey: one response each, and (without the
    key) no way back from it to the resident."""
    return hmac.new(secret, f"{survey_id}:{resident_id}".encode(), hashlib.sha256).hexdigest()
