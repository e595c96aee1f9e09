"""The city's areas (villages, districts, suburbs), each named in fi/sv/en."""
from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from domain import LOCALES, DomainError, NotFound
from storage.models import Area
from storage.uow import UnitOfWork

AREA_KINDS = ("district", "village", "suburb")
PAGE_SIZE = 8


@dataclass(frozen=True)
class AreaRecord:
    code: str
    kind: str
    names: dict[str, str]


def parse_area_file(path: Path) -> list[AreaRecord]:
    """Read areas from YAML (a list under `areas:`) or CSV (code,kind,fi,sv,en)."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [
                {"code": row.get("code"), "kind": row.get("kind"), "name": {c: row.get(c) for c in LOCALES}}
                for row in csv.DictReader(handle)
            ]
    else:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise DomainError(f"not valid YAML: {error}") from None
        rows = document.get("areas", []) if isinstance(document, dict) else []
    return [_record(index, row) for index, row in enumerate(rows, start=1)]


def _record(index: int, row: object) -> AreaRecord:
    if not isinstance(row, dict):
        raise DomainError(f"area {index}: expected code, kind and name")
    code, kind, names = row.get("code"), row.get("kind"), row.get("name")
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        raise DomainError(f"area {index}: code must be 1-64 characters")
    if kind not in AREA_KINDS:
        raise DomainError(f"area {code}: kind must be one of {', '.join(AREA_KINDS)}")
    if not isinstance(names, dict):
        raise DomainError(f"area {code}: name needs fi, sv and en")
    for locale in LOCALES:
        name = names.get(locale)
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise DomainError(f"area {code}: name.{locale} must be 1-100 characters")
    return AreaRecord(code.strip(), kind, {locale: names[locale].strip() for locale in LOCALES})


async def load(uow: UnitOfWork, records: Sequence[AreaRecord]) -> int:
    """Insert or update areas by code, keeping the file's order; all or nothing."""
    for order, record in enumerate(records):
        await uow.areas.upsert(record.code, record.kind, record.names, order)
    await uow.commit()
    return len(records)


async def page(uow: UnitOfWork, number: int) -> tuple[Sequence[Area], int, int]:
    """One page of areas: (areas, page number clamped to 0..pages-1, number of pages)."""
    every = await uow.areas.listing()
    pages = max(1, -(-len(every) // PAGE_SIZE))
    number = min(max(number, 0), pages - 1)
    return every[number * PAGE_SIZE:(number + 1) * PAGE_SIZE], number, pages


async def known(uow: UnitOfWork, area_id: int) -> int:
    """An area an audience may name (a button carries its id); NotFound for an id that names none."""
    if await uow.areas.get(area_id) is None:
        raise NotFound("unknown area")
    return area_id
