"""The demo city of `foorumi demo`: seeded through the services, idempotent, alive in the bot."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from foorumi import demo, demo_surveys
from domain import Role
from bot.services import staff
from sandbox.state import PERSONAS_FILE
from storage.db import create_engine, create_session_factory
from storage.models import Base
from storage.uow import UnitOfWork
from tests.e2e.conftest import Persona, labels, running_bot, with_demo_city

pytestmark = pytest.mark.asyncio


async def row_counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return {
                table.name: await connection.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
            }
    finally:
        await engine.dispose()


async def test_seeding_again_changes_nothing(demo_database_url):
    seeded = await row_counts(demo_database_url)
    await with_demo_city(demo_database_url)

    assert await row_counts(demo_database_url) == seeded
    assert seeded["areas"] == 21
    suggested = sum(1 for answers in demo_surveys.ANSWERS.values() if answers[-1])  # the survey's last question
    assert seeded["proposals"] == len(demo.PROPOSALS) + suggested
    assert seeded["survey_responses"] == len(demo_surveys.ANSWERS)
    assert seeded["proposal_supports"] == sum(len(proposal.supporters) for proposal in demo.PROPOSALS)
    assert seeded["ballots"] == len(demo.BALLOTS)
    assert seeded["votes"] == sum(len(ballot.votes) for ballot in demo.BALLOTS)


async def test_grace_is_an_admin_and_the_personas_are_the_sandboxs(demo_database_url):
    engine = create_engine(demo_database_url)
    try:
        async with UnitOfWork(create_session_factory(engine)) as uow:
            assert await staff.roles_of(uow, demo.GRACE.telegram_id) == {Role.ADMIN}
        async with UnitOfWork(create_session_factory(engine)) as uow:
            lena = await uow.residents.by_telegram_id(demo.LENA.telegram_id)
            assert lena.locale == "fi"  # her Telegram speaks German: the city's default language
    finally:
        await engine.dispose()
    personas = {user["id"]: user for user in json.loads(PERSONAS_FILE.read_text())["users"]}
    assert {personas[person.telegram_id]["first_name"] for person in demo.RESIDENTS} == {
        "Grace", "Sven", "Pentti", "Lena"
    }


async def test_residents_and_staff_find_the_demo_content_in_the_bot(demo_database_url, people):
    async with running_bot(demo_database_url, staff_chat_id=demo.STAFF_GROUP_ID) as running:
        listing = await Persona(running.client, people.aino).send("/proposals")
        # one card per proposal waiting: Sven's, and the theme suggested in the demo's survey
        queue = await reply_where(running.client, people.grace, "/moderation",
                                  lambda message: "Sophämtning" in message.get("text", ""))

    # Newest first, each with its own number (seeded in order: the first proposal is #1).
    public = [(number, proposal.title)
              for number, proposal in reversed(list(enumerate(demo.PROPOSALS, start=1)))
              if proposal.steps]
    assert [row[0] for row in labels(listing)[: len(public)]] == [
        f"#{number} {title}" for number, title in public
    ]
    assert "Sophämtning vid fritidshusen även i september" in queue["text"]
    assert labels(queue) == [["✅ Approve", "✖️ Reject", "🔗 Merge"]]


async def test_a_newcomer_can_vote_in_the_open_ballot_and_grace_sees_the_closed_ones_results(
    demo_database_url, people
):
    async with running_bot(demo_database_url, staff_chat_id=demo.STAFF_GROUP_ID) as running:
        votes = await Persona(running.client, people.aino).send("/vote")
        # Grace's chat also gets the demo's notices; the listing is the reply that lists ballots.
        sent = await running.client.send_text(people.grace, "/ballots")
        listed = await running.client.wait_for_event(
            people.grace, sent["seq"],
            lambda event: event["type"] == "message" and "Votes, the latest first" in str(event["message"])
            and "When should the spring" in str(event["message"]))
    [[opened]] = labels(votes)
    assert opened.startswith("Mikä teema otetaan seuraavan foorumin")
    assert listed["message"]["from_bot"]


def button_data(message: dict, prefix: str) -> str | None:
    """The callback data of the message's button for this purpose (labels are in the reader's language)."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    found = [button["callback_data"] for row in rows for button in row
             if button["callback_data"].startswith(prefix)]
    return found[0] if found else None


async def reply_where(client, user_id: int, text: str, match) -> dict:
    """Send a text; the bot's first message after it that matches (the demo's notices arrive too)."""
    sent = await client.send_text(user_id, text)
    event = await client.wait_for_event(
        user_id, sent["seq"], lambda event: event["type"] == "message" and match(event["message"]))
    return event["message"]


def with_button(prefix: str):
    return lambda message: button_data(message, prefix)


async def test_forums_in_the_demo_rsvp_a_calendar_file_and_a_live_question(demo_database_url, people):
    live, upcoming = 2, 3  # seeded in the order of demo_forums.FORUMS, the one held first
    async with running_bot(demo_database_url, staff_chat_id=demo.STAFF_GROUP_ID) as running:
        client = running.client
        listing = await Persona(client, people.aino).send("/forums")
        page = await reply_where(client, people.aino, f"/f{upcoming}", with_button("fr:"))
        pressed = await client.press(people.aino, page["message_id"], f"fr:{upcoming}:in_person")
        calendar = await client.wait_for_event(
            people.aino, pressed["seq"], lambda event: event["type"] == "message" and "document" in event["message"])

        forum = await reply_where(client, people.sven, f"/f{live}", with_button("fq:"))
        await client.press(people.sven, forum["message_id"], button_data(forum, "fq:"))
        await reply_where(client, people.sven, "Finns det plats för byns körövningar?",
                          lambda message: "moderator" in message.get("text", ""))
        sent = await client.send_text(people.grace, "/next", chat_id=demo.STAFF_GROUP_ID)
        host = await client.wait_for_event(
            demo.STAFF_GROUP_ID, sent["seq"],
            lambda event: event["type"] == "message" and "käsityöluokan" in str(event["message"]))
        # the archive (its buttons open each summary), not the summary itself that reached Pentti
        summaries = await reply_where(client, people.pentti, "/summaries", lambda message: (
            "Kesätorin penkit" in message.get("text", "") and button_data(message, "")))

    # the one happening now first, then the one to come; the one held three days ago is over
    happening, coming = (row[0] for row in labels(listing)[:2])
    assert "Haukivuoren koulu iltaisin" in happening and "Kirjaston kesäaukioloajat" in coming
    assert calendar["message"]["document"]["file_name"] == f"foorumi-{upcoming}.ics"
    # Lena's approved question goes to the host; Sven's waits for a moderator and is not shown
    assert "Finns det plats" not in host["message"]["text"]
    assert "Kesätorin penkit" in summaries["text"]


async def test_sven_answers_the_demo_survey_in_swedish_and_grace_sees_the_results(demo_database_url, people):
    async with running_bot(demo_database_url, staff_chat_id=demo.STAFF_GROUP_ID) as running:
        client = running.client
        page = await reply_where(client, people.sven, "/s1", with_button("svo:1:1"))
        pressed = await client.press(people.sven, page["message_id"], "svo:1:1")
        first = await client.wait_for_edit(people.sven, page["message_id"], pressed["seq"])
        pressed = await client.press(people.sven, first["message_id"], "sq:1:1:a:4")
        second = await client.wait_for_edit(people.sven, first["message_id"], pressed["seq"])
        surveys = await reply_where(client, people.sven, "/surveys", with_button("svo:1:1"))
        # (Grace's chat also gets the demo's notices and cards: the listing is the reply naming the survey)
        results = await reply_where(client, people.grace, "/surveyresults",
                                    lambda message: "Feedback on the summer market square forum" in str(message))

    assert "Hur lyckades forumet som helhet?" in first["text"]
    assert "2/6" in second["text"] and "Hur troligt" in second["text"]
    assert "(2/6)" in str(surveys)  # to continue where he left off
    assert results["from_bot"] and labels(results)
