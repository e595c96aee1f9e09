"""Feedback surveys: the kinds of question, what an answer to each may be, and when a survey is open."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain.text import N_


class QuestionKind(StrEnum):
    RATING = "rating"  # 1–5
    SCALE = "scale"  # 0–10, as in a net promoter score
    SINGLE = "single"  # one of the options
    MULTIPLE = "multiple"  # up to max_choices of the options
    YES_NO = "yes_no"
    TEXT = "text"  # free text, at most ANSWER_LIMIT characters
    THEME = "theme"  # a theme for a future forum: becomes a proposal waiting for moderation


QUESTION_KIND_LABELS = {
    QuestionKind.RATING: N_("Rating 1–5"),
    QuestionKind.SCALE: N_("Scale 0–10"),
    QuestionKind.SINGLE: N_("One choice"),
    QuestionKind.MULTIPLE: N_("Several choices"),
    QuestionKind.YES_NO: N_("Yes or no"),
    QuestionKind.TEXT: N_("Free text"),
    QuestionKind.THEME: N_("A theme for a future forum"),
}

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
TYPED_KINDS = (QuestionKind.TEXT, QuestionKind.THEME)  # answered by writing, not with buttons
NUMBER_RANGES = {QuestionKind.RATING: (1, 5), QuestionKind.SCALE: (0, 10), QuestionKind.YES_NO: (0, 1)}
ANSWER_LIMIT = 1000  # characters of a free-text answer
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_QUESTIONS = 20


class SurveyPhase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def survey_phase(opens_at: datetime, closes_at: datetime, now: datetime) -> SurveyPhase:
    if now < opens_at:
        return SurveyPhase.UPCOMING
    if now < closes_at:
        return SurveyPhase.OPEN
    return SurveyPhase.CLOSED


def valid_answer(kind: QuestionKind, value: object, options: int, max_choices: int | None) -> bool:
    """Whether `value` answers a question of this kind: a number in range, option indexes (0-based),
    or a text within the limit."""
    if kind in NUMBER_RANGES:
        low, high = NUMBER_RANGES[kind]
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if kind == QuestionKind.SINGLE:
        return isinstance(value, int) and 0 <= value < options
    if kind == QuestionKind.MULTIPLE:
        return (isinstance(value, list) and 1 <= len(value) <= (max_choices or options)
                and len(set(value)) == len(value) and all(isinstance(v, int) and 0 <= v < options for v in value))
    return isinstance(value, str) and 0 < len(value.strip()) <= ANSWER_LIMIT
