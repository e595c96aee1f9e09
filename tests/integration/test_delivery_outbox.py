"""The outbox on SQLite and PostgreSQL: filling, sending, outcomes, crash recovery, the lease."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sqlalchemy.exc import IntegrityError

from bot.outbox.sender import LEASE
from bot.services import broadcasts, outbox
from domain import Audience, Chat, Notice, Priority
from storage.models import Area, Broadcast, Delivery, Resident
from storage.repositories.outbox import LeaseResult
from tests.support.clock import MIDDAY, NIGHT, FakeClock
from tests.support.delivery import ZONE, ScriptedTelegram, add_residents, make_sender, paced_bot

TEXTS = {"fi": "Hei kaikki", "sv": "Hej alla"}


async def enqueue(uow_factory, clock, recipients=Audience(), texts=TEXTS, **options) -> int:
    async with uow_factory() as uow:
        broadcast_id = await outbox.enqueue(uow, recipients, Notice(texts), kind="broadcast",
                                            now=clock.now(), priority=Priority.BULK, **options)
        await uow.commit()
    return broadcast_id


async def broadcast(uow_factory, broadcast_id) -> Broadcast:
    async with uow_factory() as uow:
        return await uow.outbox.get(broadcast_id)


async def statuses(uow_factory, broadcast_id) -> dict[str, int]:
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(Delivery.status, func.count()).where(Delivery.broadcast_id == broadcast_id)
            .group_by(Delivery.status))
        return dict(rows.all())


@pytest.fixture
def clock():
    """Midday, when the residents' default quiet hours (21–08) hold nothing back: these tests
    are about sending; the quiet-hours tests set their own night."""
    return FakeClock(MIDDAY)


@pytest.fixture
def telegram():
    return ScriptedTelegram()


@pytest.fixture
def sender(uow_factory, clock, telegram):
    return make_sender(paced_bot(telegram, clock), uow_factory, clock)


async def test_enqueue_does_not_commit_so_the_callers_transaction_decides(uow_factory, clock):
    await add_residents(uow_factory, 3)
    async with uow_factory() as uow:
        await outbox.enqueue(uow, Audience(), Notice(TEXTS), kind="theme_update", now=clock.now())
        await uow.rollback()
    async with uow_factory() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_the_audience_selects_areas_types_and_languages(uow_factory, clock):
    async with uow_factory() as uow:
        uow.session.add_all([Area(id=1, code="a", kind="village", name_fi="Anttola", name_sv="Anttola",
                                  name_en="Anttola"),
                             Area(id=2, code="r", kind="village", name_fi="Ristiina", name_sv="Kristina",
                                  name_en="Ristiina")])
        await uow.commit()
    await add_residents(uow_factory, 4, 100, area_id=1, resident_type="holiday")
    await add_residents(uow_factory, 3, 200, area_id=1, resident_type="permanent", locale="sv")
    await add_residents(uow_factory, 2, 300, area_id=2, resident_type="holiday")
    await add_residents(uow_factory, 5, 400)
    blocked = await add_residents(uow_factory, 1, 500, area_id=1, resident_type="holiday")
    async with uow_factory() as uow:
        await uow.outbox.mark_blocked(blocked, clock.now())
        await uow.commit()
        count = uow.outbox.count_audience
        assert await count(Audience()) == 14
        assert await count(Audience(area_ids=(1,))) == 7
        assert await count(Audience(resident_types=("holiday",))) == 6
        assert await count(Audience(area_ids=(1,), resident_types=("holiday",))) == 4
        assert await count(Audience(area_ids=(1, 2), resident_types=("holiday",))) == 6
        assert await count(Audience(locales=("sv",))) == 3
    broadcast_id = await enqueue(uow_factory, clock, Audience(area_ids=(1,), resident_types=("holiday",)))
    assert (await broadcast(uow_factory, broadcast_id)).total == 4


async def test_every_recipient_gets_the_message_once_in_their_language(uow_factory, clock, telegram, sender):
    await add_residents(uow_factory, 25, 100)
    await add_residents(uow_factory, 10, 200, locale="sv")
    await add_residents(uow_factory, 5, 300, locale="en")
    broadcast_id = await enqueue(uow_factory, clock)
    assert await sender.deliver_due() == 40
    assert sorted(sent.chat_id for sent in telegram.sent) == (
        list(range(100, 125)) + list(range(200, 210)) + list(range(300, 305)))
    assert telegram.to(100)[0].text == "Hei kaikki"
    assert telegram.to(200)[0].text == "Hej alla"
    assert telegram.to(300)[0].text.startswith("<i>ℹ️ This message is not available in English")
    done = await broadcast(uow_factory, broadcast_id)
    assert (done.status, done.sent, done.remaining) == ("done", 40, 0)
    assert await statuses(uow_factory, broadcast_id) == {"sent": 40}


async def test_explicit_residents_skip_those_who_blocked_the_bot(uow_factory, clock, telegram, sender):
    ids = await add_residents(uow_factory, 4, 100)
    async with uow_factory() as uow:
        await uow.outbox.mark_blocked(ids[:1], clock.now())
        await uow.commit()
    broadcast_id = await enqueue(uow_factory, clock, [*ids, ids[1]])  # a repeated id counts once
    await sender.deliver_due()
    assert sorted(sent.chat_id for sent in telegram.sent) == [101, 102, 103]
    assert (await broadcast(uow_factory, broadcast_id)).total == 3


async def test_403_blocks_the_resident_and_nothing_more_is_sent_until_they_return(
    uow_factory, clock, telegram, sender
):
    await add_residents(uow_factory, 3, 100)
    telegram.blocked.add(101)
    first = await enqueue(uow_factory, clock)
    await sender.deliver_due()
    assert (await broadcast(uow_factory, first)).blocked == 1
    second = await enqueue(uow_factory, clock)
    await sender.deliver_due()
    assert [sent.chat_id for sent in telegram.sent].count(101) == 0
    assert (await broadcast(uow_factory, second)).total == 2

    async with uow_factory() as uow:
        resident = await uow.residents.by_telegram_id(101)
        await outbox.resident_returned(uow, resident)
    telegram.blocked.clear()
    await enqueue(uow_factory, clock)
    await sender.deliver_due()
    assert len(telegram.to(101)) == 1


async def test_chat_not_found_fails_that_row_only(uow_factory, clock, telegram, sender):
    await add_residents(uow_factory, 3, 100)
    telegram.missing.add(102)
    broadcast_id = await enqueue(uow_factory, clock)
    await sender.deliver_due()
    done = await broadcast(uow_factory, broadcast_id)
    assert (done.status, done.sent, done.failed) == ("done", 2, 1)


async def test_non_urgent_messages_wait_for_quiet_hours_to_end(uow_factory, telegram):
    night = FakeClock(NIGHT)  # 23:30 in Mikkeli
    sender = make_sender(paced_bot(telegram, night), uow_factory, night)
    await add_residents(uow_factory, 2, 100)  # default quiet hours 21-08
    await add_residents(uow_factory, 1, 200, quiet_from=0, quiet_until=0)  # none
    normal = await enqueue(uow_factory, night)
    urgent = await enqueue(uow_factory, night, texts={"fi": "Vesikatko!"}, urgent=True)
    await sender.deliver_due()
    assert sorted((s.chat_id, s.text) for s in telegram.sent) == [
        (100, "Vesikatko!"), (101, "Vesikatko!"), (200, "Hei kaikki"), (200, "Vesikatko!")]
    assert (await broadcast(uow_factory, urgent)).status == "done"
    assert (await broadcast(uow_factory, normal)).status == "sending"

    night.advance(timedelta(hours=8, minutes=29).total_seconds())  # 07:59
    assert await sender.deliver_due() == 0
    night.advance(60)  # 08:00
    await sender.deliver_due()
    assert (await broadcast(uow_factory, normal)).status == "done"
    assert len(telegram.sent) == 6


async def test_a_scheduled_broadcast_waits_for_its_time_and_can_be_cancelled(
    uow_factory, clock, telegram, sender
):
    await add_residents(uow_factory, 3, 100)
    later = await enqueue(uow_factory, clock, send_at=clock.now() + timedelta(hours=1))
    cancelled = await enqueue(uow_factory, clock, send_at=clock.now() + timedelta(hours=1))
    assert await sender.deliver_due() == 0
    async with uow_factory() as uow:
        await broadcasts.cancel(uow, None, cancelled, clock.now())
    clock.advance(3600)
    await sender.deliver_due()
    assert len(telegram.sent) == 3
    assert (await broadcast(uow_factory, later)).status == "done"
    gone = await broadcast(uow_factory, cancelled)
    assert (gone.status, gone.cancelled, gone.remaining) == ("cancelled", 3, 0)


async def test_after_a_crash_only_the_rows_in_flight_are_sent_again(uow_factory, clock, telegram):
    await add_residents(uow_factory, 50, 100)
    broadcast_id = await enqueue(uow_factory, clock)
    crashed = make_sender(paced_bot(telegram, clock), uow_factory, clock, window=10, holder="crashed")
    claims, _ = await crashed._claim(10)  # marked `sending`; the process dies during these sends
    for row, content in claims[:4]:
        await crashed._send(row, content)  # four went out, their outcomes were never recorded
    assert await statuses(uow_factory, broadcast_id) == {"pending": 40, "sending": 10}

    restarted = make_sender(paced_bot(telegram, clock), uow_factory, clock, holder="restarted")
    assert await restarted.deliver_due() == 0  # the crashed holder's lease has not run out yet
    clock.advance(10)
    assert await restarted.deliver_due() == 50
    per_chat = [len(telegram.to(chat)) for chat in range(100, 150)]
    assert per_chat.count(1) == 46 and per_chat.count(2) == 4  # duplicates only from the in-flight window
    assert (await broadcast(uow_factory, broadcast_id)).status == "done"


async def test_only_one_sender_holds_the_lease(uow_factory, clock):
    now = clock.now()
    async with uow_factory() as uow:
        hold = uow.outbox.hold_lease
        assert await hold(LEASE, "a", now, now + timedelta(seconds=10)) is LeaseResult.ACQUIRED
        assert await hold(LEASE, "b", now, now + timedelta(seconds=10)) is LeaseResult.LOST
        assert await hold(LEASE, "a", now, now + timedelta(seconds=10)) is LeaseResult.RENEWED
        later = now + timedelta(seconds=11)
        assert await hold(LEASE, "b", later, later + timedelta(seconds=10)) is LeaseResult.ACQUIRED
        assert await hold(LEASE, "a", later, later + timedelta(seconds=10)) is LeaseResult.LOST
        await uow.commit()


async def test_two_broadcasts_share_the_sender_fairly(uow_factory, clock, telegram, sender):
    await add_residents(uow_factory, 40, 100)
    big = await enqueue(uow_factory, clock)
    await add_residents(uow_factory, 2, 900)
    async with uow_factory() as uow:
        small_ids = list(await uow.session.scalars(select(Resident.id).where(Resident.telegram_id >= 900)))
    small = await enqueue(uow_factory, clock, small_ids, texts={"fi": "Ehdotuksesi hyväksyttiin"})
    await sender.deliver_due()
    order = [sent.text for sent in telegram.sent]
    assert order.index("Ehdotuksesi hyväksyttiin") < 15  # not behind the whole big broadcast
    assert (await broadcast(uow_factory, big)).status == (await broadcast(uow_factory, small)).status == "done"


async def test_a_notice_goes_before_a_running_broadcast(uow_factory, clock, telegram, sender):
    await add_residents(uow_factory, 40, 100)
    await enqueue(uow_factory, clock)
    await add_residents(uow_factory, 2, 900)
    async with uow_factory() as uow:
        authors = list(await uow.session.scalars(select(Resident.id).where(Resident.telegram_id >= 900)))
        await outbox.enqueue(uow, authors, Notice({"fi": "Ehdotuksesi hyväksyttiin"}),
                             kind="proposal_outcome", now=clock.now())
        await uow.commit()
    await sender.deliver_due()
    assert [sent.chat_id for sent in telegram.sent[:2]] == [900, 901]


async def test_a_chat_that_is_no_resident_gets_the_message_in_its_language(uow_factory, clock, telegram,
                                                                             sender):
    staff_group = Chat(-1001000000001, "sv")
    async with uow_factory() as uow:
        card = await outbox.enqueue(uow, [staff_group], Notice(TEXTS), kind="moderation_card",
                                    subject="proposal:1", now=clock.now())
        await uow.commit()
    await sender.deliver_due()
    assert [(sent.chat_id, sent.text) for sent in telegram.sent] == [(-1001000000001, "Hej alla")]
    assert (await broadcast(uow_factory, card)).sent == 1


async def test_copies_not_yet_sent_can_be_cancelled_by_subject(uow_factory, clock, telegram, sender):
    async with uow_factory() as uow:
        card = await outbox.enqueue(uow, [Chat(-100500, "fi")], Notice(TEXTS), kind="moderation_card",
                                    subject="proposal:7", now=clock.now())
        other = await outbox.enqueue(uow, [Chat(-100500, "fi")], Notice(TEXTS), kind="moderation_card",
                                     subject="proposal:8", now=clock.now())
        await uow.outbox.cancel_unsent("moderation_card", "proposal:7", clock.now())
        await uow.commit()
    await sender.deliver_due()
    assert (await broadcast(uow_factory, card)).status == "cancelled"
    assert (await broadcast(uow_factory, other)).sent == 1
    assert len(telegram.sent) == 1


async def test_the_database_refuses_a_row_for_no_one_or_for_two(uow_factory, clock):
    [resident_id] = await add_residents(uow_factory, 1)
    broadcast_id = await enqueue(uow_factory, clock, [Chat(-100500, "fi")])
    for recipient in ({"resident_id": None, "chat_id": None}, {"resident_id": resident_id, "chat_id": -1}):
        async with uow_factory() as uow:
            uow.session.add(Delivery(broadcast_id=broadcast_id, status="pending", not_before=clock.now(),
                                     **recipient))
            with pytest.raises(IntegrityError):
                await uow.commit()


async def test_turning_quiet_hours_off_releases_what_they_held(uow_factory, telegram):
    night = FakeClock(NIGHT)  # 23:30 in Mikkeli
    sender = make_sender(paced_bot(telegram, night), uow_factory, night)
    [sleeper] = await add_residents(uow_factory, 1, 100)  # default quiet hours 21-08
    held = await enqueue(uow_factory, night)
    await sender.deliver_due()
    async with uow_factory() as uow:
        assert await outbox.held_back(uow, held, night.now()) == outbox.Held(
            1, datetime(2026, 6, 16, 5, 0, tzinfo=UTC))  # 08:00 in Mikkeli
        resident = await uow.session.get(Resident, sleeper)
        await outbox.set_quiet_hours(uow, resident, 0, 0, night.now())
    await sender.deliver_due()
    assert [sent.chat_id for sent in telegram.sent] == [100]
    assert (await broadcast(uow_factory, held)).status == "done"


async def test_new_quiet_hours_hold_again_what_the_old_ones_held(uow_factory, telegram):
    night = FakeClock(NIGHT)  # 23:30 in Mikkeli
    sender = make_sender(paced_bot(telegram, night), uow_factory, night)
    [sleeper] = await add_residents(uow_factory, 1, 100)  # 21-08
    held = await enqueue(uow_factory, night)
    await sender.deliver_due()
    async with uow_factory() as uow:
        await outbox.set_quiet_hours(uow, await uow.session.get(Resident, sleeper), 20, 9, night.now())
    await sender.deliver_due()
    assert telegram.sent == []
    async with uow_factory() as uow:
        assert await outbox.held_back(uow, held, night.now()) == outbox.Held(
            1, datetime(2026, 6, 16, 6, 0, tzinfo=UTC))  # 09:00 in Mikkeli


async def test_a_scheduled_message_keeps_its_time_when_quiet_hours_change(uow_factory, clock):
    [resident_id] = await add_residents(uow_factory, 1, 100)
    later = clock.now() + timedelta(hours=3)
    scheduled = await enqueue(uow_factory, clock, [resident_id], send_at=later)
    async with uow_factory() as uow:
        await outbox.set_quiet_hours(uow, await uow.session.get(Resident, resident_id), 0, 0, clock.now())
        assert await outbox.held_back(uow, scheduled, clock.now()) == outbox.Held(1, later)


async def test_how_many_of_an_audience_are_in_their_quiet_hours_now(uow_factory):
    await add_residents(uow_factory, 2, 100)  # 21-08
    await add_residents(uow_factory, 1, 200, quiet_from=23, quiet_until=9)
    await add_residents(uow_factory, 3, 300, quiet_from=0, quiet_until=0)
    async with uow_factory() as uow:
        at_2230 = datetime(2026, 6, 15, 19, 30, tzinfo=UTC)
        assert await outbox.held_now(uow, Audience(), at_2230, ZONE) == outbox.Held(
            2, datetime(2026, 6, 16, 5, 0, tzinfo=UTC))  # only 21-08 is running, until 08:00
        at_0100 = datetime(2026, 6, 15, 22, 0, tzinfo=UTC)
        assert await outbox.held_now(uow, Audience(), at_0100, ZONE) == outbox.Held(
            3, datetime(2026, 6, 16, 6, 0, tzinfo=UTC))  # 23-09 too, until 09
        at_noon = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
        assert await outbox.held_now(uow, Audience(), at_noon, ZONE) == outbox.Held(0, None)


async def test_every_sent_copy_is_edited_except_the_one_pressed(uow_factory, clock, telegram, sender):
    group, moderator = Chat(-1001000000001, "fi"), Chat(5001, "sv")
    async with uow_factory() as uow:
        await outbox.enqueue(uow, [group, moderator], Notice(TEXTS), kind="moderation_card",
                             subject="proposal:3", now=clock.now())
        await uow.commit()
    await sender.deliver_due()
    async with uow_factory() as uow:
        copies = {copy.shown_in: copy.message_id
                  for copy in await uow.outbox.sent_copies("moderation_card", "proposal:3")}
        assert set(copies) == {group.chat_id, moderator.chat_id}
        edited = await outbox.edit_copies(
            uow, "moderation_card", "proposal:3", Notice({"fi": "Päätetty", "sv": "Avgjort"}),
            now=clock.now(), except_message=(moderator.chat_id, copies[moderator.chat_id]))
        await uow.commit()
    assert edited == 1
    await sender.deliver_due()
    assert [(s.method, s.chat_id, s.text) for s in telegram.sent[2:]] == [
        ("EditMessageText", group.chat_id, "Päätetty")]
