"""/summary in the chat – the forum, the text per language, a photo and a PDF, the preview,
publishing – and /summaries, the archive: newest first, five a page, by theme."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import forum_summaries, staff
from bot.services.forum_summaries import SummaryDraft
from domain import Role
from tests.support.forums import AFTER, EDITOR, NOTICES, new_forum, resident_of, rsvp, theme
from tests.support.proposals import document, photo, set_language
from tests.support.updates import AINO, GRACE, SVEN

pytestmark = pytest.mark.parametrize("clock", [AFTER], indirect=True)

SUMMARY_FI = "Kirjasto on auki sunnuntaisin syksyn ajan."
SUMMARY_EN = "The library opens on Sundays this autumn."
NOT_ALLOWED = "Sorry, only city staff with the right role can do that."


@pytest.fixture
async def forum(app, harness):
    """A forum that has been held, with Aino taking part remotely; Grace is an editor (English)."""
    forum_id = await new_forum(app.uow_factory)
    await rsvp(app.uow_factory, forum_id, [await resident_of(app.uow_factory, AINO.id, "fi")], "remote")
    await set_language(app, GRACE, "en")
    async with app.uow_factory() as uow:
        await staff.grant(uow, GRACE.id, Role.EDITOR, None)
    await harness.deliver()  # the invitation
    return forum_id


def pdf(person, name="muistio.pdf", mime="application/pdf"):
    update = document(person)
    update["message"]["document"].update(file_id=f"file-{name}", file_name=name, mime_type=mime)
    return update


async def test_an_editor_writes_and_publishes_a_summary_with_a_photo_and_a_pdf(harness, app, forum):
    [choose] = await harness.say(GRACE, "/summary")
    assert choose.text == "📝 <b>New summary</b> – which forum is it of?"
    assert choose.keyboard == [[("4.8.2026 The library's future", f"sm:pick:{forum}:0")],
                               [("✖️ Cancel", "sm:cancel:0:0")]]
    edit, _answer = await harness.press(GRACE, f"sm:pick:{forum}:0")
    assert edit.text.startswith("Write the summary <b>in Finnish</b> (at most 3\xa0500 characters).")
    assert edit.keyboard == [[("✖️ Cancel", "sm:cancel:0:0")]]  # the first language is not skipped
    [swedish] = await harness.say(GRACE, SUMMARY_FI)
    assert swedish.text.startswith("Write the summary <b>in Swedish</b>")
    assert swedish.keyboard[0][0] == ("Skip this language ›", "sm:skip:0:0")
    await harness.press(GRACE, "sm:skip:0:0")
    too_long, _again = await harness.say(GRACE, "x" * 3501)
    assert too_long.text == "That is too long: 3\xa0501 characters, at most 3\xa0500 fit. Please shorten it."
    [files] = await harness.say(GRACE, SUMMARY_EN)
    assert files.text == "You can attach up to 5 photos or PDF files: send them here.\n\n0 attached so far."
    assert files.keyboard == [[("➡️ No attachments", "sm:done:0:0"), ("✖️ Cancel", "sm:cancel:0:0")]]
    [one] = await harness.feed(photo(GRACE))
    assert one.text.endswith("1 attached so far.")
    refused, _again = await harness.feed(pdf(GRACE, "muistio.docx", "application/msword"))
    assert refused.text == "Only photos and PDF files can be attached – send a PDF as a file, or a photo."
    [two] = await harness.feed(pdf(GRACE))
    assert two.keyboard[0][0] == ("➡️ To the preview", "sm:done:0:0")
    preview, _answer = await harness.press(GRACE, "sm:done:0:0")
    assert preview.text.startswith("<b>Preview</b> – residents will read this:\n\n"
                                   "📝 <b>Summary of the forum</b>\n<b>The library&#x27;s future</b>\n")
    assert (f"\n\n{SUMMARY_EN}\n\n👥 1 signed up in the bot: 0 in person, 1 remotely\n"
            "• and 1 in smaller groups\n\n") in preview.text  # one resident's group is not shown
    assert preview.text.endswith("———\n📎 Then 2 attachments (photos and PDF files).\n"
                                 "It goes to 2 residents who signed up, asked a question or follow the theme, "
                                 "and onto the theme's timeline.")
    assert preview.keyboard == [[("✅ Publish", "sm:publish:0:0"), ("✖️ Cancel", "sm:cancel:0:0")]]
    published, _answer = await harness.press(GRACE, "sm:publish:0:0")
    assert published.text == "📝 Published: the summary goes to 2 residents. /summaries shows it."
    to_aino = [call for call in await harness.deliver() if call.chat_id == AINO.id]
    assert [call.name for call in to_aino] == ["SendMessage", "SendPhoto", "SendDocument"]
    assert f"\n\n{SUMMARY_FI}\n\n" in to_aino[0].text
    assert (to_aino[1].photo, to_aino[2].document) == ("large-1", "file-muistio.pdf")
    assert to_aino[2].caption == "📎 Yhteenveto: Kirjaston tulevaisuus – liite 2/2"
    [again] = await harness.press(GRACE, "sm:publish:0:0", preview.message_id)
    assert again.text == "This button is no longer valid – please use the latest message."
    [nothing] = await harness.say(GRACE, "/summary")
    assert nothing.text == "No forum is waiting for its summary: a forum gets one once it has started."


async def test_a_summary_published_meanwhile_is_not_published_twice(harness, app, forum):
    await harness.say(GRACE, "/summary")
    await harness.press(GRACE, f"sm:pick:{forum}:0")
    await harness.say(GRACE, SUMMARY_FI)
    for _language in ("sv", "en"):
        await harness.press(GRACE, "sm:skip:0:0")
    async with app.uow_factory() as uow:
        await forum_summaries.publish(uow, EDITOR, SummaryDraft(forum, {"fi": "Toinen"}), NOTICES, app.clock.now())
    refused, _answer = await harness.press(GRACE, "sm:done:0:0")
    assert refused.text == ("This forum's summary has already been published, and it is published only once. "
                            "See /summaries.")


async def test_summary_is_for_editors_and_can_be_cancelled(harness, app, forum):
    await resident_of(app.uow_factory, SVEN.id, "en")
    [refused] = await harness.say(SVEN, "/summary")
    assert refused.text == NOT_ALLOWED
    await harness.say(GRACE, "/summary")
    [stopped] = await harness.say(GRACE, "/cancel")
    assert stopped.text == "The summary was discarded. Start again with /summary."
    [none] = await harness.say(SVEN, "/summaries")
    assert none.text == "No forum summaries have been published yet."


async def test_the_archive_pages_newest_first_and_filters_by_theme(harness, app):
    first_theme = await theme(app.uow_factory, "Kirjaston aukioloajat")
    second_theme = await theme(app.uow_factory, "Torin penkit")
    forums = [await new_forum(app.uow_factory, first_theme) for _ in range(4)]
    forums += [await new_forum(app.uow_factory, second_theme) for _ in range(2)]
    async with app.uow_factory() as uow:
        for n, forum_id in enumerate(forums):
            draft = SummaryDraft(forum_id, {"fi": f"Yhteenveto {forum_id}"}, [("photo", f"photo-{forum_id}")])
            await forum_summaries.publish(uow, EDITOR, draft, NOTICES, AFTER + timedelta(minutes=n))
    await set_language(app, SVEN, "en")
    [archive] = await harness.say(SVEN, "/summaries")
    assert archive.text.startswith("📚 <b>Forum summaries</b>, newest first\n\n• 4.8.2026 The library&#x27;s future")
    assert archive.text.endswith("\n\nPage 1 of 2")
    assert [row[0][1] for row in archive.keyboard[:5]] == [f"so:{forum_id}:0:0" for forum_id in (6, 5, 4, 3, 2)]
    assert archive.keyboard[5:] == [[("▶", "sl:1:0")], [("🏷 By theme", "st")]]
    second, _answer = await harness.press(SVEN, "sl:1:0")
    assert [row[0][1] for row in second.keyboard[:1]] == ["so:1:1:0"]
    assert second.keyboard[1] == [("◀", "sl:0:0")]
    themes, _answer = await harness.press(SVEN, "st")
    assert themes.keyboard == [[("All themes", "sl:0:0")], [("Kirjaston aukioloajat", f"sl:0:{first_theme}")],
                               [("Torin penkit", f"sl:0:{second_theme}")]]
    filtered, _answer = await harness.press(SVEN, f"sl:0:{second_theme}")
    assert "\nTheme: Torin penkit\n" in filtered.text
    assert [row[0][1] for row in filtered.keyboard[:-1]] == [f"so:6:0:{second_theme}", f"so:5:0:{second_theme}"]
    opened, _answer = await harness.press(SVEN, f"so:5:0:{second_theme}")
    assert "Yhteenveto 5 (only available in Finnish)" in opened.text
    assert opened.text.endswith(f"Theme: /p{second_theme} · Forum: /f5")
    assert opened.keyboard == [[("📎 Attachments (1)", "sf:5")], [("‹ Back", f"sl:0:{second_theme}")]]
    _answer, resent = await harness.press(SVEN, "sf:5")
    assert (resent.name, resent.chat_id, resent.photo) == ("SendPhoto", SVEN.id, "photo-5")
