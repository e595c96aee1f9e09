"""The participation process's own words, below every layer: no framework, no SQL."""
from domain.audience import Audience
from domain.ballots import (
    MAX_OPTIONS, METHOD_LABELS, MIN_OPTIONS, SMALL_GROUP, Count, Method, Outcome, Phase, Visibility, bar,
    hidden_groups, phase, share,
)
from domain.errors import DomainError, NotFound, PermissionDenied
from domain.forums import (
    ATTENDANCE_LABELS, ATTENDING, DEFAULT_REMINDERS, Attendance, ForumAudience, ForumPhase, QuestionStatus,
    forum_phase,
)
from domain.surveys import (
    ANSWER_LIMIT, CHOICE_KINDS, MAX_QUESTIONS, NUMBER_RANGES, QUESTION_KIND_LABELS, TYPED_KINDS, QuestionKind,
    SurveyPhase, survey_phase, valid_answer,
)
from domain.outgoing import Buttons, Chat, Notice, Priority
from domain.links import (
    BALLOT_COMMAND, BALLOT_START, FORUM_COMMAND, FORUM_START, PROPOSAL_COMMAND, PROPOSAL_START,
    SURVEY_COMMAND, SURVEY_START, ballot_command, ballot_link, forum_command, forum_link, proposal_command,
    proposal_link, survey_command, survey_link,
)
from domain.people import RESIDENT_GROUP_LABELS, RESIDENT_TYPE_LABELS, ResidentType, Role, pick_locale
from domain.text import (
    LANGUAGE_IN, LANGUAGE_LABELS, LANGUAGE_NAMES, LOCALES, N_, fallback_chain, localized_text,
)
from domain.themes import (
    ALL_AREAS, PATH, REJECT_REASONS, RESTORED, STATUS_LABELS, WHOLE_CITY, Status, is_public,
)

__all__ = [
    "ANSWER_LIMIT", "CHOICE_KINDS", "MAX_QUESTIONS", "NUMBER_RANGES", "QUESTION_KIND_LABELS", "TYPED_KINDS",
    "QuestionKind", "SurveyPhase", "survey_phase", "valid_answer", "SURVEY_COMMAND", "SURVEY_START",
    "survey_command", "survey_link",
    "ATTENDANCE_LABELS", "ATTENDING", "DEFAULT_REMINDERS", "Attendance", "ForumAudience", "ForumPhase",
    "QuestionStatus", "forum_phase", "FORUM_COMMAND", "FORUM_START", "forum_command", "forum_link",
    "ALL_AREAS", "Audience", "BALLOT_COMMAND", "BALLOT_START", "ballot_command", "ballot_link", "Count", "MAX_OPTIONS", "METHOD_LABELS", "MIN_OPTIONS", "Method", "Outcome",
    "Phase", "SMALL_GROUP", "Visibility", "bar", "hidden_groups", "phase", "share", "Buttons", "Chat", "DomainError",
    "LANGUAGE_IN", "LANGUAGE_LABELS", "LANGUAGE_NAMES", "LOCALES", "N_",
    "NotFound", "Notice", "PATH", "Priority", "PROPOSAL_COMMAND", "PROPOSAL_START", "PermissionDenied",
    "REJECT_REASONS", "RESIDENT_GROUP_LABELS", "RESIDENT_TYPE_LABELS", "RESTORED", "STATUS_LABELS", "ResidentType", "Role", "Status",
    "WHOLE_CITY", "fallback_chain", "is_public", "localized_text", "pick_locale",
    "proposal_command", "proposal_link",
]
