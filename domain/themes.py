"""A theme's path from initiative to implementation, and the words its pages share."""
from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from domain.text import N_


class Status(StrEnum):
    PENDING = "pending"
    INITIATIVE = "initiative"
    PREPARATION = "preparation"
    FORUM = "forum"
    IMPLEMENTATION = "implementation"
    DONE = "done"
    REJECTED = "rejected"
    MERGED = "merged"


PATH = (Status.INITIATIVE, Status.PREPARATION, Status.FORUM, Status.IMPLEMENTATION, Status.DONE)

STATUS_LABELS = {
    Status.PENDING: N_("⏳ Waiting for moderation"),
    Status.INITIATIVE: N_("💡 Initiative"),
    Status.PREPARATION: N_("🛠 Preparation"),
    Status.FORUM: N_("🗣 Forum"),
    Status.IMPLEMENTATION: N_("🏗 Implementation"),
    Status.DONE: N_("🏁 Done"),
    Status.REJECTED: N_("✖️ Not taken forward"),
    Status.MERGED: N_("🔗 Merged into another proposal"),
}
REJECT_REASONS = {
    "duplicate": N_("It repeats a proposal that already exists."),
    "not_city": N_("It is not something the city can decide on."),
    "rules": N_("It breaks the discussion rules."),
    "unclear": N_("It is too unclear to take forward."),
    "personal": N_("It contains personal information."),
}

RESTORED = "restore"  # the moderation log's word for showing a proposal hidden by reports again

WHOLE_CITY = 0  # an area choice in buttons meaning no single area; the store says None
ALL_AREAS = -1  # a list filter that keeps every area, the whole city included


class OnPath(Protocol):
    status: str
    hidden: bool


def is_public(theme: OnPath) -> bool:
    """Anyone may see, support and follow a theme on its path unless reports hid it."""
    return theme.status in PATH and not theme.hidden
