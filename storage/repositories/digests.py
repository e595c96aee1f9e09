"""The weekly digest: who is due one, and what is new for them."""
from __future__ import annotations

from storage.repositories.base import Repository


class DigestRepository(Repository):
    pass
