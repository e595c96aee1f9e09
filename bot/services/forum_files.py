"""Forums from the shell: a YAML file that describes one, read like a ballot file (ballot_files.py).

Every problem names its line ("forum.yaml line 5: starts must be a date and time …"); the rules
a draft must meet are `forums.problems_of`'s and `forums.unsaved`'s, mapped to the line of the
key they concern. Problems are in English (staff tools).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from yaml.nodes import MappingNode, Node, ScalarNode

from bot.services import forums
from bot.services.ballot_files import (
    INT_TAG, NULL_TAG, UNREAD, FileReader, Problem, StaffFileError, line_of, yaml_mapping,
)
from bot.services.broadcasts import parse_date_time
from bot.services.forums import ForumDraft, InvalidForum
from domain import DEFAULT_REMINDERS, ForumAudience, PermissionDenied
from storage.models import Forum
from storage.uow import UnitOfWork

KEYS = ("theme", "title", "description", "starts", "ends", "place", "location", "remote_url", "capacity",
        "reminders", "audience", "created_by")
REQUIRED = ("title", "description", "starts", "ends", "place", "created_by")
COORDINATES = ("latitude", "longitude")
FLOAT_TAG = "tag:yaml.org,2002:float"
REMINDER = re.compile(r"^(\d+)\s*(min|h|d)?$")
MINUTES_IN = {None: 1, "min": 1, "h": 60, "d": 24 * 60}


class ForumFileError(StaffFileError):
    """A forum file that cannot become a forum."""


@dataclass(frozen=True)
class ForumFile:
    """A forum as its file describes it: areas still by code, and the line of each key."""

    name: str
    draft: ForumDraft
    created_by: int
    area_codes: tuple[tuple[str, int], ...]  # (code, line)
    lines: dict[str, int]  # a key (and "areas") → its line

    def error(self, problems: Sequence[Problem]) -> ForumFileError:
        return ForumFileError.located(self.name, problems)

    def line_of(self, problem: forums.Problem) -> int:
        return self.lines.get(problem.part, 1)


def end_time(written: str, starts: datetime, zone: ZoneInfo) -> datetime:
    """When a forum ends as staff write it: a full date and time, or a time ("20.00") on the local
    day it starts. ValueError when unreadable."""
    try:
        return parse_date_time(written, zone)
    except ValueError:
        return parse_date_time(f"{starts.astimezone(zone):%Y-%m-%d} {written}", zone)


def read_forum_file(path: Path, zone: ZoneInfo,
                    theme_id: int | None = None) -> tuple[ForumFile, list[Problem]]:
    """The forum a YAML file describes (times in `zone`), and the problems found in it.

    `theme_id` (given on the command line) stands for the file's theme. ForumFileError when the
    file is not a YAML mapping at all.
    """
    required = REQUIRED if theme_id is not None else ("theme", *REQUIRED)
    reader = _ForumReader(yaml_mapping(path, KEYS, ForumFileError), KEYS, required)
    theme = theme_id if theme_id is not None else reader.whole("theme", 0)
    starts = reader.time("starts", zone)
    audience, area_codes = reader.audience()
    latitude, longitude = reader.location()
    described = ForumFile(
        name=str(path),
        draft=ForumDraft(
            theme_id=theme,
            title=reader.texts("title"),
            description=reader.texts("description"),
            starts_at=starts,
            ends_at=reader.ends(starts, zone),
            place=reader.text_of("place"),
            latitude=latitude,
            longitude=longitude,
            remote_url=reader.text_of("remote_url") or None,
            capacity=reader.capacity(),
            reminders=reader.reminders(),
            audience=audience,
        ),
        created_by=reader.whole("created_by", 0),
        area_codes=tuple(area_codes),
        lines=reader.lines,
    )
    return described, reader.problems


class _ForumReader(FileReader):
    def text_of(self, key: str) -> str:
        node = self.value(key)
        return "" if node is None else self.text(node, key)

    def ends(self, starts: datetime, zone: ZoneInfo) -> datetime:
        node = self.value("ends")
        if node is None:
            return UNREAD
        written = self.text(node, "ends")
        try:
            return end_time(written, starts, zone)
        except ValueError:
            if starts != UNREAD:  # otherwise the start's own problem says it
                self.note(node, f'ends must be a time such as "20.00" or a date and time such as '
                                f'"2026-08-04 20:00", not {written!r}')
            return UNREAD

    def capacity(self) -> int | None:
        node = self.value("capacity")
        return None if node is None or _null(node) else self.number(node, "capacity")

    def location(self) -> tuple[float | None, float | None]:
        node = self.value("location")
        if node is None or _null(node):
            return None, None
        if not isinstance(node, MappingNode):
            self.note(node, "location must give latitude and longitude: {latitude: 61.69, longitude: 27.27}")
            return None, None
        found = self.mapping(node, "location: ", COORDINATES)
        latitude, longitude = (self.decimal(found[key][1], f"location.{key}") if key in found else None
                               for key in COORDINATES)
        return latitude, longitude

    def decimal(self, node: Node, what: str) -> float | None:
        if not isinstance(node, ScalarNode) or node.tag not in (INT_TAG, FLOAT_TAG):
            self.note(node, f"{what} must be a number such as 61.6886")
            return None
        return float(node.value.replace("_", ""))

    def reminders(self) -> tuple[int, ...]:
        node = self.value("reminders")
        if node is None:
            return DEFAULT_REMINDERS
        return tuple(minutes for item in self.sequence(node, "reminders")
                     if (minutes := self.reminder(item)) is not None)

    def reminder(self, node: Node) -> int | None:
        written = self.text(node, "each of reminders")
        matched = REMINDER.match(written.strip())
        if matched is None:
            self.note(node, f'each of reminders must be like "24h", "1h" or "30min" (or minutes), '
                            f'not {written!r}')
            return None
        return int(matched[1]) * MINUTES_IN[matched[2]]

    def audience(self) -> tuple[ForumAudience, list[tuple[str, int]]]:
        """theme (the default), everyone, or {areas: [area codes]}."""
        node = self.value("audience")
        if node is None:
            return ForumAudience.THEME, []
        if isinstance(node, MappingNode):
            found = self.mapping(node, "audience: ", ("areas",))
            if "areas" not in found:
                self.note(node, "audience: give the areas: {areas: [haukivuori, ristiina]}")
                return ForumAudience.AREAS, []
            key_node, areas = found["areas"]
            self.lines["areas"] = line_of(key_node)
            items = self.sequence(areas, "audience: areas")
            return ForumAudience.AREAS, [(self.text(item, "each of areas"), line_of(item)) for item in items]
        written = self.text(node, "audience")
        if written not in (ForumAudience.THEME, ForumAudience.EVERYONE):
            self.note(node, f"audience must be theme, everyone or {{areas: [area codes]}}, not {written!r}")
            return ForumAudience.THEME, []
        return ForumAudience(written), []


def _null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG


# --- making the forum --------------------------------------------------------------------------

async def create_from_file(uow: UnitOfWork, path: Path, zone: ZoneInfo, notices: forums.Notices,
                           now: datetime, theme_id: int | None = None) -> Forum:
    """The forum a file describes, made and announced for its `created_by` (an editor or admin).

    ForumFileError lists the problems: first those of the file itself (keys, types, area codes,
    times), then, once there are none, those of the forum (`forums.create`).
    """
    described, problems = read_forum_file(path, zone, theme_id)
    known = await uow.outbox.area_ids([code for code, _ in described.area_codes])
    problems += [(line, f"areas: no area with the code {code!r}")
                 for code, line in described.area_codes if code not in known]
    if problems:
        raise described.error(problems)
    draft = replace(described.draft, area_ids=tuple(known[code] for code, _ in described.area_codes))
    try:
        return await forums.create(uow, described.created_by, draft, notices, now)
    except PermissionDenied:
        refused = f"created_by: {described.created_by} is neither an editor nor an admin"
        raise described.error([(described.lines["created_by"], refused)]) from None
    except InvalidForum as invalid:
        raise described.error([(described.line_of(problem), str(problem))
                               for problem in invalid.problems]) from None
