"""Surveys from the shell: a YAML or JSON file (JSON is YAML too) that describes one, read like a
ballot file (ballot_files.py).

Every problem names its line ("survey.yaml line 12: question 3 must give a kind …"); the rules a
draft must meet are `surveys.problems_of`'s and `surveys.unsaved`'s, mapped to the line of the key
or question they concern. Problems are in English (staff tools).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from yaml.nodes import MappingNode, Node, ScalarNode

from bot.services import surveys
from bot.services.ballot_files import FileReader, Problem, StaffFileError, line_of, yaml_mapping
from bot.services.forum_files import MINUTES_IN, REMINDER
from bot.services.surveys import QuestionDraft, SurveyDraft
from domain import LOCALES, Audience, PermissionDenied, QuestionKind, ResidentType
from storage.models import Survey
from storage.uow import UnitOfWork

KEYS = ("title", "intro", "anonymous", "forum", "invite_after", "audience", "opens", "closes", "created_by",
        "questions")
REQUIRED = ("title", "opens", "closes", "created_by", "questions")
QUESTION_KEYS = ("kind", "text", "options", "max", "required")
AUDIENCE_KEYS = ("areas", "resident_types", "languages")
BOOL_TAG = "tag:yaml.org,2002:bool"
DEFAULT_DELAY = 60  # minutes after the forum ends


class SurveyFileError(StaffFileError):
    """A survey file that cannot become a survey."""


@dataclass(frozen=True)
class SurveyFile:
    """A survey as its file describes it: areas still by code, and the line of each key."""

    name: str
    draft: SurveyDraft
    created_by: int
    area_codes: tuple[tuple[str, int], ...]  # (code, line)
    lines: dict[str, int]  # a key, "question N" or "question N, option M" → its line

    def error(self, problems: Sequence[Problem]) -> SurveyFileError:
        return SurveyFileError.located(self.name, problems)

    def line_of(self, problem: surveys.Problem) -> int:
        return self.lines.get(problem.part, 1)


def read_survey_file(path: Path, zone: ZoneInfo) -> tuple[SurveyFile, list[Problem]]:
    """The survey a YAML or JSON file describes (times in `zone`), and the problems found in it.

    SurveyFileError when the file is not a mapping at all.
    """
    reader = _SurveyReader(yaml_mapping(path, KEYS, SurveyFileError), KEYS, REQUIRED)
    forum_id = reader.forum()
    audience, area_codes = reader.audience()
    described = SurveyFile(
        name=str(path),
        draft=SurveyDraft(
            title=reader.texts("title"),
            intro=reader.texts("intro"),
            anonymous=reader.flag("anonymous", False),
            forum_id=forum_id,
            invite_delay=reader.invite_delay(forum_id),
            audience=audience,
            opens_at=reader.time("opens", zone),
            closes_at=reader.time("closes", zone),
            questions=reader.questions(),
        ),
        created_by=reader.whole("created_by", 0),
        area_codes=tuple(area_codes),
        lines=reader.lines,
    )
    return described, reader.problems


class _SurveyReader(FileReader):
    def flag(self, key: str, default: bool) -> bool:
        node = self.value(key)
        return default if node is None else self.boolean(node, key, default)

    def boolean(self, node: Node, what: str, default: bool) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != BOOL_TAG:
            self.note(node, f"{what} must be true or false")
            return default
        return node.value.lower() in ("true", "yes", "on")

    def forum(self) -> int | None:
        return self.whole("forum", 0) if "forum" in self.values else None

    def invite_delay(self, forum_id: int | None) -> int:
        """invite_after as minutes ("1h", "30min", "2d"); only for a survey after a forum."""
        node = self.value("invite_after")
        if node is None:
            return DEFAULT_DELAY
        if forum_id is None:
            self.note(node, "invite_after is for a survey after a forum: give the forum too")
        self.lines["invite_delay"] = line_of(node)
        written = self.text(node, "invite_after")
        matched = REMINDER.match(written.strip())
        if matched is None:
            self.note(node, f'invite_after must be like "1h", "30min" or "2d" (or minutes), not {written!r}')
            return DEFAULT_DELAY
        return int(matched[1]) * MINUTES_IN[matched[2]]

    def audience(self) -> tuple[Audience | None, list[tuple[str, int]]]:
        """everyone, or {areas: [area codes], resident_types: [...], languages: [...]}; none given:
        everyone, unless the survey is after a forum."""
        node = self.value("audience")
        if node is None:
            return None, []
        if not isinstance(node, MappingNode):
            written = self.text(node, "audience")
            if written != "everyone":
                self.note(node, "audience must be everyone or {areas: [area codes], resident_types: [...], "
                                f"languages: [...]}}, not {written!r}")
            return Audience(), []
        found = self.mapping(node, "audience: ", AUDIENCE_KEYS)
        if "areas" in found:
            self.lines["areas"] = line_of(found["areas"][0])
        codes = [(self.text(item, "each of areas"), line_of(item))
                 for item in self.listed(found, "areas")]
        types = [member for item in self.listed(found, "resident_types")
                 if (member := self.member(item, "each of resident_types", ResidentType))]
        languages = [self.language(item) for item in self.listed(found, "languages")]
        return Audience((), tuple(types), tuple(code for code in languages if code)), codes

    def listed(self, found: dict[str, tuple[Node, Node]], key: str) -> list[Node]:
        return self.sequence(found[key][1], f"audience: {key}") if key in found else []

    def language(self, node: Node) -> str | None:
        code = self.text(node, "each of languages")
        if code not in LOCALES:
            self.note(node, f"each of languages must be one of {', '.join(LOCALES)}, not {code!r}")
            return None
        return code

    # --- the questions -----------------------------------------------------------------------

    def questions(self) -> list[QuestionDraft]:
        node = self.value("questions")
        items = [] if node is None else self.sequence(node, "questions")
        return [self.question(item, number) for number, item in enumerate(items, 1)]

    def question(self, node: Node, number: int) -> QuestionDraft:
        what = f"question {number}"
        self.lines[what] = line_of(node)
        if not isinstance(node, MappingNode):
            self.note(node, f"{what} must give its kind and text: {{kind: rating, text: {{fi: …}}}}")
            return QuestionDraft(QuestionKind.TEXT, {})
        found = self.mapping(node, f"{what}: ", QUESTION_KEYS)
        if "kind" not in found or "text" not in found:
            self.note(node, f"{what} must give its kind and text")
        kind = self.member(found["kind"][1], f"{what}: kind", QuestionKind) if "kind" in found else None
        texts = self.per_language(found["text"][1], f"{what}: text") if "text" in found else {}
        options = self.sequence(found["options"][1], f"{what}: options") if "options" in found else []
        most = self.number(found["max"][1], f"{what}: max") if "max" in found else None
        required = self.boolean(found["required"][1], f"{what}: required", True) if "required" in found else True
        return QuestionDraft(kind or QuestionKind.TEXT, texts,
                             [self.option(item, f"{what}, option {index}") for index, item in enumerate(options, 1)],
                             most, required)

    def per_language(self, node: Node, what: str) -> dict[str, str]:
        if not isinstance(node, MappingNode):
            self.note(node, f"{what} must give a text per language ({', '.join(LOCALES)})")
            return {}
        return self.labels(self.mapping(node, f"{what}: ", LOCALES), what)

    def option(self, node: Node, what: str) -> dict[str, str]:
        """A label per language, or one text for every language."""
        self.lines[what] = line_of(node)
        if isinstance(node, ScalarNode):
            return dict.fromkeys(LOCALES, self.text(node, what))
        if not isinstance(node, MappingNode):
            self.note(node, f"{what} must be a text, or a text per language ({', '.join(LOCALES)})")
            return {}
        return self.per_language(node, what)


# --- making the survey -------------------------------------------------------------------------

async def create_from_file(uow: UnitOfWork, path: Path, zone: ZoneInfo, now: datetime) -> Survey:
    """The survey a file describes, made for its `created_by` (an editor or admin).

    SurveyFileError lists the problems: first those of the file itself (keys, types, area codes,
    times), then, once there are none, those of the survey (`surveys.create`).
    """
    described, problems = read_survey_file(path, zone)
    known = await uow.outbox.area_ids([code for code, _ in described.area_codes])
    problems += [(line, f"areas: no area with the code {code!r}")
                 for code, line in described.area_codes if code not in known]
    if problems:
        raise described.error(problems)
    audience = described.draft.audience
    if audience is not None:
        audience = replace(audience, area_ids=tuple(known[code] for code, _ in described.area_codes))
    try:
        return await surveys.create(uow, described.created_by, replace(described.draft, audience=audience), now)
    except PermissionDenied:
        refused = f"created_by: {described.created_by} is neither an editor nor an admin"
        raise described.error([(described.lines["created_by"], refused)]) from None
    except surveys.InvalidSurvey as invalid:
        raise described.error([(described.line_of(problem), str(problem))
                               for problem in invalid.problems]) from None
