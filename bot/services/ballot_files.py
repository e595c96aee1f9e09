"""Ballots from the shell: a YAML file that describes one, and a ballot's results as CSV.

The file is read from PyYAML's node tree, so every problem names its line ("ballot.yaml line
7: method must be single or approval"); the rules a draft must meet are `ballots.problems_of`'s,
mapped to the line of the key they concern. Problems are in English (staff tools).
`FileReader` and `StaffFileError` read other staff files the same way (forum_files.py).
"""
from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Self, TextIO, TypeVar
from zoneinfo import ZoneInfo

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.services import ballots
from bot.services.ballot_counts import Breakdown
from bot.services.ballots import BallotDraft, InvalidBallot, OptionDraft
from bot.services.broadcasts import parse_date_time
from domain import (
    LOCALES, DomainError, Method, PermissionDenied, ResidentType, Visibility, localized_text, share,
)
from storage.models import Ballot
from storage.uow import UnitOfWork

KEYS = ("question", "options", "method", "max_choices", "areas", "resident_types", "opens",
        "closes", "results", "created_by")
REQUIRED = ("question", "options", "opens", "closes", "created_by")
OPTION_KEYS = ("theme", *LOCALES)
EXAMPLE_TIME = "2026-12-05 09:00"
INT_TAG = "tag:yaml.org,2002:int"
NULL_TAG = "tag:yaml.org,2002:null"
CSV_HEADER = ("group_kind", "group", "position", "option", "theme_id", "votes", "voters", "share")
GROUP_KINDS = {"resident_type": "resident_type", "area_id": "area"}
UNREAD = datetime.min.replace(tzinfo=UTC)  # stands in for a time with a problem: never used

E = TypeVar("E", bound=StrEnum)
Problem = tuple[int, str]  # (line, message)


class StaffFileError(DomainError):
    """A staff file that cannot become what it describes; `problems` name the file and the line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems

    @classmethod
    def located(cls, name: str, problems: Sequence[Problem]) -> Self:
        in_order = sorted(problems, key=lambda problem: problem[0])
        return cls([f"{name} line {line}: {message}" for line, message in in_order])


class BallotFileError(StaffFileError):
    """A ballot file that cannot become a ballot."""


@dataclass(frozen=True)
class BallotFile:
    """A ballot as its file describes it: areas still by code, and the line of each key."""

    name: str
    draft: BallotDraft
    created_by: int
    area_codes: tuple[tuple[str, int], ...]  # (code, line)
    lines: dict[str, int]  # a key, or "option N", → its line

    def error(self, problems: Sequence[Problem]) -> BallotFileError:
        return BallotFileError.located(self.name, problems)

    def line_of(self, problem: ballots.Problem) -> int:
        """The line of the key (or option) a problem of `ballots.problems_of` concerns."""
        return self.lines.get(problem.part, 1)


# --- reading the file --------------------------------------------------------------------------

def read_ballot_file(path: Path, zone: ZoneInfo) -> tuple[BallotFile, list[Problem]]:
    """The ballot a YAML file describes (times in `zone`), and the problems found in it.

    BallotFileError when it is not a YAML mapping at all.
    """
    reader = _BallotReader(yaml_mapping(path, KEYS, BallotFileError), KEYS, REQUIRED)
    method = reader.choice("method", Method, Method.SINGLE)
    options = reader.options()
    described = BallotFile(
        name=str(path),
        draft=BallotDraft(
            question=reader.texts("question"),
            options=options,
            opens_at=reader.time("opens", zone),
            closes_at=reader.time("closes", zone),
            method=method,
            max_choices=reader.whole("max_choices", 1 if method == Method.SINGLE else len(options)),
            resident_types=tuple(reader.choices("resident_types", ResidentType)),
            visibility=reader.choice("results", Visibility, Visibility.AFTER_CLOSE),
        ),
        created_by=reader.whole("created_by", 0),
        area_codes=tuple(reader.codes("areas")),
        lines=reader.lines,
    )
    return described, reader.problems


def yaml_mapping(path: Path, keys: Sequence[str], error: type[StaffFileError]) -> MappingNode:
    """The file's node tree; `error` when it is not a YAML mapping (of `keys`) at all."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":  # a tab can only be whitespace in JSON, and YAML refuses it
            text = text.replace("\t", " ")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        raise error.located(str(path), [(1, "not UTF-8 text")]) from None
    except yaml.MarkedYAMLError as problem:
        line = problem.problem_mark.line + 1 if problem.problem_mark else 1
        raise error.located(str(path), [(line, f"not valid YAML: {problem.problem}")]) from None
    except yaml.YAMLError as problem:
        raise error.located(str(path), [(1, f"not valid YAML: {problem}")]) from None
    if not isinstance(root, MappingNode):
        line = line_of(root) if root else 1
        raise error.located(str(path), [(line, f"expected the keys {', '.join(keys)}")])
    return root


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


class FileReader:
    """Reads the keys of a staff file, noting each problem with its line instead of stopping.

    A value with a problem reads as a stand-in, so every key is checked in one pass; the file is
    refused when any problem was noted, so no stand-in is ever used.
    """

    def __init__(self, root: MappingNode, keys: Sequence[str], required: Sequence[str]) -> None:
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        self.values = self.mapping(root, "", keys)
        self.lines.update({key: line_of(key_node) for key, (key_node, _) in self.values.items()})
        self.problems += [(1, f"{key} is missing") for key in required if key not in self.values]

    def note(self, node: Node, message: str) -> None:
        self.problems.append((line_of(node), message))

    def mapping(self, node: MappingNode, what: str,
                allowed: Sequence[str]) -> dict[str, tuple[Node, Node]]:
        """Key → (key node, value node); unknown and repeated keys are problems."""
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else ""
            if key not in allowed:
                self.note(key_node, f"{what}unknown key {key!r} (expected {', '.join(allowed)})")
            elif key in found:
                self.note(key_node, f"{what}{key} is given twice")
            else:
                found[key] = (key_node, value)
        return found

    # --- one value -------------------------------------------------------------------------

    def text(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode):
            self.note(node, f"{what} must be a text")
            return ""
        return "" if node.tag == NULL_TAG else node.value

    def number(self, node: Node, what: str) -> int | None:
        if not isinstance(node, ScalarNode) or node.tag != INT_TAG:
            self.note(node, f"{what} must be a whole number")
            return None
        return int(SafeConstructor().construct_yaml_int(node))

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.note(node, f"{what} must be a list")
            return []
        return list(node.value)

    def member(self, node: Node, what: str, kind: type[E]) -> E | None:
        value = self.text(node, what)
        if value not in {member.value for member in kind}:
            allowed = _alternatives([member.value for member in kind])
            self.note(node, f"{what} must be {allowed}, not {value!r}")
            return None
        return kind(value)

    # --- the file's keys -------------------------------------------------------------------

    def value(self, key: str) -> Node | None:
        return self.values[key][1] if key in self.values else None

    def whole(self, key: str, default: int) -> int:
        node = self.value(key)
        number = default if node is None else self.number(node, key)
        if node is not None and number is not None and number < 1:
            self.note(node, f"{key} must be 1 or more")
        return number or default

    def choice(self, key: str, kind: type[E], default: E) -> E:
        node = self.value(key)
        chosen = None if node is None else self.member(node, key, kind)
        return chosen or default

    def choices(self, key: str, kind: type[E]) -> list[E]:
        node = self.value(key)
        items = [] if node is None else self.sequence(node, key)
        return [member for item in items if (member := self.member(item, f"each of {key}", kind))]

    def codes(self, key: str) -> list[tuple[str, int]]:
        node = self.value(key)
        items = [] if node is None else self.sequence(node, key)
        return [(self.text(item, f"each of {key}"), line_of(item)) for item in items]

    def texts(self, key: str) -> dict[str, str]:
        node = self.value(key)
        if isinstance(node, MappingNode):
            return self.labels(self.mapping(node, f"{key}: ", LOCALES), key)
        if node is not None:
            self.note(node, f"{key} must give a text per language ({', '.join(LOCALES)})")
        return {}

    def labels(self, found: dict[str, tuple[Node, Node]], what: str) -> dict[str, str]:
        return {locale: self.text(node, f"{what}.{locale}") for locale, (_, node) in found.items()}

    def time(self, key: str, zone: ZoneInfo) -> datetime:
        node = self.value(key)
        if node is None:
            return UNREAD
        written = self.text(node, key)
        try:
            return parse_date_time(written, zone)
        except ValueError:
            self.note(node, f'{key} must be a date and time such as "{EXAMPLE_TIME}", '
                            f'not {written!r}')
            return UNREAD


class _BallotReader(FileReader):
    def options(self) -> list[OptionDraft]:
        node = self.value("options")
        items = [] if node is None else self.sequence(node, "options")
        return [self.option(item, number) for number, item in enumerate(items, 1)]

    def option(self, node: Node, number: int) -> OptionDraft:
        what = f"option {number}"
        self.lines[what] = line_of(node)
        if not isinstance(node, MappingNode):
            self.note(node, f"{what} must be a theme (theme: 12) or a text per language "
                            f"({', '.join(LOCALES)})")
            return OptionDraft()
        found = self.mapping(node, f"{what}: ", OPTION_KEYS)
        _, theme = found.pop("theme", (None, None))
        number = None if theme is None else self.number(theme, f"{what}: theme")
        return OptionDraft(self.labels(found, what), number)


def _alternatives(values: Sequence[str]) -> str:
    return f"{', '.join(values[:-1])} or {values[-1]}" if len(values) > 1 else values[0]


# --- making the ballot -------------------------------------------------------------------------

async def create_from_file(uow: UnitOfWork, path: Path, zone: ZoneInfo, now: datetime) -> Ballot:
    """The ballot a file describes, made for its `created_by` (an editor or admin).

    BallotFileError lists the problems: first those of the file itself (keys, types, area codes,
    times), then, once there are none, those of the ballot (`ballots.create`).
    """
    described, problems = read_ballot_file(path, zone)
    known = await uow.outbox.area_ids([code for code, _ in described.area_codes])
    problems += [(line, f"areas: no area with the code {code!r}")
                 for code, line in described.area_codes if code not in known]
    if problems:
        raise described.error(problems)
    area_ids = tuple(known[code] for code, _ in described.area_codes)
    draft = replace(described.draft, area_ids=area_ids)
    try:
        return await ballots.create(uow, described.created_by, draft, now)
    except PermissionDenied:
        refused = f"created_by: {described.created_by} is neither an editor nor an admin"
        raise described.error([(described.lines["created_by"], refused)]) from None
    except InvalidBallot as invalid:
        located = [(described.line_of(problem), str(problem)) for problem in invalid.problems]
        raise described.error(located) from None


# --- results as CSV ----------------------------------------------------------------------------

Row = tuple[str, str, int, str, int | None, int, int, str]


async def result_rows(uow: UnitOfWork, ballot_id: int, locale: str, now: datetime) -> list[Row]:
    """A ballot's results as CSV rows (CSV_HEADER): one per option for everyone ("total"), then
    one per option in each group of the breakdowns that `Results` shows. No resident ids.

    A closed ballot gives what it was counted at when it closed; an open one is counted now.
    """
    chosen = await ballots.ballot(uow, ballot_id)
    counted = await ballots.results(uow, chosen, None, now)
    area_codes = {str(area.id): area.code for area in await uow.areas.listing()}
    votes = {count.option_id: count.votes for count in counted.outcome.counts}
    rows = _option_rows(chosen, locale, "total", "", votes, counted.outcome.voters)
    for breakdown in counted.breakdowns:
        rows += _breakdown_rows(chosen, locale, breakdown, area_codes)
    return rows


def _breakdown_rows(chosen: Ballot, locale: str, breakdown: Breakdown,
                    area_codes: dict[str, str]) -> list[Row]:
    """Areas by code ("" for the whole city or not told), resident types as stored."""
    named = {group: area_codes.get(group, group) if breakdown.by == "area_id" else group
             for group in breakdown.shown}
    rows: list[Row] = []
    for group in sorted(breakdown.shown, key=named.__getitem__):
        rows += _option_rows(chosen, locale, GROUP_KINDS[breakdown.by], named[group],
                             breakdown.shown[group], breakdown.voters[group])
    return rows


def _option_rows(chosen: Ballot, locale: str, kind: str, group: str, votes: dict[int, int],
                 voters: int) -> list[Row]:
    rows: list[Row] = []
    for option in chosen.options:
        label, _ = localized_text(option.labels, locale, locale)
        chosen_by = votes.get(option.id, 0)
        rows.append((kind, group, option.position, label, option.theme_id, chosen_by, voters,
                     f"{share(chosen_by, voters):.4f}"))
    return rows


def write_csv(rows: Sequence[Row], handle: TextIO) -> None:
    """Comma-separated, with a header; UTF-8 without a byte order mark when `handle` is a file."""
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
