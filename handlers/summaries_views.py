"""Texts and keyboards of /summary (staff write a forum's summary) and /summaries (the archive)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import _, format_count, format_moment, ngettext
from bot.notices.words import short
from bot.services.forum_summaries import MOST_ATTACHMENTS, TEXT_LIMIT, Page
from bot.telegram.keyboards import Button, inline_keyboard
from domain import LANGUAGE_IN, localized_text
from domain.ids import Natural
from storage.models import Forum, ForumSummary, Proposal

DATE = "d.M.y"


class SummaryDo(StrEnum):
    PICK = "pick"
    PAGE = "page"
    SKIP = "skip"
    DONE = "done"
    PUBLISH = "publish"
    CANCEL = "cancel"


class SummaryStep(CallbackData, prefix="sm"):
    """A step of writing a summary: `forum` picked, or the list's `page` turned."""

    do: SummaryDo
    forum: Natural = 0
    page: Natural = 0


class SummaryList(CallbackData, prefix="sl"):
    """The archive's page, of one theme (0: all)."""

    page: Natural = 0
    theme: Natural = 0


class SummaryThemes(CallbackData, prefix="st"):
    """Choose the theme the archive shows."""


class SummaryOpen(CallbackData, prefix="so"):
    """One summary in full; page and theme lead back to where it was listed."""

    forum: Natural
    page: Natural = 0
    theme: Natural = 0


class SummaryFiles(CallbackData, prefix="sf"):
    """Send a summary's photos and PDF files again."""

    forum: Natural


def forum_label(forum: Forum, locale: str, settings: Settings) -> str:
    title = localized_text(forum.title, locale, settings.default_locale)[0]
    return f"{format_moment(forum.starts_at, locale, settings.zone, DATE)} {short(title, 32)}"


def page_buttons(page: Page, make: Callable[[int], CallbackData]) -> list[Button]:
    """◀ ▶ around the current page, when there is more than one; `make(page)` is a button's data."""
    row: list[Button] = []
    if page.page > 0:
        row.append(("◀", make(page.page - 1)))
    if page.page < page.pages - 1:
        row.append(("▶", make(page.page + 1)))
    return row


def page_line(page: Page) -> str:
    return _("Page {page} of {pages}").format(page=page.page + 1, pages=page.pages) if page.pages > 1 else ""


# --- /summary ------------------------------------------------------------------------------------

def cancel_button() -> Button:
    return _("✖️ Cancel"), SummaryStep(do=SummaryDo.CANCEL)


def nothing_to_summarize_text() -> str:
    return _("No forum is waiting for its summary: a forum gets one once it has started.")


def forums_text(page: Page) -> str:
    return "\n\n".join(filter(None, [_("📝 <b>New summary</b> – which forum is it of?"), page_line(page)]))


def forums_keyboard(page: Page, locale: str, settings: Settings) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [[(forum_label(forum, locale, settings), SummaryStep(do=SummaryDo.PICK,
                                                                                   forum=forum.id))]
                                for forum in page.items]
    rows += [page_buttons(page, lambda number: SummaryStep(do=SummaryDo.PAGE, page=number)), [cancel_button()]]
    return inline_keyboard([row for row in rows if row])


def text_prompt(language: str, first: bool) -> str:
    prompt = ngettext("Write the summary <b>{language}</b> (at most {limit} character).",
                      "Write the summary <b>{language}</b> (at most {limit} characters).",
                      TEXT_LIMIT).format(language=_(LANGUAGE_IN[language]), limit=format_count(TEXT_LIMIT))
    note = _("You can stop at any time with /cancel.") if first else _(
        "Skip the languages you do not need: residents then read the summary in another language, with a "
        "short note.")
    return f"{prompt}\n\n{note}"


def text_keyboard(first: bool) -> InlineKeyboardMarkup:
    skip = [] if first else [(_("Skip this language ›"), SummaryStep(do=SummaryDo.SKIP))]
    return inline_keyboard([[*skip, cancel_button()]])


def files_prompt(files: int) -> str:
    return "\n\n".join([
        ngettext("You can attach up to {most} photo or PDF file: send them here.",
                 "You can attach up to {most} photos or PDF files: send them here.",
                 MOST_ATTACHMENTS).format(most=format_count(MOST_ATTACHMENTS)),
        ngettext("{count} attached so far.", "{count} attached so far.", files).format(count=format_count(files)),
    ])


def files_keyboard(files: int) -> InlineKeyboardMarkup:
    label = _("➡️ To the preview") if files else _("➡️ No attachments")
    return inline_keyboard([[(label, SummaryStep(do=SummaryDo.DONE)), cancel_button()]])


def not_a_file_text() -> str:
    return _("Only photos and PDF files can be attached – send a PDF as a file, or a photo.")


def write_text_text() -> str:
    return _("Please write the summary as text – or press Cancel.")


def use_buttons_text() -> str:
    return _("Please use the buttons.")


def preview_text(summary: str, attachments: Sequence[tuple[str, str]], reach: int) -> str:
    """The summary exactly as residents will read it, then what goes with it and to whom."""
    lines = [_("<b>Preview</b> – residents will read this:"), "", summary, "", "———"]
    if attachments:
        lines.append(ngettext("📎 Then {count} attachment (a photo or a PDF file).",
                              "📎 Then {count} attachments (photos and PDF files).",
                              len(attachments)).format(count=format_count(len(attachments))))
    lines.append(ngettext("It goes to {count} resident who signed up, asked a question or follows the theme, "
                          "and onto the theme's timeline.",
                          "It goes to {count} residents who signed up, asked a question or follow the theme, "
                          "and onto the theme's timeline.", reach).format(count=format_count(reach)))
    return "\n".join(lines)


def preview_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("✅ Publish"), SummaryStep(do=SummaryDo.PUBLISH)), cancel_button()]])


def published_text(reached: int) -> str:
    return ngettext("📝 Published: the summary goes to {count} resident. /summaries shows it.",
                    "📝 Published: the summary goes to {count} residents. /summaries shows it.",
                    reached).format(count=format_count(reached))


def already_published_text() -> str:
    return _("This forum's summary has already been published, and it is published only once. See /summaries.")


def discarded_text() -> str:
    return _("The summary was discarded. Start again with /summary.")


# --- /summaries ----------------------------------------------------------------------------------

def archive_text(page: Page, theme: Proposal | None, locale: str, settings: Settings) -> str:
    if not page.items:
        return _("No forum summaries have been published yet.")
    lines = [_("📚 <b>Forum summaries</b>, newest first")]
    if theme is not None:
        lines.append(_("Theme: {title}").format(title=escape(theme.title)))
    lines.append("")
    for summary, forum in page.items:
        title = localized_text(forum.title, locale, settings.default_locale)[0]
        lines.append(f"• {format_moment(forum.starts_at, locale, settings.zone, DATE)} {escape(title)}")
    if page.pages > 1:
        lines += ["", page_line(page)]
    return "\n".join(lines)


def archive_keyboard(page: Page, theme_id: int, locale: str, settings: Settings) -> InlineKeyboardMarkup | None:
    if not page.items:
        return None
    rows: list[list[Button]] = [
        [(forum_label(forum, locale, settings), SummaryOpen(forum=forum.id, page=page.page, theme=theme_id))]
        for _summary, forum in page.items]
    rows.append(page_buttons(page, lambda number: SummaryList(page=number, theme=theme_id)))
    rows.append([(_("🏷 By theme"), SummaryThemes())])
    return inline_keyboard([row for row in rows if row])


def themes_text() -> str:
    return _("Show the summaries of which theme?")


def themes_keyboard(themes: Sequence[Proposal]) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [[(short(theme.title), SummaryList(theme=theme.id))] for theme in themes]
    return inline_keyboard([[(_("All themes"), SummaryList())], *rows])


def summary_keyboard(summary: ForumSummary, page: int, theme_id: int) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = []
    if summary.attachments:
        rows.append([(_("📎 Attachments ({count})").format(count=len(summary.attachments)),
                      SummaryFiles(forum=summary.forum_id))])
    rows.append([(_("‹ Back"), SummaryList(page=page, theme=theme_id))])
    return inline_keyboard(rows)
