"""A survey's results for staff: who was invited, started and finished, where people stopped, the
answers to each question (counts, averages, a net promoter score) and the same by resident group,
small groups hidden as in ballots. Editors and admins only; nothing here writes.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.services import staff, survey_invitations, surveys
from bot.services.ballot_counts import group_key
from domain import NUMBER_RANGES, TYPED_KINDS, NotFound, QuestionKind, Role, hidden_groups, share
from storage.models import Survey, SurveyQuestion
from storage.repositories.survey_results import Tally
from storage.uow import UnitOfWork

TEXT_PAGE = 10  # written answers per page
PROMOTERS, DETRACTORS = range(9, 11), range(0, 7)  # of a 0–10 scale


@dataclass(frozen=True)
class Distribution:
    """One question's answers: how many answered, and how many gave each value (a multiple choice:
    each option chosen counts, so the counts add up to more than the answers)."""

    answered: int = 0
    counts: dict[int, int] = field(default_factory=dict)

    def count(self, value: int) -> int:
        return self.counts.get(value, 0)

    def share(self, value: int) -> float:
        return share(self.count(value), self.answered)

    @property
    def average(self) -> float | None:
        if not self.answered:
            return None
        return sum(value * count for value, count in self.counts.items()) / self.answered

    @property
    def net_promoter_score(self) -> float | None:
        """% of 9–10 minus % of 0–6, from -100 to 100."""
        if not self.answered:
            return None
        promoters = sum(self.count(value) for value in PROMOTERS)
        detractors = sum(self.count(value) for value in DETRACTORS)
        return 100 * (promoters - detractors) / self.answered


@dataclass(frozen=True)
class QuestionResult:
    question: SurveyQuestion
    reached: int  # participants who got at least this far
    answers: Distribution

    @property
    def kind(self) -> QuestionKind:
        return QuestionKind(self.question.kind)


@dataclass(frozen=True)
class GroupResult:
    group: str  # a resident type, "" for not told
    responses: int
    answers: dict[int, Distribution]  # question id →


@dataclass(frozen=True)
class Results:
    survey: Survey
    invited: int
    started: int
    finished: int
    questions: tuple[QuestionResult, ...]
    groups: tuple[GroupResult, ...]  # the largest first, small groups left out
    hidden: int  # groups hidden for being small

    @property
    def response_rate(self) -> float:
        return share(self.finished, self.invited)

    def completion(self, result: QuestionResult) -> float:
        """Of those who started, the share who reached this question."""
        return share(result.reached, self.started)

    def question(self, position: int) -> QuestionResult:
        return self.questions[position - 1]


@dataclass(frozen=True)
class TextPage:
    survey: Survey
    question: SurveyQuestion
    texts: list[str]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // TEXT_PAGE))


def values_of(question: SurveyQuestion) -> list[int]:
    """The answers a question's distribution shows, in the order shown (yes before no)."""
    kind = QuestionKind(question.kind)
    if kind == QuestionKind.YES_NO:
        return [1, 0]
    if kind in NUMBER_RANGES:
        low, high = NUMBER_RANGES[kind]
        return list(range(low, high + 1))
    if kind in TYPED_KINDS:
        return []
    return list(range(len(question.options)))


def has_average(question: SurveyQuestion) -> bool:
    return question.kind in (QuestionKind.RATING, QuestionKind.SCALE)


async def recent(uow: UnitOfWork, actor_telegram_id: int, offset: int, limit: int) -> Sequence[Survey]:
    """Surveys, the latest to open first."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    return await uow.survey_results.recent(offset, limit)


async def results(uow: UnitOfWork, actor_telegram_id: int, survey_id: int) -> Results:
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    chosen = await surveys.survey(uow, survey_id)
    participants = await uow.survey_results.participants(chosen.id)
    tallies = await uow.survey_results.tallies(chosen.id)
    questions = tuple(
        QuestionResult(question, sum(n for (furthest, _), n in participants.items() if furthest >= question.position),
                       _distribution(t for t in tallies if t.question_id == question.id))
        for question in chosen.questions)
    by_group = {group_key(group): n for group, n in (await uow.survey_results.responses(chosen.id)).items()}
    hidden = hidden_groups(by_group)
    groups = tuple(
        GroupResult(group, responses, {
            question.id: _distribution(t for t in tallies
                                       if t.question_id == question.id and group_key(t.resident_type) == group)
            for question in chosen.questions})
        for group, responses in sorted(by_group.items(), key=lambda item: (-item[1], item[0]))
        if group not in hidden)
    return Results(chosen, await invited(uow, chosen), sum(participants.values()),
                   sum(n for (_, finished), n in participants.items() if finished), questions, groups, len(hidden))


async def invited(uow: UnitOfWork, chosen: Survey) -> int:
    """Those its invitation went to, once it has gone; until then, who it will go to: a forum's
    attendees (in person and remote), or the survey's audience now."""
    sent = await uow.survey_results.broadcast_total(survey_invitations.INVITATION,
                                                    survey_invitations.subject(chosen))
    if sent is not None:
        return sent
    audience = surveys.audience_of(chosen)
    if audience is not None:
        return await uow.outbox.count_audience(audience)
    if chosen.forum_id is None:
        return 0  # its forum was deleted
    return sum(count for _attendance, _group, count in await uow.forums.attendance_counts(chosen.forum_id))


async def texts(uow: UnitOfWork, actor_telegram_id: int, survey_id: int, position: int, page: int) -> TextPage:
    """A page of the written answers to a question, by the response's random id (never by time)."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    chosen = await surveys.survey(uow, survey_id)
    question = question_at(chosen, position)
    if QuestionKind(question.kind) not in TYPED_KINDS:
        raise NotFound("not a written question")
    page = max(page, 0)
    found, total = await uow.survey_results.texts(question.id, page * TEXT_PAGE, TEXT_PAGE)
    return TextPage(chosen, question, found, total, page)


def question_at(chosen: Survey, position: int) -> SurveyQuestion:
    if not 1 <= position <= len(chosen.questions):
        raise NotFound("no such question")
    return chosen.questions[position - 1]


def _distribution(tallies: Iterable[Tally]) -> Distribution:
    answered = 0
    counts: dict[int, int] = {}
    for tally in tallies:
        answered += tally.responses
        for value in tally.choices if tally.choices is not None else (tally.number,):
            if value is not None:
                counts[value] = counts.get(value, 0) + tally.responses
    return Distribution(answered, counts)
