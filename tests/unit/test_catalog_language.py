"""Every Finnish and Swedish entry reads as a native wrote it, in the glossary's words.

For each fi and sv entry: the msgstr keeps exactly the msgid's {placeholders} and HTML tags;
it is translated (an English msgstr is allowed only where the msgid has no words to translate);
plural entries have every form; and the words the glossary (shared/GLOSSARY.md) rules out do not
appear – Finland-Swedish *stöda* and *fritidsinvånare*, *utskick* and *tyst tid*; Finnish
*vapaa-ajan asukas*, *tiedote* and *hiljainen aika*; *sinä* and *du*.
"""
from __future__ import annotations

import re
from collections import Counter

import pytest
from babel.messages.catalog import Message

from bot import catalogs

NATIONAL = ("fi", "sv")

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# Words that are the same in every language: the product's name and unit symbols.
SAME_EVERYWHERE = re.compile(r"\bFoorumi\b|\b(?:s|min|h)\b")
# Entries whose right translation is the English word itself (the glossary's word for it).
SAME_WORD = {
    "fi": set(),
    "sv": {"🗣 Forum"},
}

# Variants that contradict the glossary, per language: (pattern, what to write instead).
FORBIDDEN = {
    "sv": [
        (r"\bstödj(?:a|er|de|t)\b", "Finland-Swedish stöda / stöder / stödde / stött"),
        (r"fritidsboende|sommarboende|fritidsbo\b", "fritidsinvånare"),
        (r"\bsändning", "utskick (a broadcast)"),
        (r"\btysta? timm", "tyst tid (quiet hours)"),
        (r"\banhängare|\bunderstödjare|\bsom stöder det\b", "stödjare (a supporter)"),
        (r"\bförslagsgivar|\bförfattare", "förslagsställare (a proposal's author)"),
        (r"\bavvisa", "avslå / avslaget (rejected)"),
        (r"\bsammanfog|\bslå ihop|\bslogs ihop", "slå samman / sammanslaget (merged)"),
        (r"\bannuller|\bskippa", "Avbryt / Hoppa över"),
        (r"(?-i:\bNi\b|\bEr\b|\bEder\b)", "du (residents are addressed as du)"),
        (r"\böver \{count\}", "the milestone fires at the count: har nu {count}"),
        (r"på grund av avbrottet", "eftersom utskicket avbröts (avbrott is an outage)"),
        (r"väntar (?:fortfarande )?på sitt kort", "finns kvar på sitt kort (not waiting *for* it)"),
    ],
    "fi": [
        (r"kesäasuk|mökkiläi|loma-asuk", "vapaa-ajan asukas"),
        (r"\blähety(?:s|ks)", "tiedote (a broadcast)"),
        (r"\bhiljai\w* tun", "hiljainen aika (quiet hours)"),
        (r"\bkannattaj", "tukija (a supporter)"),
        (r"\bkirjoittaja|\baloitteentekij", "ehdottaja (a proposal's author)"),
        (r"\bsulaut", "yhdistää / yhdistetty (merged)"),
        (r"\bhuomautu", "lisätieto (a note on the timeline)"),
        (r"(?-i:\b(?:Te|Teidän|Teille|Teitä|Teillä)\b)", "sinä (residents are addressed as sinä)"),
        (r"^\W*Peru\W*$", "Peruuta (the Cancel button)"),
        (r"\byli \{count\}", "the milestone fires at the count: on nyt {count}"),
        (r", (?:teki|päätti) \{who\}", "a whole sentence, e.g. Hyväksytty – {who}"),
        (r"valmista lähetettäväksi", "natural Finnish, e.g. Tarkista tiedote ennen lähettämistä"),
    ],
}


def entries(locale: str) -> list[Message]:
    return [message for message in catalogs.read_catalog(locale) if message.id]


def forms(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs: the singular and plural msgid for each plural form."""
    if isinstance(message.id, tuple):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return [(message.id[min(index, 1)], string or "") for index, string in enumerate(strings)]
    return [(message.id, message.string or "")]


def is_format_only(msgid: str) -> bool:
    """No words to translate once placeholders, tags, emoji, names and unit symbols are gone."""
    text = SAME_EVERYWHERE.sub("", TAG.sub("", PLACEHOLDER.sub("", msgid)))
    return not any(character.isalpha() for character in text)


def markup_problems(source: str, translation: str) -> list[str]:
    problems = []
    for kind, pattern in (("placeholders", PLACEHOLDER), ("HTML tags", TAG)):
        wanted, found = Counter(pattern.findall(source)), Counter(pattern.findall(translation))
        if wanted != found:
            problems.append(f"{kind}: msgid has {sorted(wanted.elements())}, "
                            f"msgstr has {sorted(found.elements())}")
    return problems


def wording_problems(locale: str, translation: str) -> list[str]:
    return [
        f"{match.group(0)!r} – the glossary says: {instead}"
        for pattern, instead in FORBIDDEN[locale]
        for match in [re.search(pattern, translation, re.IGNORECASE | re.MULTILINE)]
        if match
    ]


def untranslated_problem(locale: str, source: str, translation: str) -> list[str]:
    if translation == source and not is_format_only(source) and source not in SAME_WORD[locale]:
        return ["left in English"]
    return []


def problems(locale: str, message: Message) -> list[str]:
    found = []
    if message.fuzzy:
        found.append("fuzzy")
    pairs = forms(message)
    if isinstance(message.id, tuple) and len(pairs) != 2:
        found.append(f"{len(pairs)} plural forms, the catalog needs 2")
    for source, translation in pairs:
        if not translation.strip():
            found.append("a form is empty")
            continue
        found += markup_problems(source, translation)
        found += untranslated_problem(locale, source, translation)
        found += wording_problems(locale, translation)
    return found


@pytest.mark.parametrize("locale", NATIONAL)
def test_every_entry_keeps_markup_is_translated_and_uses_the_glossarys_words(locale):
    report = {
        catalogs._key(message.id): found
        for message in entries(locale)
        if (found := problems(locale, message))
    }
    assert report == {}


@pytest.mark.parametrize("locale", NATIONAL)
def test_plural_entries_have_both_forms(locale):
    catalog = catalogs.read_catalog(locale)
    assert catalog.num_plurals == 2
    plural = [message for message in catalog if message.id and isinstance(message.id, tuple)]
    assert plural, "counts are shown with ngettext, so the catalog has plural entries"
    for message in plural:
        assert isinstance(message.string, tuple) and len(message.string) == 2, message.id
        assert all(form.strip() for form in message.string), message.id


# The checks themselves: each catches what it is there for.

@pytest.mark.parametrize(("locale", "msgid", "msgstr"), [
    ("sv", "You could support one of them instead:", "Du kan stödja ett av dem i stället:"),
    ("sv", "🌲 Holiday resident", "🌲 Fritidsboende"),
    ("sv", "🛑 Cancel the broadcast", "🛑 Avbryt sändningen"),
    ("sv", "🌙 Quiet hours", "🌙 Tysta timmar"),
    ("sv", "Send it to the moderators?", "Vill Ni skicka det till moderatorerna?"),
    ("sv", "now has {count} supporters!", "har nu över {count} stödjare!"),
    ("fi", "🌲 Holiday resident", "🌲 Kesäasukas"),
    ("fi", "🛑 Cancel the broadcast", "🛑 Peruuta lähetys"),
    ("fi", "🌙 Quiet hours", "🌙 Hiljaiset tunnit"),
    ("fi", "✖️ Cancel", "✖️ Peru"),
    ("fi", "✅ Public, decided by {who}", "✅ Julkinen, päätti {who}"),
    ("fi", "now has {count} supporters!", "on nyt yli {count} tukijaa!"),
])
def test_the_glossarys_ruled_out_words_are_caught(locale, msgid, msgstr):
    assert wording_problems(locale, msgstr)


@pytest.mark.parametrize(("locale", "msgstr"), [
    ("sv", "Du kan stöda ett av dem. Dess stödjare följer med. 🌲 Fritidsinvånare"),
    ("sv", "Skicka ett utskick. Tyst tid: ingen. Förslagsställaren får besked."),
    ("fi", "🌲 Vapaa-ajan asukas · Hiljainen aika · Peru tuki · ✖️ Peruuta"),
    ("fi", "Tiedote lähetetään. Tukijat ja ehdottaja saavat tiedon. Tee ehdotus."),
])
def test_the_glossarys_words_pass(locale, msgstr):
    assert not wording_problems(locale, msgstr)


def test_markup_and_untranslated_entries_are_caught():
    assert markup_problems("<b>{title}</b> · {id}", "<b>{title}</b> · {ID}")
    assert markup_problems("<b>{title}</b>", "<b>{title}")
    assert markup_problems("<b>{title}</b>", "<i>{title}</i>")
    assert not markup_problems("<b>{a}</b> {b}", "{b} <b>{a}</b>")
    assert untranslated_problem("fi", "Page {page} of {pages}", "Page {page} of {pages}")
    assert not untranslated_problem("sv", "🗣 Forum", "🗣 Forum")
    assert not untranslated_problem("fi", "{minutes} min {seconds} s", "{minutes} min {seconds} s")
    assert not untranslated_problem("fi", "{icon} #{id} · {moment}", "{icon} #{id} · {moment}")
    empty_plural = Message(("{count} one", "{count} many"), ("{count} yksi", ""))
    assert "a form is empty" in problems("fi", empty_plural)
