"""Theme votes on SQLite and PostgreSQL: who may vote, one ballot each, closing exactly once."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.config import load_settings
from bot.i18n import create_i18n
from bot.notices import Notices
from bot.scheduler import Clockwork
from bot.services import ballot_counts, ballot_turnout, ballots, moderation, proposals, staff
from bot.services import residents as residents_service
from bot.services.ballot_counts import Results
from bot.services.ballots import BallotDraft, OptionDraft
from bot.services.proposals import Draft
from domain import Method, NotFound, PermissionDenied, Role, Status, Visibility
from storage.models import Broadcast, Delivery, TimelineEntry, Vote
from tests.support.clock import FakeClock

OPENS = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(days=7)
EDITOR = 777
NOTICES = Notices(create_i18n("fi"), load_settings(_env_file=None))
ROUND = ("Kirjasto", "Tori", "Satama")


async def people(uow_factory, count: int, resident_type: str = "permanent", area_id: int | None = None,
                 first: int = 5000) -> list:
    async with uow_factory() as uow:
        made = []
        for n in range(count):
            resident = await residents_service.greet(uow, first + n, "fi", OPENS)
            resident.resident_type, resident.area_id = resident_type, area_id
            made.append(resident)
        await uow.commit()
        return made


async def new_ballot(uow_factory, labels=ROUND, **changes) -> int:
    draft = BallotDraft(
        question={"fi": "Mistä seuraava foorumi?", "sv": "Vad ska nästa forum handla om?"},
        options=[OptionDraft({"fi": label}) for label in labels], opens_at=OPENS, closes_at=CLOSES,
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    async with uow_factory() as uow:
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
        return (await ballots.create(uow, EDITOR, draft, OPENS - timedelta(hours=1))).id


async def option_ids(uow_factory, ballot_id: int) -> list[int]:
    async with uow_factory() as uow:
        return [option.id for option in (await ballots.ballot(uow, ballot_id)).options]


async def vote(uow_factory, resident, ballot_id: int, option_id: int, now: datetime = OPENS) -> dict[int, int]:
    async with uow_factory() as uow:
        return await ballots.vote(uow, resident, ballot_id, option_id, now)


async def stored_votes(uow_factory, ballot_id: int) -> int:
    async with uow_factory() as uow:
        return await uow.session.scalar(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot_id))


async def test_a_vote_can_be_changed_and_stays_one(uow_factory):
    [aino] = await people(uow_factory, 1)
    ballot_id = await new_ballot(uow_factory)
    first, second, _ = await option_ids(uow_factory, ballot_id)
    assert await vote(uow_factory, aino, ballot_id, first) == {first: 1}
    assert await vote(uow_factory, aino, ballot_id, second) == {second: 1}
    assert await stored_votes(uow_factory, ballot_id) == 1


async def test_approval_allows_up_to_k_choices_and_the_store_refuses_more(uow_factory):
    [aino] = await people(uow_factory, 1)
    ballot_id = await new_ballot(uow_factory, method=Method.APPROVAL, max_choices=2)
    first, second, third = await option_ids(uow_factory, ballot_id)
    await vote(uow_factory, aino, ballot_id, first)
    assert await vote(uow_factory, aino, ballot_id, second) == {first: 1, second: 2}
    with pytest.raises(ballots.TooManyChoices):
        await vote(uow_factory, aino, ballot_id, third)
    # Tapped again: off, and the remaining choice moves to the first slot (voters are counted there).
    assert await vote(uow_factory, aino, ballot_id, first) == {second: 1}
    assert await vote(uow_factory, aino, ballot_id, third) == {second: 1, third: 2}
    async with uow_factory() as uow:
        counted = await ballot_counts.count(uow, await ballots.ballot(uow, ballot_id))
    assert (counted.outcome.voters, [c.votes for c in counted.outcome.counts]) == (1, [0, 1, 1])
    async with uow_factory() as uow:  # past the code, the database itself holds K
        uow.session.add(Vote(ballot_id=ballot_id, resident_id=aino.id, slot=3, option_id=first,
                             max_choices=2, cast_at=OPENS))
        with pytest.raises(IntegrityError):
            await uow.commit()
    async with uow_factory() as uow:  # nor can a vote claim a larger K than its ballot's
        uow.session.add(Vote(ballot_id=ballot_id, resident_id=aino.id, slot=3, option_id=first,
                             max_choices=3, cast_at=OPENS))
        with pytest.raises(IntegrityError):
            await uow.commit()


@pytest.mark.parametrize(("when", "refusal"), [
    (OPENS - timedelta(minutes=1), ballots.NotYetOpen), (CLOSES, ballots.BallotClosed),
])
async def test_no_vote_before_opening_or_after_closing(uow_factory, when, refusal):
    [aino] = await people(uow_factory, 1)
    ballot_id = await new_ballot(uow_factory)
    first, *_ = await option_ids(uow_factory, ballot_id)
    with pytest.raises(refusal):
        await vote(uow_factory, aino, ballot_id, first, when)
    assert await stored_votes(uow_factory, ballot_id) == 0


async def test_only_the_areas_and_groups_named_may_vote(uow_factory):
    async with uow_factory() as uow:
        await uow.areas.upsert("haukivuori", "village", {"fi": "Haukivuori", "sv": "Haukivuori", "en": "Haukivuori"}, 1)
        area_id = (await uow.areas.listing())[0].id
        await uow.commit()
    [villager] = await people(uow_factory, 1, "holiday", area_id)
    [townie] = await people(uow_factory, 1, "holiday", None, first=6000)
    [neighbour] = await people(uow_factory, 1, "permanent", area_id, first=7000)
    ballot_id = await new_ballot(uow_factory, area_ids=(area_id,), resident_types=("holiday",))
    first, *_ = await option_ids(uow_factory, ballot_id)
    await vote(uow_factory, villager, ballot_id, first)
    for outsider in (townie, neighbour):
        with pytest.raises(ballots.NotEligible):
            await vote(uow_factory, outsider, ballot_id, first)
    assert await stored_votes(uow_factory, ballot_id) == 1


async def test_forged_choices_change_nothing(uow_factory):
    [aino] = await people(uow_factory, 1)
    ballot_id = await new_ballot(uow_factory)
    other_ballot = await new_ballot(uow_factory)
    foreign, *_ = await option_ids(uow_factory, other_ballot)
    for forged_ballot, forged_option in ((ballot_id, foreign), (999_999, foreign), (ballot_id, 999_999)):
        with pytest.raises(NotFound):
            await vote(uow_factory, aino, forged_ballot, forged_option)
    assert await stored_votes(uow_factory, ballot_id) == await stored_votes(uow_factory, other_ballot) == 0


async def test_only_editors_create_ballots(uow_factory):
    draft = BallotDraft({"fi": "Kysymys"}, [OptionDraft({"fi": "A"}), OptionDraft({"fi": "B"})], OPENS, CLOSES)
    async with uow_factory() as uow:
        with pytest.raises(PermissionDenied):
            await ballots.create(uow, 4242, draft, OPENS)
        with pytest.raises(PermissionDenied):
            await ballot_turnout.turnout(uow, 4242, 1)


def test_a_draft_is_checked_before_it_becomes_a_ballot():
    draft = BallotDraft({"de": "Frage"}, [OptionDraft({"fi": "A"})], CLOSES, OPENS, Method.SINGLE, 2)
    assert [str(problem) for problem in ballots.problems_of(draft, OPENS)] == [
        "question: give it in at least one of fi, sv, en",
        "options: 2–12 options, not 1",
        "max_choices: a single-choice ballot has exactly 1",
        "closes: must be after it opens",
        "closes: must be in the future",
    ]


async def test_many_voters_at_once_are_counted_exactly(uow_factory):
    crowd = await people(uow_factory, 30)
    ballot_id = await new_ballot(uow_factory)
    first, second, _ = await option_ids(uow_factory, ballot_id)
    taps = [vote(uow_factory, resident, ballot_id, first if n % 3 else second)
            for n, resident in enumerate(crowd)]
    taps += [vote(uow_factory, crowd[0], ballot_id, second) for _ in range(4)]  # one tapping again and again
    await asyncio.gather(*taps)
    async with uow_factory() as uow:
        counted = await ballot_counts.count(uow, await ballots.ballot(uow, ballot_id))
    assert [(c.option_id, c.votes) for c in counted.outcome.counts][:2] == [(first, 20), (second, 10)]
    assert counted.outcome.voters == 30


async def test_breakdowns_hide_small_groups_and_the_one_that_would_give_them_away(uow_factory):
    holiday = await people(uow_factory, 3, "holiday")
    permanent = await people(uow_factory, 6, "permanent", first=6000)
    works = await people(uow_factory, 8, "works", first=7000)
    ballot_id = await new_ballot(uow_factory)
    first, second, third = await option_ids(uow_factory, ballot_id)
    for resident in holiday + permanent + works:
        await vote(uow_factory, resident, ballot_id, first if resident in works else second)
    async with uow_factory() as uow:
        counted = await ballot_counts.count(uow, await ballots.ballot(uow, ballot_id))
    by_type = counted.breakdowns[0]
    assert by_type.by == "resident_type"
    # holiday (3) is too small; permanent (6), the next smallest, is hidden too, or 17 − 8 − ... gives it away
    assert (by_type.shown, by_type.hidden) == ({"works": {first: 8}}, 2)
    assert [(c.option_id, c.votes) for c in counted.outcome.counts] == [(first, 8), (second, 9), (third, 0)]
    assert counted.outcome.winner == second


async def test_turnout_by_group_and_a_reminder_to_exactly_those_who_have_not_voted(uow_factory):
    holiday = await people(uow_factory, 10, "holiday")
    permanent = await people(uow_factory, 4, "permanent", first=6000)
    ballot_id = await new_ballot(uow_factory)
    first, *_ = await option_ids(uow_factory, ballot_id)
    for resident in holiday[:2] + permanent[:3]:
        await vote(uow_factory, resident, ballot_id, first)
    async with uow_factory() as uow:
        turnout = await ballot_turnout.turnout(uow, EDITOR, ballot_id)
        assert (turnout.voted, turnout.eligible) == (5, 14)
        lowest = turnout.groups[0]
        assert (lowest.by, lowest.group, lowest.voted, lowest.eligible) == ("resident_type", "holiday", 2, 10)
        reached = await ballot_turnout.remind_non_voters(uow, EDITOR, ballot_id, [("resident_type", "holiday")],
                                                  NOTICES, OPENS + timedelta(hours=1))
        assert reached == 8
        recipients = (await uow.session.scalars(select(Delivery.resident_id).join(Broadcast).where(
            Broadcast.kind == "ballot_reminder"))).all()
    assert sorted(recipients) == sorted(r.id for r in holiday[2:])


async def test_a_ballot_closes_once_even_when_processes_close_it_at_once(uow_factory):
    voters = await people(uow_factory, 3)
    ballot_id = await new_ballot(uow_factory)
    first, second, _ = await option_ids(uow_factory, ballot_id)
    for resident, option in zip(voters, (first, first, second)):
        await vote(uow_factory, resident, ballot_id, option)
    after = FakeClock(CLOSES + timedelta(seconds=5))  # e.g. the first tick after a restart

    async def close_due() -> list[int]:  # as the clock of a process holding the lease would
        async with uow_factory() as uow:
            return await ballots.close_due(uow, NOTICES, after.now())

    assert sorted(await asyncio.gather(*(close_due() for _ in range(3)))) == [[], [], [ballot_id]]
    async with uow_factory() as uow:
        closed = await ballots.ballot(uow, ballot_id)
        assert (closed.closed_at, closed.decided_option_id) == (after.now(), first)
        assert Results.from_json(closed.outcome).outcome.voters == 3
        sent = (await uow.session.scalars(select(Broadcast).where(Broadcast.kind == "ballot_results"))).all()
        assert [broadcast.total for broadcast in sent] == [3]


async def test_announced_once_when_it_opens_to_who_may_vote(uow_factory):
    await people(uow_factory, 4, "holiday")
    await people(uow_factory, 2, "permanent", first=6000)
    ballot_id = await new_ballot(uow_factory, resident_types=("holiday",))
    clock = FakeClock(OPENS - timedelta(seconds=1))
    clockwork = Clockwork(uow_factory, clock, NOTICES, NOTICES.settings.zone)
    assert (await clockwork.tick()).announced == []
    clock.advance(1)
    assert (await clockwork.tick()).announced == [ballot_id]
    assert (await clockwork.tick()).announced == []
    async with uow_factory() as uow:
        [announcement] = (await uow.session.scalars(select(Broadcast).where(Broadcast.kind == "ballot"))).all()
    assert announcement.total == 4


async def themes_on_path(uow_factory, count: int) -> list[int]:
    [author] = await people(uow_factory, 1, first=9000)
    async with uow_factory() as uow:
        await staff.grant(uow, EDITOR, Role.MODERATOR, None)
        ids = []
        for n in range(count):
            proposal = await proposals.submit(uow, author, Draft(f"Teema {n}", "Kuvaus."), 3, NOTICES, OPENS)
            await moderation.approve(uow, EDITOR, proposal.id, NOTICES, OPENS)
            ids.append(proposal.id)
        return ids


async def test_the_winning_theme_moves_to_the_forum_stage_and_a_tie_waits_for_staff(uow_factory):
    winner_theme, other_theme = await themes_on_path(uow_factory, 2)
    voters = await people(uow_factory, 4)
    options = [OptionDraft(theme_id=winner_theme), OptionDraft(theme_id=other_theme)]
    clear = await new_ballot(uow_factory, labels=(), options=options)
    tied = await new_ballot(uow_factory, labels=(), options=options)
    empty = await new_ballot(uow_factory)
    clear_options, tied_options = await option_ids(uow_factory, clear), await option_ids(uow_factory, tied)
    for n, resident in enumerate(voters):
        await vote(uow_factory, resident, clear, clear_options[0 if n else 1])
        await vote(uow_factory, resident, tied, tied_options[n % 2])
    await Clockwork(uow_factory, FakeClock(CLOSES), NOTICES, NOTICES.settings.zone).tick()
    async with uow_factory() as uow:
        assert (await uow.proposals.get(winner_theme)).status == Status.FORUM
        [entry] = (await uow.session.scalars(select(TimelineEntry).where(
            TimelineEntry.proposal_id == winner_theme, TimelineEntry.status == Status.FORUM))).all()
        assert entry.note_fi
        assert (await uow.proposals.get(other_theme)).status == Status.INITIATIVE
        tie = Results.from_json((await ballots.ballot(uow, tied)).outcome).outcome
        assert (tie.tied, tie.winner) == (True, None)
        nobody = Results.from_json((await ballots.ballot(uow, empty)).outcome).outcome
        assert (nobody.voters, nobody.leaders) == (0, ())
        with pytest.raises(NotFound):
            await ballots.decide_tie(uow, EDITOR, tied, clear_options[0], NOTICES, CLOSES)
        decided = await ballots.decide_tie(uow, EDITOR, tied, tied_options[1], NOTICES, CLOSES)
        assert decided.decided_option_id == tied_options[1]
    async with uow_factory() as uow:
        assert (await uow.proposals.get(other_theme)).status == Status.FORUM


async def test_live_results_only_when_the_ballot_shows_them(uow_factory):
    [aino] = await people(uow_factory, 1)
    hidden = await new_ballot(uow_factory)
    live = await new_ballot(uow_factory, visibility=Visibility.LIVE)
    async with uow_factory() as uow:
        with pytest.raises(NotFound):
            await ballots.results(uow, await ballots.ballot(uow, hidden), aino, OPENS)
        assert (await ballots.results(uow, await ballots.ballot(uow, live), aino, OPENS)).outcome.voters == 0
        assert (await ballots.results(uow, await ballots.ballot(uow, hidden), aino, CLOSES)).outcome.voters == 0
