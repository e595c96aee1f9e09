"""Telegram's HTML parse mode: markup -> plain text + entities (offsets in UTF-16 code units)."""

from __future__ import annotations

import re
from typing import Any

ENTITY_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
SPLITTABLE_TYPES = {"bold", "italic", "underline", "strikethrough", "spoiler"}
BLOCKQUOTE_TYPES = {"blockquote", "expandable_blockquote"}
NAMED_CHARS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TAG_NAME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9-]*)")
ATTRIBUTE = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
CHAR_REF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
# Telegram's rule: /command of 1-64 [A-Za-z0-9_], optionally @bot_username (3-32), with no
# letter, digit, "_", "/", "<" or ">" right before or after it (so "</b>" is never a command).
AUTO_ENTITIES = re.compile(
    r"(?P<bot_command>(?<![\w/<>])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32}|(?!@))(?![\w/<>]))"
    r"|(?P<url>\bhttps?://[^\s<>]+)"
    r"|(?P<mention>(?<!\w)@[a-zA-Z0-9_]{5,32})"
    r"|(?P<hashtag>(?<![\w#])#\w+)"
)


class EntityParseError(ValueError):
    pass


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    parts: list[str] = []
    pos = 0  # UTF-16 offset in the plain text
    stack: list[tuple[str, int, dict[str, Any] | None]] = []
    closed: list[tuple[int, dict[str, Any]]] = []
    i, n = 0, len(markup)
    while i < n:
        char = markup[i]
        if char == "<":
            end = markup.find(">", i)
            if end < 0:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(markup, i)}"
                )
            tag = markup[i + 1 : end]
            if tag.startswith("/"):
                _close_tag(tag[1:].strip().lower(), stack, closed, pos, _byte_offset(markup, i))
            else:
                name, entity = _open_tag(tag, stack, pos, _byte_offset(markup, i))
                stack.append((name, pos, entity))
            i = end + 1
            continue
        if char == "&":
            ref = CHAR_REF.match(markup, i)
            text = _decode_char_ref(ref) if ref else None
            if text is not None:
                i = ref.end()
            else:
                text, i = "&", i + 1
        else:
            j = min((k for k in (markup.find("<", i), markup.find("&", i)) if k >= 0), default=n)
            text, i = markup[i:j], j
        parts.append(text)
        pos += utf16_len(text)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    closed.sort(key=lambda item: (item[1]["offset"], -item[1]["length"], item[0]))
    text = "".join(parts)
    return text, with_auto_entities(text, [entity for _, entity in closed])


def _open_tag(
    tag: str, stack: list, pos: int, byte_offset: int
) -> tuple[str, dict[str, Any] | None]:
    match = TAG_NAME.match(tag)
    name = match.group(1).lower() if match else ""
    attrs = {
        m.group(1).lower(): _unescape(next((g for g in m.groups()[1:] if g is not None), ""))
        for m in ATTRIBUTE.finditer(tag, match.end() if match else 0)
    }
    entity_type = ENTITY_TAGS.get(name)
    if entity_type is None or (name == "span" and attrs.get("class") != "tg-spoiler"):
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
    entity: dict[str, Any] = {"type": entity_type}
    if name == "a":
        if "href" not in attrs:
            return name, None
        entity["url"] = attrs["href"]
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif name == "code" and stack and stack[-1][0] == "pre" and stack[-1][1] == pos:
        language = attrs.get("class", "")
        if language.startswith("language-") and stack[-1][2] is not None:
            stack[-1][2]["language"] = language[len("language-") :]
            return name, None
    return name, entity


def _close_tag(name: str, stack: list, closed: list, pos: int, byte_offset: int) -> None:
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset}")
    open_name, start, entity = stack.pop()
    if name != open_name:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {byte_offset}, "
            f'expected "</{open_name}>", found "</{name}>"'
        )
    if entity is not None and pos > start:
        closed.append((len(stack), {"offset": start, "length": pos - start, **entity}))


def _decode_char_ref(ref: re.Match) -> str | None:
    body = ref.group(1)
    if body[0] != "#":
        return NAMED_CHARS.get(body.lower())
    code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    return chr(code) if 0 < code <= 0x10FFFF else None


def _unescape(value: str) -> str:
    return CHAR_REF.sub(lambda m: _decode_char_ref(m) or m.group(0), value)


def _byte_offset(markup: str, index: int) -> int:
    return len(markup[:index].encode())


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace and clips entities to what remains."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's clients add to plain user text: /commands, URLs, @mentions, #hashtags."""
    return [
        {
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group()),
            "type": m.lastgroup,
        }
        for m in AUTO_ENTITIES.finditer(text)
    ]


def with_auto_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The given entities plus the ones Telegram finds by itself in the plain text."""
    found = [new for new in detect_entities(text) if not any(_hides(old, new) for old in entities)]
    return sorted(entities + found, key=lambda entity: (entity["offset"], -entity["length"]))


def _hides(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Like Telegram: nothing is found inside code, pre or a link, nor across a quote's edge."""
    old_end, new_end = old["offset"] + old["length"], new["offset"] + new["length"]
    if old["type"] in SPLITTABLE_TYPES or new_end <= old["offset"] or old_end <= new["offset"]:
        return False
    inside = old["offset"] <= new["offset"] and new_end <= old_end
    return not (old["type"] in BLOCKQUOTE_TYPES and inside)
