"""Links that open the bot at one place: from a poster's QR code, a message or another chat."""
from __future__ import annotations

import re

from domain.ids import ID_DIGITS

PROPOSAL_START = re.compile(rf"^p({ID_DIGITS})$")  # the payload of t.me/<bot>?start=p12
PROPOSAL_COMMAND = re.compile(rf"^/p({ID_DIGITS})(@\w+)?$")  # /p12 in a message


def proposal_link(bot_username: str, proposal_id: int) -> str:
    return f"https://t.me/{bot_username}?start=p{proposal_id}"


def proposal_command(proposal_id: int) -> str:
    return f"/p{proposal_id}"


BALLOT_START = re.compile(rf"^b({ID_DIGITS})$")  # t.me/<bot>?start=b7 (from a poster's QR code)
BALLOT_COMMAND = re.compile(rf"^/b({ID_DIGITS})(@\w+)?$")


def ballot_link(bot_username: str, ballot_id: int) -> str:
    return f"https://t.me/{bot_username}?start=b{ballot_id}"


def ballot_command(ballot_id: int) -> str:
    return f"/b{ballot_id}"


FORUM_START = re.compile(rf"^f({ID_DIGITS})$")  # t.me/<bot>?start=f3
FORUM_COMMAND = re.compile(rf"^/f({ID_DIGITS})(@\w+)?$")


def forum_link(bot_username: str, forum_id: int) -> str:
    return f"https://t.me/{bot_username}?start=f{forum_id}"


def forum_command(forum_id: int) -> str:
    return f"/f{forum_id}"


SURVEY_START = re.compile(rf"^s({ID_DIGITS})$")  # t.me/<bot>?start=s4
SURVEY_COMMAND = re.compile(rf"^/s({ID_DIGITS})(@\w+)?$")


def survey_link(bot_username: str, survey_id: int) -> str:
    return f"https://t.me/{bot_username}?start=s{survey_id}"


def survey_command(survey_id: int) -> str:
    return f"/s{survey_id}"
