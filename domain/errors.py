"""What breaking a rule of the participation process looks like to the layers above."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the participation process was broken; carries a user-facing reason key."""


class PermissionDenied(DomainError):
    """The acting resident lacks the staff role the action needs."""


class NotFound(DomainError):
    """What a button or link points to does not exist (any more) or is not visible."""
