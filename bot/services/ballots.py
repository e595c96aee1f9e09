"""Theme votes: who may vote, when a ballot opens and closes, what its result reaches.

One ballot per person per vote is kept by the database (see storage/models/ballots.py); the
rules here decide what may be tried at all and what each step announces through the outbox.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.services import outbox, staff
from bot.services.ballot_counts import Results, count
from bot.services.proposals import subject_of
from domain import (
    ALL_AREAS, LOCALES, N_, MAX_OPTIONS, MIN_OPTIONS, Audience, Chat, DomainError, Method, NotFound, Notice,
    Phase, Priority, Role, Status, Visibility, is_public, phase,
)
from storage.models import Area, Ballot, BallotOption, Proposal, Resident, TimelineEntry
from storage.uow import UnitOfWork

QUESTION_LIMIT = 300
LABEL_LIMIT = 60


class NotYetOpen(DomainError):
    """The ballot opens later."""


class BallotClosed(DomainError):
    """The ballot has closed; no more votes."""


class NotEligible(DomainError):
    """The ballot is for other areas or resident groups."""


class TooManyChoices(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} choices")
        self.limit = limit


@dataclass(frozen=True)
class Problem:
    """What keeps a draft from being a ballot: the part it concerns ("closes", "option 2") and a
    msgid with its values – in English as it stands (the shell), translated in the bot."""

    part: str
    msgid: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.part}: {self.msgid.format(**self.values)}"


class InvalidBallot(DomainError):
    """A draft that cannot become a ballot; `problems` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


class Notices(Protocol):
    @property
    def staff_chat(self) -> Chat | None: ...
    def status_changed(self, proposal: Proposal, entry: TimelineEntry) -> Notice: ...
    def ballot_announcement(self, ballot: Ballot) -> Notice: ...
    def ballot_results(self, ballot: Ballot, results: Results, areas: Mapping[int, Area]) -> Notice: ...
    def ballot_reminder(self, ballot: Ballot) -> Notice: ...
    def ballot_staff_closed(self, ballot: Ballot, results: Results) -> Notice | None: ...
    def theme_won(self, ballot: Ballot, results: Results) -> dict[str, str]: ...


@dataclass
class OptionDraft:
    labels: dict[str, str] = field(default_factory=dict)
    theme_id: int | None = None


@dataclass
class BallotDraft:
    question: dict[str, str]
    options: list[OptionDraft]
    opens_at: datetime
    closes_at: datetime
    method: Method = Method.SINGLE
    max_choices: int = 1
    area_ids: tuple[int, ...] = ()
    resident_types: tuple[str, ...] = ()
    visibility: Visibility = Visibility.AFTER_CLOSE


def problems_of(draft: BallotDraft, now: datetime) -> list[Problem]:
    """What keeps a draft from becoming a ballot (empty when nothing does)."""
    found = []
    question = {locale: text for locale, text in draft.question.items() if text.strip()}
    if not question or set(question) - set(LOCALES):
        found.append(Problem("question", N_("give it in at least one of {languages}"),
                             {"languages": ", ".join(LOCALES)}))
    if any(len(text) > QUESTION_LIMIT for text in question.values()):
        found.append(Problem("question", N_("at most {limit} characters"), {"limit": QUESTION_LIMIT}))
    if not MIN_OPTIONS <= len(draft.options) <= MAX_OPTIONS:
        found.append(Problem("options", N_("{least}–{most} options, not {count}"),
                             {"least": MIN_OPTIONS, "most": MAX_OPTIONS, "count": len(draft.options)}))
    for number, option in enumerate(draft.options, 1):
        if option.theme_id is None and not any(text.strip() for text in option.labels.values()):
            found.append(Problem(f"option {number}", N_("a theme or a text in at least one language")))
        if any(len(text) > LABEL_LIMIT for text in option.labels.values()):
            found.append(Problem(f"option {number}", N_("at most {limit} characters"), {"limit": LABEL_LIMIT}))
    if draft.method == Method.SINGLE and draft.max_choices != 1:
        found.append(Problem("max_choices", N_("a single-choice ballot has exactly 1")))
    if draft.method == Method.APPROVAL and not 1 <= draft.max_choices <= len(draft.options):
        found.append(Problem("max_choices", N_("between 1 and the number of options ({count})"),
                             {"count": len(draft.options)}))
    if draft.closes_at <= draft.opens_at:
        found.append(Problem("closes", N_("must be after it opens")))
    if draft.closes_at <= now:
        found.append(Problem("closes", N_("must be in the future")))
    return found


async def create(uow: UnitOfWork, actor_telegram_id: int, draft: BallotDraft, now: datetime) -> Ballot:
    """A new ballot (editors and admins); it opens and is announced at `opens_at`."""
    ballot = await unsaved(uow, actor_telegram_id, draft, now)
    await uow.ballots.add(ballot)
    await uow.commit()
    return ballot


async def unsaved(uow: UnitOfWork, actor_telegram_id: int, draft: BallotDraft, now: datetime) -> Ballot:
    """The ballot a draft makes, checked but not stored (staff preview it); InvalidBallot says why not."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    found = problems_of(draft, now)
    themes = await _themes_of(uow, draft, found)
    for area_id in draft.area_ids:
        if await uow.areas.get(area_id) is None:
            found.append(Problem("areas", N_("no area with id {id}"), {"id": area_id}))
    if found:
        raise InvalidBallot(found)
    return Ballot(
        question={locale: text.strip() for locale, text in draft.question.items() if text.strip()},
        method=draft.method.value, max_choices=draft.max_choices, area_ids=list(draft.area_ids),
        resident_types=list(draft.resident_types), opens_at=draft.opens_at, closes_at=draft.closes_at,
        visibility=draft.visibility.value, created_by=actor_telegram_id, created_at=now,
        options=[
            BallotOption(position=number, theme_id=option.theme_id,
                         labels=_labels(option, themes.get(option.theme_id)))
            for number, option in enumerate(draft.options, 1)
        ],
    )


async def _themes_of(uow: UnitOfWork, draft: BallotDraft, found: list[Problem]) -> dict[int, Proposal]:
    themes = {}
    for number, option in enumerate(draft.options, 1):
        if option.theme_id is None:
            continue
        theme = await uow.proposals.get(option.theme_id)
        if theme is None or not is_public(theme):
            found.append(Problem(f"option {number}", N_("no public theme with id {id}"), {"id": option.theme_id}))
        else:
            themes[theme.id] = theme
    return themes


def _labels(option: OptionDraft, theme: Proposal | None) -> dict[str, str]:
    labels = {locale: text.strip() for locale, text in option.labels.items() if text.strip()}
    if theme is not None and not labels:
        labels = {locale: theme.title for locale in LOCALES}
    return labels


def eligibility(ballot: Ballot) -> Audience:
    return Audience(tuple(ballot.area_ids), tuple(ballot.resident_types))


def phase_of(ballot: Ballot, now: datetime) -> Phase:
    return phase(ballot.opens_at, ballot.closes_at, ballot.closed_at, now)


def may_vote(ballot: Ballot, resident: Resident) -> bool:
    return eligibility(ballot).includes(resident.area_id, resident.resident_type)


def results_shown(ballot: Ballot, now: datetime) -> bool:
    """Residents see the results once it has closed, or while open when it shows live results."""
    return ballot.visibility == Visibility.LIVE or phase_of(ballot, now) == Phase.CLOSED


async def ballot(uow: UnitOfWork, ballot_id: int) -> Ballot:
    found = await uow.ballots.get(ballot_id)
    if found is None:
        raise NotFound("no such ballot")
    return found


async def choices_of(uow: UnitOfWork, chosen: Ballot, resident: Resident) -> dict[int, int]:
    """The resident's votes in this ballot: option id → slot."""
    return await uow.ballots.choices(chosen.id, resident.id)


async def areas_by_id(uow: UnitOfWork) -> dict[int, Area]:
    """Every area by id, to name those in eligibility and breakdowns (a city has tens of them)."""
    return {area.id: area for area in await uow.areas.listing()}


async def open_for(uow: UnitOfWork, resident: Resident, now: datetime) -> list[Ballot]:
    """The open ballots this resident may vote in, closing soonest first."""
    return [found for found in await uow.ballots.open_at(now) if may_vote(found, resident)]


async def vote(uow: UnitOfWork, resident: Resident, ballot_id: int, option_id: int, now: datetime) -> dict[int, int]:
    """Choose an option (single choice: instead of the earlier one; approval: on or off).

    Returns the resident's choices afterwards (option id → slot).
    """
    chosen = await ballot(uow, ballot_id)
    option = await uow.ballots.option(chosen.id, option_id)
    if option is None:
        raise NotFound("not an option of this ballot")
    current = phase_of(chosen, now)
    if current == Phase.UPCOMING:
        raise NotYetOpen("not open yet")
    if current == Phase.CLOSED:
        raise BallotClosed("closed")
    if not may_vote(chosen, resident):
        raise NotEligible("not for this resident")
    choices = await uow.ballots.choices(chosen.id, resident.id)
    if chosen.method == Method.SINGLE:
        if option.id in choices:
            return choices
        await uow.ballots.cast(chosen, resident, option.id, 1, now)
    elif option.id in choices:
        await _withdraw(uow, chosen, resident, option.id, choices)
    else:
        free = [slot for slot in range(1, chosen.max_choices + 1) if slot not in choices.values()]
        if not free:
            raise TooManyChoices(chosen.max_choices)
        await uow.ballots.cast(chosen, resident, option.id, free[0], now)
    # The same tap twice at once (from another process) is refused by the database: it counts once.
    await uow.commit_unless_duplicate()
    return await uow.ballots.choices(chosen.id, resident.id)


async def _withdraw(uow: UnitOfWork, chosen: Ballot, resident: Resident, option_id: int,
                    choices: dict[int, int]) -> None:
    """Take a choice back; the last choice moves into slot 1 if that was freed, so every voter's
    votes start at slot 1 and counting voters needs no DISTINCT."""
    freed = choices.pop(option_id)
    await uow.ballots.withdraw(chosen.id, resident.id, option_id)
    if freed == 1 and choices:
        await uow.ballots.move_slot(chosen.id, resident.id, max(choices.values()), 1)


async def results(uow: UnitOfWork, chosen: Ballot, viewer: Resident | None, now: datetime) -> Results:
    """What a resident may see: after closing, or while open when the ballot shows live results.

    Staff (viewer None) always may. A closed ballot shows what it was counted at when it closed.
    """
    if chosen.outcome is not None:
        return Results.from_json(chosen.outcome)
    if viewer is not None and not results_shown(chosen, now):
        raise NotFound("results not shown before closing")
    return await count(uow, chosen)


def subject(chosen: Ballot) -> str:
    return f"ballot:{chosen.id}"


# --- opening and closing (the scheduler) --------------------------------------------------------

async def announce_due(uow: UnitOfWork, notices: Notices, now: datetime) -> list[int]:
    """Announce every ballot whose opening time has come, exactly once each, to who may vote."""
    announced = []
    for ballot_id in await uow.ballots.due_to_open(now):
        if not await uow.ballots.mark(ballot_id, "announced_at", announced_at=now):
            continue  # another process announced it
        chosen = await ballot(uow, ballot_id)
        await outbox.enqueue(uow, eligibility(chosen), notices.ballot_announcement(chosen),
                             kind="ballot", subject=subject(chosen), created_by=chosen.created_by,
                             now=now, priority=Priority.BULK)
        await uow.commit()
        announced.append(ballot_id)
    return announced


async def close_due(uow: UnitOfWork, notices: Notices, now: datetime) -> list[int]:
    """Close every ballot whose time is up, exactly once each (also after a restart).

    The result is counted and kept with the ballot, goes to the voters and the followers of the
    options' themes, and a clear winner's theme moves to the forum stage with the result as the
    note. A tie or a ballot nobody voted in moves nothing; staff decide a tie.
    """
    closed = []
    for ballot_id in await uow.ballots.due_to_close(now):
        chosen = await ballot(uow, ballot_id)
        counted = await count(uow, chosen)
        winner = counted.outcome.winner
        if not await uow.ballots.mark(ballot_id, "closed_at", closed_at=now, outcome=counted.as_json(),
                                      decided_option_id=winner):
            await uow.rollback()
            continue  # another process closed it
        await uow.session.refresh(chosen)
        await _announce_result(uow, chosen, counted, notices, now)
        if winner is not None:
            await _move_winner(uow, chosen, winner, counted, notices, now)
        await uow.commit()
        closed.append(ballot_id)
    return closed


async def _announce_result(uow: UnitOfWork, chosen: Ballot, counted: Results, notices: Notices,
                           now: datetime) -> None:
    recipients = set(await uow.ballots.voter_ids(chosen.id))
    for option in chosen.options:
        if option.theme_id is not None:
            recipients.update(await uow.themes.follower_ids(option.theme_id))
    if recipients:
        notice = notices.ballot_results(chosen, counted, await areas_by_id(uow))
        await outbox.enqueue(uow, sorted(recipients), notice,
                             kind="ballot_results", subject=subject(chosen), now=now, priority=Priority.BULK)
    to_staff = notices.ballot_staff_closed(chosen, counted)
    if to_staff is not None and notices.staff_chat is not None:
        await outbox.enqueue(uow, [notices.staff_chat], to_staff, kind="ballot_closed",
                             subject=subject(chosen), now=now)


async def _move_winner(uow: UnitOfWork, chosen: Ballot, option_id: int, counted: Results,
                       notices: Notices, now: datetime) -> None:
    """The winning option's theme moves to the forum stage, if it is on the path before it."""
    option = next(o for o in chosen.options if o.id == option_id)
    if option.theme_id is None:
        return
    theme = await uow.proposals.lock(option.theme_id)
    if theme is None or not is_public(theme) or theme.status not in (Status.INITIATIVE, Status.PREPARATION):
        return
    if not await uow.proposals.transition(theme, status=Status.FORUM, status_changed_at=now):
        return
    entry = await uow.themes.add_entry(theme.id, Status.FORUM, notices.theme_won(chosen, counted),
                                       chosen.created_by, now)
    await uow.proposals.log(theme.id, None, "status", Status.FORUM.value, now)
    followers = await uow.themes.follower_ids(theme.id)
    if followers:
        await outbox.enqueue(uow, list(followers), notices.status_changed(theme, entry),
                             kind="theme_status", subject=subject_of(theme), now=now)


async def decide_tie(uow: UnitOfWork, actor_telegram_id: int, ballot_id: int, option_id: int,
                     notices: Notices, now: datetime) -> Ballot:
    """Staff choose among the tied leaders of a closed ballot; the theme moves as for a winner."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    chosen = await ballot(uow, ballot_id)
    if chosen.outcome is None:
        raise NotYetOpen("not closed yet")
    counted = Results.from_json(chosen.outcome)
    if option_id not in counted.outcome.leaders or not counted.outcome.tied:
        raise NotFound("not one of the tied options")
    if not await uow.ballots.mark(chosen.id, "decided_option_id", decided_option_id=option_id):
        raise NotFound("decided already")
    await uow.session.refresh(chosen)
    await _move_winner(uow, chosen, option_id, counted, notices, now)
    await uow.commit()
    return chosen


# --- staff tools in the bot ------------------------------------------------------------------------

THEME_STAGES = (Status.INITIATIVE, Status.PREPARATION)  # where a theme may still be voted forward


async def recent(uow: UnitOfWork, actor_telegram_id: int, offset: int, limit: int) -> Sequence[Ballot]:
    """Ballots for staff, the latest closing first."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    return await uow.ballots.recent(limit, offset)


async def candidate_themes(uow: UnitOfWork, actor_telegram_id: int, offset: int,
                           limit: int) -> tuple[Sequence[Proposal], int]:
    """Public themes in initiative or preparation (newest first) a ballot may offer, and how many."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    rows = await uow.proposals.page(THEME_STAGES, ALL_AREAS, False, offset, limit)
    return [theme for theme, _supporters in rows], await uow.proposals.count(THEME_STAGES, ALL_AREAS)
