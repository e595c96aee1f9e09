"""The demo city of `foorumi demo`: seeded through the services, idempotent, alive in the bot."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from foorumi import demo
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
    assert seeded["proposals"] == len(demo.PROPOSALS)
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
        queue = await Persona(running.client, people.grace).send("/moderation")

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
