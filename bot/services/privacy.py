"""A resident's privacy rights: everything stored about them (/mydata), and erasing it (/delete).

TABLES states for every table of the store whether /mydata shows the resident's rows of it and
what /delete does with them (tests/integration/test_privacy.py fails on a table without a
decision, and checks each). Erasing keeps what others' counts and results are made of – supports,
votes, survey responses, attendance – but unlinked: the resident's row becomes a tombstone that
leads back to no one, and what they wrote that was never public is deleted.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.logs import pseudonym
from bot.services import forum_questions, forum_rsvp, surveys
from bot.services.proposals import subject_of
from domain import PATH
from storage.models import Resident
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class Erasure(StrEnum):
    TOMBSTONE = "tombstone"  # the resident's own row: emptied, kept so that counts including them hold
    DELETE = "delete"  # their rows are deleted
    DELETE_UNLESS_PUBLIC = "delete unless public"  # deleted, or kept without its author when public record
    KEEP_ANONYMOUS = "keep anonymous"  # kept for counts and records, linked to the tombstone or to no one
    NOT_PERSONAL = "not personal"  # holds nothing about a person


@dataclass(frozen=True)
class Decision:
    exported: bool  # /mydata has a section of the resident's rows
    erasure: Erasure


TABLES: dict[str, Decision] = {
    "areas": Decision(False, Erasure.NOT_PERSONAL),
    "residents": Decision(True, Erasure.TOMBSTONE),
    "staff_roles": Decision(True, Erasure.DELETE),  # and who granted others': the tombstone
    "processed_updates": Decision(False, Erasure.NOT_PERSONAL),  # update ids only
    "conversation_states": Decision(True, Erasure.DELETE),
    "proposals": Decision(True, Erasure.DELETE_UNLESS_PUBLIC),  # a theme's path is public record
    "proposal_supports": Decision(True, Erasure.KEEP_ANONYMOUS),  # support counts hold
    "proposal_reports": Decision(True, Erasure.KEEP_ANONYMOUS),  # what hid a proposal holds
    "theme_followers": Decision(True, Erasure.DELETE),
    "theme_timeline": Decision(False, Erasure.KEEP_ANONYMOUS),  # the staff member who moved a theme
    "moderation_actions": Decision(False, Erasure.KEEP_ANONYMOUS),  # the moderator: id replaced, name gone
    "ballots": Decision(False, Erasure.KEEP_ANONYMOUS),  # who made it
    "ballot_options": Decision(False, Erasure.NOT_PERSONAL),
    "votes": Decision(True, Erasure.KEEP_ANONYMOUS),  # tallies hold
    "broadcasts": Decision(False, Erasure.KEEP_ANONYMOUS),  # who sent it; those quoting deleted texts go
    "deliveries": Decision(True, Erasure.KEEP_ANONYMOUS),  # pending ones cancelled, totals hold
    "sender_leases": Decision(False, Erasure.NOT_PERSONAL),
    "forums": Decision(False, Erasure.KEEP_ANONYMOUS),  # who made it
    "forum_rsvps": Decision(True, Erasure.KEEP_ANONYMOUS),  # attendance holds; upcoming: not coming
    "forum_reminders": Decision(True, Erasure.DELETE),
    "forum_questions": Decision(True, Erasure.DELETE),  # and who decided others': the tombstone
    "forum_summaries": Decision(False, Erasure.KEEP_ANONYMOUS),  # who published it
    "surveys": Decision(False, Erasure.KEEP_ANONYMOUS),  # who made it
    "survey_questions": Decision(False, Erasure.NOT_PERSONAL),
    "survey_participants": Decision(True, Erasure.KEEP_ANONYMOUS),  # how far people got holds
    "survey_responses": Decision(True, Erasure.KEEP_ANONYMOUS),  # response counts hold
    "survey_answers": Decision(True, Erasure.KEEP_ANONYMOUS),  # results hold, with their unlinked response
}
EXPORTED = tuple(sorted(table for table, decision in TABLES.items() if decision.exported))
FILE_NAME = "foorumi-my-data.json"


@dataclass(frozen=True)
class MyData:
    """The resident's rows of every exported table."""

    tables: dict[str, list[dict[str, Any]]]
    exported_at: datetime

    def count(self, table: str) -> int:
        return len(self.tables[table])

    @property
    def ballots(self) -> int:
        return len({vote["ballot_id"] for vote in self.tables["votes"]})

    @property
    def anonymous_surveys(self) -> int:
        """Anonymous surveys they answered: known by the key that refuses a second response, the
        answers themselves stored with nothing that leads back to them."""
        return sum(1 for row in self.tables["survey_participants"] if row["survey_anonymous"] and row["finished"])

    def as_json(self, zone: ZoneInfo) -> bytes:
        """UTF-8 JSON with sorted keys, times in ISO 8601 in the city's time zone."""
        document = {"exported_at": self.exported_at, "time_zone": zone.key, "tables": self.tables}
        return json.dumps(_in_zone(document, zone), ensure_ascii=False, indent=2, sort_keys=True).encode()


def _in_zone(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    if isinstance(value, dict):
        return {key: _in_zone(item, zone) for key, item in value.items()}
    if isinstance(value, list):
        return [_in_zone(item, zone) for item in value]
    return value


async def my_data(uow: UnitOfWork, resident: Resident, survey_secret: bytes, now: datetime) -> MyData:
    """Everything stored about the resident, table by table; writes nothing."""
    keys = [surveys.participant_key(survey_secret, survey_id, resident.id)
            for survey_id in await uow.personal_data.survey_ids()]
    found = await uow.personal_data.sections(resident.id, resident.telegram_id, keys)
    return MyData({table: found[table] for table in EXPORTED}, now)


async def erase(uow: UnitOfWork, resident: Resident, notices: forum_rsvp.Notices, default_locale: str,
                now: datetime) -> Counter[str]:
    """Erase the resident's personal data as TABLES says, in one transaction; commits. Returns what
    was done, table by table (for the log).

    Clear the update's conversation (FSMContext.clear) before: its step is written at commit, and
    the resident's conversations are forgotten after that.
    """
    telegram_id, tombstone_id = resident.telegram_id, -resident.id
    data = uow.personal_data
    done: Counter[str] = Counter()
    for forum_id in await data.upcoming_answers(resident.id, now):
        await forum_rsvp.withdraw(uow, resident, forum_id, notices, now)
        done["forum_rsvps withdrawn"] += 1
    unpublished = await data.proposals_off_the_path(resident.id, PATH)
    questions = await data.questions_of(resident.id)
    done["broadcasts"] = await data.delete_broadcasts_about(
        [subject_of(proposal) for proposal in unpublished] + [forum_questions.subject(q) for q in questions])
    done["proposals"] = await data.delete_proposals([proposal.id for proposal in unpublished])
    done["proposals unlinked"] = await data.unlink_proposals(resident.id)
    done["forum_questions"] = await data.delete_questions([question.id for question in questions])
    done["theme_followers"] = await data.delete_follows(resident.id)
    done["forum_reminders"] = await data.delete_reminders(resident.id)
    done["deliveries cancelled"] = await data.cancel_deliveries(resident.id, telegram_id, tombstone_id, now)
    done.update(await data.unlink_surveys(resident.id))
    done["staff_roles"] = await data.delete_staff_roles(telegram_id)
    done["staff records"] = await data.replace_staff_id(telegram_id, tombstone_id)

    async def forget_conversations() -> None:
        await data.delete_conversations(telegram_id)

    uow.stage("forget conversations", forget_conversations)
    await data.make_tombstone(resident, default_locale, now)
    await uow.commit()
    log.info("resident %s erased their data: %s", pseudonym(telegram_id),
             ", ".join(f"{what} {count}" for what, count in sorted(done.items()) if count))
    return done
