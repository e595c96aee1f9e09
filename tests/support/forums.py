"""Shared pieces of the forum tests: residents, a theme on its path, and a forum on it.

Times are fixed instants (never the machine's clock): a forum on Tuesday 4 August 2026 at 18.00
in Mikkeli (15.00 UTC), created a week before.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import load_settings
from bot.i18n import create_i18n
from bot.notices import Notices
from bot.services import forums, moderation, proposals, staff
from bot.services import residents as residents_service
from bot.services.forums import ForumDraft
from bot.services.proposals import Draft
from domain import ForumAudience, Role
from storage.models import Resident
from storage.uow import UnitOfWorkFactory

STARTS = datetime(2026, 8, 4, 15, 0, tzinfo=UTC)  # ti 4.8. klo 18.00 in Europe/Helsinki
ENDS = STARTS + timedelta(hours=2)
CREATED = STARTS - timedelta(days=7)
EDITOR = 777
MODERATOR = 778
NOTICES = Notices(create_i18n("fi"), load_settings(_env_file=None))


async def people(uow_factory: UnitOfWorkFactory, count: int, resident_type: str = "permanent",
                 area_id: int | None = None, first: int = 5000, locale: str = "fi") -> list[Resident]:
    async with uow_factory() as uow:
        made = []
        for n in range(count):
            resident = await residents_service.greet(uow, first + n, locale, CREATED)
            resident.resident_type, resident.area_id = resident_type, area_id
            resident.locale, resident.locale_confirmed = locale, True
            made.append(resident)
        await uow.commit()
        return made


async def theme(uow_factory: UnitOfWorkFactory, title: str = "Kirjaston aukioloajat") -> int:
    """An approved theme on its path, proposed by a resident of its own."""
    async with uow_factory() as uow:
        author = await residents_service.greet(uow, 9000 + len(title), "fi", CREATED)
        await staff.grant(uow, MODERATOR, Role.MODERATOR, None)
        proposal = await proposals.submit(uow, author, Draft(title, "Kirjasto on auki liian harvoin."), 3,
                                          NOTICES, CREATED)
        await moderation.approve(uow, MODERATOR, proposal.id, NOTICES, CREATED)
        return proposal.id


def draft(theme_id: int, **changes: object) -> ForumDraft:
    made = ForumDraft(
        theme_id=theme_id,
        title={"fi": "Kirjaston tulevaisuus", "sv": "Bibliotekets framtid", "en": "The library's future"},
        description={"fi": "Keskustellaan aukioloajoista.", "sv": "Vi diskuterar öppettiderna.",
                     "en": "Let's talk about opening hours."},
        starts_at=STARTS, ends_at=ENDS, place="Mikkelin pääkirjasto, Raatihuoneenkatu 6",
        latitude=61.6886, longitude=27.2723, remote_url="https://meet.example.fi/kirjasto",
        audience=ForumAudience.EVERYONE,
    )
    for name, value in changes.items():
        setattr(made, name, value)
    return made


async def new_forum(uow_factory: UnitOfWorkFactory, theme_id: int | None = None, **changes: object) -> int:
    """A forum created (and its invitation queued) by an editor a week before it starts."""
    theme_id = theme_id if theme_id is not None else await theme(uow_factory)
    async with uow_factory() as uow:
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
        return (await forums.create(uow, EDITOR, draft(theme_id, **changes), NOTICES, CREATED)).id


# --- live questions and summaries (appended) ----------------------------------------------------

DURING = STARTS + timedelta(minutes=30)  # the forum is live
AFTER = ENDS + timedelta(hours=18)  # ke 5.8. klo 14.00: the summary is written


async def rsvp(uow_factory: UnitOfWorkFactory, forum_id: int, residents: list[Resident],
               attendance: str = "remote") -> None:
    """RSVPs stored directly (with the resident group and area they had then)."""
    from storage.models import Rsvp

    async with uow_factory() as uow:
        for resident in residents:
            uow.session.add(Rsvp(forum_id=forum_id, resident_id=resident.id, attendance=attendance,
                                 resident_type=resident.resident_type, area_id=resident.area_id,
                                 responded_at=CREATED))
        await uow.commit()


STAFF_GROUP = -100500  # the staff group of handler tests run with {"staff_chat_id": STAFF_GROUP}


def in_group(update: dict, chat_id: int = STAFF_GROUP) -> dict:
    """A private chat's update (a message or a button pressed) moved to the staff group."""
    message = update["message"] if "message" in update else update["callback_query"]["message"]
    message["chat"] = {"id": chat_id, "type": "supergroup", "title": "Foorumi staff"}
    return update


async def resident_of(uow_factory: UnitOfWorkFactory, telegram_id: int, locale: str = "fi",
                      resident_type: str = "holiday") -> Resident:
    """The resident behind a test person, with their language and resident group set."""
    async with uow_factory() as uow:
        resident = await residents_service.greet(uow, telegram_id, locale, CREATED)
        resident.locale, resident.locale_confirmed, resident.resident_type = locale, True, resident_type
        await uow.commit()
        return resident
