"""Links that open the bot at one place: from a poster's QR code, a message or another chat."""
from __future__ import annotations

import re

PROPOSAL_START = re.compile(r"^p(\d+)$")  # the payload of t.me/<bot>?start=p12
PROPOSAL_COMMAND = re.compile(r"^/p(\d+)(@\w+)?$")  # /p12 in a message


def proposal_link(bot_username: str, proposal_id: int) -> str:
    return f"https://t.me/{bot_username}?start=p{proposal_id}"


def proposal_command(proposal_id: int) -> str:
    return f"/p{proposal_id}"


BALLOT_START = re.compile(r"^b(\d{1,9})$")  # t.me/<bot>?start=b7 (from a poster's QR code)
BALLOT_COMMAND = re.compile(r"^/b(\d{1,9})(@\w+)?$")


def ballot_link(bot_username: str, ballot_id: int) -> str:
    return f"https://t.me/{bot_username}?start=b{ballot_id}"


def ballot_command(ballot_id: int) -> str:
    return f"/b{ballot_id}"


FORUM_START = re.compile(r"^f(\d{1,9})$")  # t.me/<bot>?start=f3
FORUM_COMMAND = re.compile(r"^/f(\d{1,9})(@\w+)?$")


def forum_link(bot_username: str, forum_id: int) -> str:
    return f"https://t.me/{bot_username}?start=f{forum_id}"


def forum_command(forum_id: int) -> str:
    return f"/f{forum_id}"


SURVEY_START = re.compile(r"^s(\d{1,9})$")  # t.me/<bot>?start=s4
SURVEY_COMMAND = re.compile(r"^/s(\d{1,9})(@\w+)?$")


def survey_link(bot_username: str, survey_id: int) -> str:
    return f"https://t.me/{bot_username}?start=s{survey_id}"


def survey_command(survey_id: int) -> str:
    return f"/s{survey_id}"
