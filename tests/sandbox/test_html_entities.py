"""HTML parse mode → entities, with Telegram's UTF-16 offsets and error wording."""

import pytest

from sandbox.html_entities import EntityParseError, detect_entities, parse_html, strip_text

COMMAND_64 = "/" + "x" * 64


def test_every_supported_tag():
    text, entities = parse_html(
        "<b>b</b><strong>B</strong><i>i</i><em>I</em><u>u</u><ins>U</ins><s>s</s><strike>S</strike><del>d</del>"
        '<tg-spoiler>p</tg-spoiler><span class="tg-spoiler">P</span><code>c</code>'
        '<a href="https://x.fi">a</a><blockquote>q</blockquote>'
        "<blockquote expandable>Q</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "bBiIuUsSdpPcaqQ👍"
    assert [(e["offset"], e["type"]) for e in entities] == [
        (0, "bold"),
        (1, "bold"),
        (2, "italic"),
        (3, "italic"),
        (4, "underline"),
        (5, "underline"),
        (6, "strikethrough"),
        (7, "strikethrough"),
        (8, "strikethrough"),
        (9, "spoiler"),
        (10, "spoiler"),
        (11, "code"),
        (12, "text_link"),
        (13, "blockquote"),
        (14, "expandable_blockquote"),
        (15, "custom_emoji"),
    ]
    assert entities[-1] == {
        "offset": 15,
        "length": 2,
        "type": "custom_emoji",
        "custom_emoji_id": "5368324170671202286",
    }


def test_offsets_are_utf16_code_units():
    text, entities = parse_html("😀😀 <b>ä😀x</b>")
    assert text == "😀😀 ä😀x"
    assert entities == [{"offset": 5, "length": 4, "type": "bold"}]


def test_nesting_outer_entity_first():
    _, entities = parse_html("<b><i>x</i>y</b>")
    assert entities == [
        {"offset": 0, "length": 2, "type": "bold"},
        {"offset": 0, "length": 1, "type": "italic"},
    ]


def test_pre_with_language():
    text, entities = parse_html('<pre><code class="language-python">print(1 &lt; 2)</code></pre>')
    assert text == "print(1 < 2)"
    assert entities == [{"offset": 0, "length": 12, "type": "pre", "language": "python"}]


def test_character_references():
    text, entities = parse_html("&lt;b&gt; &amp; &quot;q&quot; &#228; &#x1F600; &nbsp; a & b")
    assert text == '<b> & "q" ä 😀 &nbsp; a & b'
    assert entities == []


def test_empty_entities_are_dropped_and_attributes_unescaped():
    text, entities = parse_html('<b></b><a href="https://a.fi/?x=1&amp;y=2">l</a><a>plain</a>')
    assert text == "lplain"
    assert entities == [
        {"offset": 0, "length": 1, "type": "text_link", "url": "https://a.fi/?x=1&y=2"}
    ]


@pytest.mark.parametrize(
    "markup, message",
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("ä<marquee>", 'Unsupported start tag "marquee" at byte offset 2'),
        ("<span>x</span>", 'Unsupported start tag "span" at byte offset 0'),
        ("a <b", "Unclosed start tag at byte offset 2"),
    ],
)
def test_errors(markup, message):
    with pytest.raises(EntityParseError) as error:
        parse_html(markup)
    assert str(error.value) == message


def test_strip_clips_entities():
    text, entities = strip_text(
        "  \n😀 hi \n",
        [{"offset": 0, "length": 6, "type": "bold"}, {"offset": 8, "length": 2, "type": "italic"}],
    )
    assert text == "😀 hi"
    assert entities == [{"offset": 0, "length": 3, "type": "bold"}]


def test_detects_commands_links_mentions_hashtags():
    assert detect_entities("/start@foorumi_sandbox_bot see https://mikkeli.fi @aino_v #tori") == [
        {"offset": 0, "length": 26, "type": "bot_command"},
        {"offset": 31, "length": 18, "type": "url"},
        {"offset": 50, "length": 7, "type": "mention"},
        {"offset": 58, "length": 5, "type": "hashtag"},
    ]


def commands(markup: str) -> list[str]:
    text, entities = parse_html(markup)
    found = [e for e in entities if e["type"] == "bot_command"]
    return [text[e["offset"] : e["offset"] + e["length"]] for e in found]


def test_bot_command_in_bot_text():
    assert parse_html("Open it: /p12") == (
        "Open it: /p12",
        [{"offset": 9, "length": 4, "type": "bot_command"}],
    )


def test_closing_tags_are_markup_not_commands():
    text, entities = parse_html("<b>Title</b> – /p3")
    assert text == "Title – /p3"
    assert entities == [
        {"offset": 0, "length": 5, "type": "bold"},
        {"offset": 8, "length": 3, "type": "bot_command"},
    ]


def test_bot_command_offsets_are_utf16_code_units():
    text, entities = parse_html("🏡👍🏽 <i>Uusi ehdotus</i>: /p5")
    assert text == "🏡👍🏽 Uusi ehdotus: /p5"
    assert entities == [
        {"offset": 7, "length": 12, "type": "italic"},
        {"offset": 21, "length": 3, "type": "bot_command"},
    ]


@pytest.mark.parametrize(
    "markup, found",
    [
        ("/p5", ["/p5"]),
        ("Ehdotukset:\n/p5 Katuvalot\n/p6 Uimaranta", ["/p5", "/p6"]),
        ("avaa /p5 tai /help", ["/p5", "/help"]),
        ("Katuvalot (/p5), uimaranta (/p6).", ["/p5", "/p6"]),
        ("<b>Uusi:</b> /p5", ["/p5"]),
        ("<b>/p5</b>", ["/p5"]),
        ("/start@foorumi_sandbox_bot", ["/start@foorumi_sandbox_bot"]),
        (COMMAND_64, [COMMAND_64]),
        ("sana/p5", []),
        ("https://mikkeli.fi/p5", []),
        ("mikkeli.fi/p5", []),
        ("a_/p5 //p5 1/2", []),
        ("/p5x_ok", ["/p5x_ok"]),
        ("/päivä", []),
        (COMMAND_64 + "x", []),
        ("/p5@ab", []),
        ("&lt;/b&gt; &lt;b&gt;/p5&lt;/b&gt;", []),
        ("<code>/p5</code> <pre>/p6</pre>", []),
        ('<a href="https://t.me/foorumi_bot?start=p5">/p5</a>', []),
    ],
)
def test_bot_commands_follow_telegrams_rule(markup, found):
    assert commands(markup) == found


@pytest.mark.parametrize(
    "text, found",
    [
        ("</b> /p5 <i>/p6</i>", ["/p5"]),
        (COMMAND_64, [COMMAND_64]),
        (COMMAND_64 + "x", []),
        ("/p5@ab /p6@foorumi_bot", ["/p6@foorumi_bot"]),
        ("/päivä /p5_ä", []),
    ],
)
def test_commands_in_plain_user_text(text, found):
    assert [text[e["offset"] : e["offset"] + e["length"]] for e in detect_entities(text)] == found
