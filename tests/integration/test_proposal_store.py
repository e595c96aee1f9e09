"""Proposals on SQLite and PostgreSQL: one support each, milestones once, decisions once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.config import load_settings
from domain import NotFound, Role
from bot.i18n import create_i18n
from bot.services import moderation, proposals, staff, themes
from bot.services import residents as residents_service
from bot.notices import Notices
from bot.services.proposals import Draft
from domain import ALL_AREAS, Status
from storage.models import Broadcast, ModerationAction, Support

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
MODERATOR = 777
NOTICES = Notices(create_i18n("fi"), load_settings(_env_file=None))


async def residents(uow_factory, count: int) -> list:
    async with uow_factory() as uow:
        return [await residents_service.greet(uow, 5000 + n, "fi", NOW) for n in range(count)]


async def public_proposal(uow_factory, author) -> int:
    async with uow_factory() as uow:
        await staff.grant(uow, MODERATOR, Role.MODERATOR, None)
        proposal = await proposals.submit(
            uow,
            author,
            Draft("Kyläkoulun tilat iltakäyttöön", "Koulun sali kyläläisille iltaisin."),
            3,
            NOTICES,
            NOW,
        )
        await moderation.approve(uow, MODERATOR, proposal.id, NOTICES, NOW)
        return proposal.id


async def test_concurrent_supports_count_each_resident_once(uow_factory):
    author, *people = await residents(uow_factory, 13)
    proposal_id = await public_proposal(uow_factory, author)

    async def support(resident):
        async with uow_factory() as uow:
            await proposals.support(uow, resident, proposal_id, [], NOTICES, NOW)

    # Everyone at once, and the same resident tapping five times at once.
    await asyncio.gather(*(support(r) for r in people), *(support(people[1]) for _ in range(5)))
    async with uow_factory() as uow:
        assert await uow.proposals.supporters(proposal_id) == 12


async def test_the_database_refuses_a_second_support_row(uow_factory):
    [resident] = await residents(uow_factory, 1)
    proposal_id = await public_proposal(uow_factory, resident)
    async with uow_factory() as uow:
        uow.session.add_all(
            [Support(proposal_id=proposal_id, resident_id=resident.id, created_at=NOW)]
        )
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            uow.session.add(
                Support(proposal_id=proposal_id, resident_id=resident.id, created_at=NOW)
            )
            await uow.commit()


async def test_a_milestone_is_announced_once_even_when_passed_concurrently(uow_factory):
    author, *people = await residents(uow_factory, 9)
    proposal_id = await public_proposal(uow_factory, author)

    async def support(resident):
        async with uow_factory() as uow:
            await proposals.support(uow, resident, proposal_id, [3], NOTICES, NOW)

    results = await asyncio.gather(*(support(r) for r in people), return_exceptions=True)
    assert not [r for r in results if isinstance(r, Exception) and not _is_busy(r)]
    async with uow_factory() as uow:
        kinds = (
            await uow.session.scalars(
                select(Broadcast.kind).where(Broadcast.kind == "proposal_milestone")
            )
        ).all()
        assert kinds == ["proposal_milestone"]


async def test_two_moderators_deciding_at_once_decide_once(uow_factory):
    [author] = await residents(uow_factory, 1)
    async with uow_factory() as uow:
        await staff.grant(uow, MODERATOR, Role.MODERATOR, None)
        await staff.grant(uow, MODERATOR + 1, Role.MODERATOR, None)
        proposal = await proposals.submit(
            uow, author, Draft("Kirjaston aukioloajat", "Sunnuntaisin."), 3, NOTICES, NOW
        )

    async def approve(actor):
        async with uow_factory() as uow:
            await moderation.approve(uow, actor, proposal.id, NOTICES, NOW)

    async def reject(actor):
        async with uow_factory() as uow:
            await moderation.reject(uow, actor, proposal.id, "unclear", NOTICES, NOW)

    results = await asyncio.gather(
        approve(MODERATOR), reject(MODERATOR + 1), return_exceptions=True
    )
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and (isinstance(failures[0], NotFound) or _is_busy(failures[0]))
    async with uow_factory() as uow:
        actions = await uow.session.scalar(select(func.count()).select_from(ModerationAction))
        assert actions == 1


async def test_follow_twice_is_one_follower_and_unfollow_is_harmless(uow_factory):
    [resident, other] = await residents(uow_factory, 2)
    proposal_id = await public_proposal(uow_factory, other)
    async with uow_factory() as uow:
        await asyncio.gather(themes.follow(uow, resident, proposal_id, NOW))
        await themes.follow(uow, resident, proposal_id, NOW)
        assert set(await uow.themes.follower_ids(proposal_id)) == {resident.id, other.id}
        await themes.unfollow(uow, resident, proposal_id)
        await themes.unfollow(uow, resident, proposal_id)
        assert set(await uow.themes.follower_ids(proposal_id)) == {other.id}


async def test_status_moves_are_timelined_and_logged(uow_factory):
    [author] = await residents(uow_factory, 1)
    proposal_id = await public_proposal(uow_factory, author)
    async with uow_factory() as uow:
        await themes.move(
            uow,
            MODERATOR,
            proposal_id,
            Status.PREPARATION,
            {"fi": "Valmistelu alkaa.", "sv": "Beredningen börjar."},
            NOTICES,
            NOW,
        )
        with pytest.raises(NotFound):
            await themes.move(uow, MODERATOR, proposal_id, Status.PREPARATION, {}, NOTICES, NOW)
    async with uow_factory() as uow:
        entries = await uow.themes.timeline(proposal_id)
        assert [(e.status, e.note_fi, e.note_sv, e.note_en) for e in entries] == [
            ("initiative", None, None, None),
            ("preparation", "Valmistelu alkaa.", "Beredningen börjar.", None),
        ]
        log = [
            (a.actor_telegram_id, a.action, a.reason)
            for a in await uow.proposals.actions(proposal_id)
        ]
        assert log == [(MODERATOR, "initiative", None), (MODERATOR, "status", "preparation")]


def _is_busy(error: BaseException) -> bool:
    """SQLite may refuse a second writer ('database is locked'): then nothing is written."""
    return "database is locked" in str(error)


async def test_one_draft_becomes_one_proposal(uow_factory):
    [author] = await residents(uow_factory, 1)
    draft = Draft("Uimarantojen huolto", "Kyläyhdistykset hoitavat rantoja.", key="3f2c9a")
    async with uow_factory() as uow:
        await proposals.submit(uow, author, draft, 3, NOTICES, NOW)
        with pytest.raises(proposals.AlreadySent):
            await proposals.submit(uow, author, draft, 3, NOTICES, NOW)
    async with uow_factory() as uow:
        assert await uow.proposals.count((Status.PENDING,), ALL_AREAS) == 1
