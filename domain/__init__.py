"""The participation process's own words, below every layer: no framework, no SQL."""
from domain.audience import Audience
from domain.errors import DomainError, NotFound, PermissionDenied
from domain.outgoing import Buttons, Chat, Notice, Priority
from domain.links import PROPOSAL_COMMAND, PROPOSAL_START, proposal_command, proposal_link
from domain.people import RESIDENT_TYPE_LABELS, ResidentType, Role, pick_locale
from domain.text import (
    LANGUAGE_IN, LANGUAGE_LABELS, LANGUAGE_NAMES, LOCALES, N_, fallback_chain, localized_text,
)
from domain.themes import (
    ALL_AREAS, PATH, REJECT_REASONS, RESTORED, STATUS_LABELS, WHOLE_CITY, Status, is_public,
)

__all__ = [
    "ALL_AREAS", "Audience", "Buttons", "Chat", "DomainError",
    "LANGUAGE_IN", "LANGUAGE_LABELS", "LANGUAGE_NAMES", "LOCALES", "N_",
    "NotFound", "Notice", "PATH", "Priority", "PROPOSAL_COMMAND", "PROPOSAL_START", "PermissionDenied",
    "REJECT_REASONS", "RESIDENT_TYPE_LABELS", "RESTORED", "STATUS_LABELS", "ResidentType", "Role", "Status",
    "WHOLE_CITY", "fallback_chain", "is_public", "localized_text", "pick_locale",
    "proposal_command", "proposal_link",
]
