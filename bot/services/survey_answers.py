"""Taking a survey: one question at a time, back and skip, continue later, one response per person.

A resident's progress lives in their participant row (see storage/models/surveys.py), keyed by a
keyed hash of (survey, resident): answering twice is refused by that primary key, and finishing
is a conditional update that only one attempt wins. Each step names the question it answers
(its position), so a button from an earlier question changes nothing.

Finishing stores the response: a named survey's with the resident; an anonymous survey's with a
random id, the resident group and nothing else – the participant row then keeps only the key.
A theme suggestion becomes a proposal waiting for moderation, credited unless anonymous.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn, Protocol

from bot.services import proposals, surveys
from bot.services.surveys import NotForYou, SurveyNotOpen
from domain import DomainError, NotFound, QuestionKind, SurveyPhase, valid_answer
from storage.models import Proposal, Resident, Survey, SurveyAnswer, SurveyParticipant, SurveyQuestion, SurveyResponse
from storage.uow import UnitOfWork


class AlreadyAnswered(DomainError):
    """This resident has finished the survey: one response each."""


class StaleStep(DomainError):
    """The answer is for another question than the one the resident is at (an older message)."""


class InvalidAnswer(DomainError):
    """Not an answer to this question (out of range, too long, too many choices…)."""


class TooManyChoices(InvalidAnswer):
    """A multiple choice's maximum is reached: an option has to be removed first."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} choices")
        self.limit = limit


class Required(DomainError):
    """A required question cannot be skipped."""


class Notices(proposals.Notices, Protocol):
    """A theme suggestion's card goes to the moderators like any proposal's."""


@dataclass(frozen=True)
class Progress:
    """Where a resident is in a survey: the question at hand (None once finished) and the answers so far."""

    survey: Survey
    position: int
    answers: dict[int, Any]  # question id → answer
    finished: bool = False
    suggestion: Proposal | None = None  # the proposal a theme suggestion became, on finishing

    @property
    def question(self) -> SurveyQuestion | None:
        if self.finished:
            return None
        return self.survey.questions[self.position - 1]

    @property
    def total(self) -> int:
        return len(self.survey.questions)


@dataclass(frozen=True)
class Standing:
    """Where a resident stands with an open survey: not started (position None), at a question, or answered."""

    survey: Survey
    position: int | None
    finished: bool = False


def _progress(chosen: Survey, participant: SurveyParticipant) -> Progress:
    return Progress(chosen, participant.position, {int(k): v for k, v in (participant.draft or {}).items()},
                    participant.finished)


async def _open_survey(uow: UnitOfWork, survey_id: int, resident: Resident, now: datetime) -> Survey:
    chosen = await surveys.survey(uow, survey_id)
    phase = surveys.phase_of(chosen, now)
    if phase != SurveyPhase.OPEN:
        raise SurveyNotOpen(phase)
    if not await surveys.may_answer(uow, chosen, resident):
        raise NotForYou("not for this resident")
    return chosen


async def begin(uow: UnitOfWork, resident: Resident, survey_id: int, secret: bytes, now: datetime) -> Progress:
    """Start the survey, or continue where the resident left it; commits."""
    chosen = await _open_survey(uow, survey_id, resident, now)
    key = surveys.participant_key(secret, chosen.id, resident.id)
    participant = await uow.surveys.participant(chosen.id, key)
    if participant is None:
        await uow.surveys.join(SurveyParticipant(survey_id=chosen.id, key=key, resident_id=resident.id, position=1,
                                                 furthest=1, draft={}, started_at=now, finished=False))
        await uow.commit()
        participant = await uow.surveys.participant(chosen.id, key)
        assert participant is not None
    if participant.finished:
        raise AlreadyAnswered("answered already")
    return _progress(chosen, participant)


async def standing(uow: UnitOfWork, resident: Resident, chosen: Survey, secret: bytes) -> Standing:
    participant = await uow.surveys.participant(chosen.id, surveys.participant_key(secret, chosen.id, resident.id))
    if participant is None:
        return Standing(chosen, None)
    return Standing(chosen, participant.position, participant.finished)


async def standings(uow: UnitOfWork, resident: Resident, secret: bytes, now: datetime) -> list[Standing]:
    """The open surveys this resident may answer: started ones first, answered ones last, each
    group closing soonest first."""
    found = [await standing(uow, resident, chosen, secret) for chosen in await surveys.open_for(uow, resident, now)]
    return sorted(found, key=lambda one: (one.finished, one.position is None))


async def current(uow: UnitOfWork, resident: Resident, survey_id: int, position: int, secret: bytes,
                  now: datetime) -> Progress:
    """The resident's progress, checked as `answer` checks it (StaleStep unless they are at
    `position`), for a press that changes nothing in the store; writes nothing."""
    chosen, participant = await _at(uow, resident, survey_id, position, secret, now, lock=False)
    return _progress(chosen, participant)


def toggled(question: SurveyQuestion, chosen: Sequence[int], option: int) -> list[int]:
    """A multiple choice's options after tapping `option`: chosen, or removed when it was."""
    if question.kind != QuestionKind.MULTIPLE or not 0 <= option < len(question.options):
        raise InvalidAnswer("no such option")
    if option in chosen:
        return [one for one in chosen if one != option]
    limit = question.max_choices or len(question.options)
    if len(chosen) >= limit:
        raise TooManyChoices(limit)
    return sorted([*chosen, option])


async def answer(uow: UnitOfWork, resident: Resident, survey_id: int, position: int, value: Any, secret: bytes,
                 notices: Notices, now: datetime) -> Progress:
    """Answer the question at `position` and move to the next (finishing after the last); commits.

    `value`: a number (rating, scale, yes 1 / no 0, a single choice's option index), option indexes
    (multiple choice) or a text (free text, theme suggestion).
    """
    chosen, participant = await _at(uow, resident, survey_id, position, secret, now)
    question = chosen.questions[position - 1]
    if isinstance(value, str):
        value = value.strip()
    if not valid_answer(QuestionKind(question.kind), value, len(question.options), question.max_choices):
        await _refuse(uow, InvalidAnswer("not an answer to this question"))
    return await _move(uow, chosen, participant, {**(participant.draft or {}), str(question.id): value},
                       position + 1, resident, notices, now)


async def skip(uow: UnitOfWork, resident: Resident, survey_id: int, position: int, secret: bytes,
               notices: Notices, now: datetime) -> Progress:
    """Leave an optional question unanswered (forgetting an earlier answer to it); commits."""
    chosen, participant = await _at(uow, resident, survey_id, position, secret, now)
    question = chosen.questions[position - 1]
    if question.required:
        await _refuse(uow, Required("required"))
    draft = {k: v for k, v in (participant.draft or {}).items() if k != str(question.id)}
    return await _move(uow, chosen, participant, draft, position + 1, resident, notices, now)


async def back(uow: UnitOfWork, resident: Resident, survey_id: int, position: int, secret: bytes,
               now: datetime) -> Progress:
    """Go back to the question before `position` (its answer kept, to change or confirm); commits."""
    chosen, participant = await _at(uow, resident, survey_id, position, secret, now)
    participant.position = max(position - 1, 1)
    await uow.commit()
    return _progress(chosen, participant)


async def _at(uow: UnitOfWork, resident: Resident, survey_id: int, position: int, secret: bytes,
              now: datetime, lock: bool = True) -> tuple[Survey, SurveyParticipant]:
    """The survey and the resident's participant row (locked unless told); StaleStep unless they
    are at `position`."""
    chosen = await _open_survey(uow, survey_id, resident, now)
    participant = await uow.surveys.participant(chosen.id, surveys.participant_key(secret, chosen.id, resident.id),
                                                lock=lock)
    if participant is None:
        await _refuse(uow, NotFound("not started"))
    if participant.finished:
        await _refuse(uow, AlreadyAnswered("answered already"))
    if participant.position != position:
        await _refuse(uow, StaleStep("answered from an older message"))
    return chosen, participant


async def _refuse(uow: UnitOfWork, error: DomainError) -> NoReturn:
    """Nothing was written: end the transaction (letting go of the row) and raise. A commit, not a
    rollback, so what the caller read stays readable: a rollback expires every loaded object."""
    await uow.commit()
    raise error


async def _move(uow: UnitOfWork, chosen: Survey, participant: SurveyParticipant, draft: dict[str, Any],
                position: int, resident: Resident, notices: Notices, now: datetime) -> Progress:
    participant.draft, participant.position = draft, position
    participant.furthest = max(participant.furthest, min(position, len(chosen.questions)))
    if position <= len(chosen.questions):
        await uow.commit()
        return _progress(chosen, participant)
    suggestion = await _finish(uow, chosen, participant, resident, notices, now)
    await uow.commit()
    return Progress(chosen, len(chosen.questions), {}, finished=True, suggestion=suggestion)


async def _finish(uow: UnitOfWork, chosen: Survey, participant: SurveyParticipant, resident: Resident,
                  notices: Notices, now: datetime) -> Proposal | None:
    answers = {int(k): v for k, v in (participant.draft or {}).items()}
    if not await uow.surveys.mark_finished(chosen.id, participant.key, chosen.anonymous):
        await uow.rollback()  # the draft set on the row must not reach a finished (anonymous) one
        raise AlreadyAnswered("finished meanwhile")
    response = SurveyResponse(
        id=uuid.uuid4().hex, survey_id=chosen.id, resident_type=resident.resident_type,
        resident_id=None if chosen.anonymous else resident.id, finished_at=None if chosen.anonymous else now)
    await uow.surveys.add_response(response, [_stored(response.id, question, answers[question.id])
                                              for question in chosen.questions if question.id in answers])
    suggested = [answers[q.id] for q in chosen.questions if q.kind == QuestionKind.THEME and q.id in answers]
    if not suggested:
        return None
    return await proposals.suggest(uow, None if chosen.anonymous else resident, suggested[0], notices, now)


def _stored(response_id: str, question: SurveyQuestion, value: Any) -> SurveyAnswer:
    kind = QuestionKind(question.kind)
    if kind == QuestionKind.MULTIPLE:
        return SurveyAnswer(response_id=response_id, question_id=question.id, choices=sorted(value))
    if isinstance(value, str):
        return SurveyAnswer(response_id=response_id, question_id=question.id, text=value)
    return SurveyAnswer(response_id=response_id, question_id=question.id, number=value)


async def unfinished(uow: UnitOfWork, resident: Resident, now: datetime) -> list[tuple[Survey, int]]:
    """Open surveys the resident started and has not finished, with the question they are at."""
    return [(chosen, participant.position) for chosen, participant in await uow.surveys.unfinished(resident.id, now)]
