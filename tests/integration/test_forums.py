"""Forums in the store: a draft checked, a forum created and its invitation queued to its audience."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import forums
from domain import ForumAudience, ForumPhase, NotFound, PermissionDenied
from storage.models import Broadcast, Delivery
from tests.support.forums import CREATED, ENDS, NOTICES, STARTS, draft, new_forum, people, theme


async def test_a_forum_is_created_and_invites_its_audience(uow_factory):
    await people(uow_factory, 3)
    forum_id = await new_forum(uow_factory)
    async with uow_factory() as uow:
        forum = await forums.forum(uow, forum_id)
        assert forum.reminders == [1440, 60]
        assert forums.phase_of(forum, STARTS - timedelta(minutes=1)) == ForumPhase.UPCOMING
        assert forums.phase_of(forum, STARTS) == ForumPhase.LIVE
        assert forums.phase_of(forum, ENDS) == ForumPhase.PAST
        invitation = await uow.session.scalar(select(Broadcast).where(Broadcast.kind == "forum"))
        assert invitation.subject == f"forum:{forum_id}"
        assert "ti 4.8. klo 18.00" in invitation.texts["fi"]
        assert [label for label, _ in invitation.buttons["sv"][0]] == ["🙋 På plats", "💻 På distans"]
        # the three residents and the theme's author
        assert invitation.total == 4


async def test_a_theme_forum_invites_its_followers_and_supporters_only(uow_factory):
    theme_id = await theme(uow_factory)
    follower, supporter, _bystander = await people(uow_factory, 3)
    async with uow_factory() as uow:
        await uow.themes.follow(theme_id, follower.id, CREATED)
        await uow.proposals.add_support(theme_id, supporter.id, CREATED)
        await uow.commit()
    await new_forum(uow_factory, theme_id, audience=ForumAudience.THEME)
    async with uow_factory() as uow:
        reached = set((await uow.session.scalars(
            select(Delivery.resident_id).join(Broadcast).where(Broadcast.kind == "forum"))).all())
    assert {follower.id, supporter.id} <= reached and _bystander.id not in reached


async def test_a_draft_is_checked_before_it_becomes_a_forum(uow_factory):
    theme_id = await theme(uow_factory)
    bad = draft(theme_id, title={"de": "Forum"}, ends_at=STARTS, starts_at=STARTS, remote_url="ftp://x",
                capacity=0, reminders=(60, 60), latitude=61.0, longitude=None,
                audience=ForumAudience.AREAS)
    assert [str(problem) for problem in forums.problems_of(bad, STARTS + timedelta(days=1))] == [
        "title: give it in at least one of fi, sv, en",
        "location: give both latitude and longitude, or neither",
        "remote_url: a web address starting with https://",
        "capacity: at least 1, or none for no limit",
        "ends: must be after it starts",
        "starts: must be in the future",
        "reminders: at most 4 different times, each 5–20160 minutes before",
        "audience: choose at least one area",
    ]
    async with uow_factory() as uow:
        with pytest.raises(PermissionDenied):
            await forums.create(uow, 4242, draft(theme_id), NOTICES, CREATED)
        with pytest.raises(NotFound):
            await forums.forum(uow, 999)


async def test_attendance_figures_hide_small_groups(uow_factory):
    from bot.services import forum_attendance
    from storage.models import Rsvp

    forum_id = await new_forum(uow_factory)
    residents = (await people(uow_factory, 6, "permanent", first=6000) + await people(uow_factory, 5, "holiday", first=6100)
                 + await people(uow_factory, 2, "works", first=6200))
    async with uow_factory() as uow:
        for n, resident in enumerate(residents):
            uow.session.add(Rsvp(forum_id=forum_id, resident_id=resident.id,
                                 attendance="remote" if n % 3 == 0 else "in_person",
                                 resident_type=resident.resident_type, responded_at=CREATED))
        await uow.commit()
        figures = await forum_attendance.figures(uow, await forums.forum(uow, forum_id))
    assert (figures.in_person, figures.remote, figures.total) == (8, 5, 13)
    # "works" (2) is too small, and hiding it alone would give it away: holiday (5) goes too
    assert figures.by_group == {"permanent": (4, 2)} and figures.hidden == 7
    assert forum_attendance.Figures.from_json(figures.as_json()) == figures
