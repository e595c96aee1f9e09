"""Shared pieces of the handler tests (proposals, moderation, the theme path, settings): staff
and languages, updates carrying a photo, a location or a document, walking through /propose, and
reading back what the store and the outbox hold. The fixtures (`city`) are in
tests/handlers/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.services import residents, staff
from domain import Role
from foorumi.app import App
from storage.models import Broadcast, Delivery, Proposal, Resident
from tests.support import updates
from tests.support.harness import BotHarness
from tests.support.updates import Person

SAMPLE_AREAS = Path(__file__).resolve().parents[2] / "deploy" / "areas" / "mikkeli.yaml"
TITLE = "Fler bänkar vid torget"
DESCRIPTION = (
    "Det finns för få sittplatser på torget, särskilt för äldre på sommarens marknadsdagar."
)


async def make_moderator(app: App, person: Person, locale: str) -> None:
    async with app.uow_factory() as uow:
        await staff.grant(uow, person.id, Role.MODERATOR, None)
        resident = await residents.greet(uow, person.id, locale, app.clock.now())
        await residents.choose_language(uow, resident, locale)


async def set_language(app: App, person: Person, locale: str) -> None:
    async with app.uow_factory() as uow:
        resident = await residents.greet(uow, person.id, locale, app.clock.now())
        await residents.choose_language(uow, resident, locale)


def photo(person: Person) -> dict:
    update = updates.message(person, "")
    del update["message"]["text"]
    update["message"]["photo"] = [
        {"file_id": "small-1", "file_unique_id": "p1", "width": 90, "height": 90},
        {"file_id": "large-1", "file_unique_id": "p2", "width": 1280, "height": 960},
    ]
    return update


def location(person: Person, latitude: float = 61.6886, longitude: float = 27.2723) -> dict:
    update = updates.message(person, "")
    del update["message"]["text"]
    update["message"]["location"] = {"latitude": latitude, "longitude": longitude}
    return update


def document(person: Person) -> dict:
    update = updates.message(person, "")
    del update["message"]["text"]
    update["message"]["document"] = {
        "file_id": "doc-1",
        "file_unique_id": "d1",
        "file_name": "idea.pdf",
    }
    return update


async def propose(
    harness: BotHarness,
    person: Person,
    title: str = TITLE,
    description: str = DESCRIPTION,
    area: str = "pda:0",
    send: bool = True,
) -> list:
    """Walk through /propose (whole city, no photo, no location); the calls of the last step."""
    await harness.say(person, "/propose")
    await harness.say(person, title)
    await harness.say(person, description)
    await harness.press(person, area)
    await harness.press(person, "pds:photo")
    calls = await harness.press(person, "pds:location")
    if send:
        calls = await harness.press(person, "pd:send")
    return calls


async def latest_proposal(app: App) -> Proposal:
    async with app.uow_factory() as uow:
        proposal = await uow.session.scalar(select(Proposal).order_by(Proposal.id.desc()))
        assert proposal is not None
        return proposal


async def resident_of(app: App, person: Person) -> Resident:
    async with app.uow_factory() as uow:
        resident = await uow.residents.by_telegram_id(person.id)
        assert resident is not None
        return resident


async def resident_id(app: App, person: Person) -> int:
    return (await resident_of(app, person)).id


async def notifications(app: App, kind: str) -> list[tuple[dict[str, str], set[int]]]:
    """The outbox: (texts per locale, Telegram ids of recipients) of each message of this kind."""
    async with app.uow_factory() as uow:
        broadcasts = (
            await uow.session.scalars(
                select(Broadcast).where(Broadcast.kind == kind).order_by(Broadcast.id)
            )
        ).all()
        result = []
        for broadcast in broadcasts:
            recipients = await uow.session.scalars(
                select(Resident.telegram_id)
                .join(Delivery, Delivery.resident_id == Resident.id)
                .where(Delivery.broadcast_id == broadcast.id)
            )
            result.append((broadcast.texts, set(recipients.all())))
        return result


async def approve(harness: BotHarness, moderator: Person, proposal_id: int) -> list:
    return await harness.press(moderator, f"md:ok:{proposal_id}:0:")
