"""Maintaining the gettext catalogs: extract msgids from the source, update, fill translations.

    python -m bot.catalogs check                 # report msgids missing or untranslated
    python -m bot.catalogs sync [--apply FILE]   # extract + update .po files (+ fill from JSON)

The JSON for --apply maps msgid -> {"fi": ..., "sv": ..., "en": ...}.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from domain import LOCALES
from bot.i18n import DOMAIN, LOCALES_DIR

ROOT = LOCALES_DIR.parent
SOURCE_DIRS = ("domain", "bot", "handlers")
SOURCE_LOCALE = "en"
KEYWORDS = {"_": None, "__": None, "ngettext": (1, 2), "N_": None}


def extract() -> Catalog:
    """Every translatable string in the bot's source."""
    template = Catalog(project="foorumi", msgid_bugs_address="", fuzzy=False)
    for directory in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / directory, method_map=[("**.py", "python")], keywords=KEYWORDS,
        ):
            template.add(message, None, [(f"{directory}/{filename}", lineno)],
                         auto_comments=comments, context=context)
    return template


def po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write_catalog(catalog: Catalog, locale: str) -> None:
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True,
                 include_previous=False)


def untranslated(catalog: Catalog) -> list[str]:
    return [
        _key(message.id) for message in catalog
        if message.id and (message.fuzzy or not _filled(message.string))
    ]


def _filled(string: str | tuple[str, ...] | None) -> bool:
    values = string if isinstance(string, tuple) else (string,)
    return all(value and value.strip() for value in values)


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def sync(translations: dict[str, dict[str, object]]) -> dict[str, list[str]]:
    """Update every catalog from the source; return what is still untranslated per locale."""
    template = extract()
    report = {}
    for locale in LOCALES:
        catalog = read_catalog(locale)
        # Catalog.update() adopts the template's Message objects: each locale needs its own.
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for message in catalog:
            entry = translations.get(_key(message.id)) if message.id else None
            if entry and entry.get(locale):
                value = entry[locale]
                message.string = tuple(value) if isinstance(value, list) else value
                message.flags.discard("fuzzy")
            elif locale == SOURCE_LOCALE and message.id and not _filled(message.string):
                # msgids are written as the final English text (plural entries: both forms)
                message.string = message.id
        write_catalog(catalog, locale)
        report[locale] = untranslated(catalog)
    return report


def _print_report(report: dict[str, list[str]]) -> int:
    missing = 0
    for locale, ids in report.items():
        for msgid in ids:
            print(f"{locale}: untranslated: {msgid!r}")
        missing += len(ids)
    return 1 if missing else 0


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.catalogs")
    sub = parser.add_subparsers(dest="command", required=True)
    sync_parser = sub.add_parser("sync")
    sync_parser.add_argument("--apply", action="append", default=[], type=Path)
    sub.add_parser("check")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command == "check":
        template = extract()
        report = {}
        for locale in LOCALES:
            catalog = read_catalog(locale)
            known = {_key(message.id) for message in catalog if message.id}
            lacking = [_key(m.id) for m in template if m.id and _key(m.id) not in known]
            report[locale] = lacking + untranslated(catalog)
        return _print_report(report)
    translations: dict[str, dict[str, object]] = {}
    for path in args.apply:
        translations.update(json.loads(path.read_text(encoding="utf-8")))
    return _print_report(sync(translations))


if __name__ == "__main__":
    sys.exit(main())
