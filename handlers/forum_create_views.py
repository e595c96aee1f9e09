"""Texts and keyboards of /newforum: theme, title and description, times, place, map location,
remote link, seats, reminders, who is invited, and the preview of the invitation residents get."""
from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from html import escape
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, _, format_count, ngettext
from bot.notices.words import short
from bot.services.forums import PLACE_LIMIT, Problem
from bot.telegram.keyboards import Button, inline_keyboard
from domain import LANGUAGE_IN, Audience, ForumAudience
from domain.ids import Natural
from handlers.broadcast_views import AudienceKind, AudienceToggle, audience_keyboard, describe_audience
from storage.models import Area, Forum, Proposal

STEPS = 11

# The steps staff can go back to from the preview, in order: (state name, label).
EDITABLE = (
    ("theme", N_("🏷 Theme")), ("title", N_("✏️ Title")), ("description", N_("📝 Description")),
    ("starts", N_("🗓 Date and time")), ("ends", N_("🏁 End")), ("place", N_("📍 Place")),
    ("location", N_("🗺 Map location")), ("remote", N_("💻 Remote link")), ("capacity", N_("🪑 Seats")),
    ("reminders", N_("⏰ Reminders")), ("audience", N_("👥 Invited")),
)
PROBLEM_PARTS = dict(EDITABLE) | {"remote_url": N_("💻 Remote link"), "areas": N_("👥 Invited")}
REMINDER_PRESETS = (
    ((24 * 60, 60), N_("24 h and 1 h before")),
    ((48 * 60, 120), N_("48 h and 2 h before")),
    ((60,), N_("Only 1 h before")),
    ((), N_("No reminders")),
)
AUDIENCE_LABELS = {
    ForumAudience.THEME: N_("The theme's followers and supporters"),
    ForumAudience.AREAS: N_("Residents of chosen areas"),
    ForumAudience.EVERYONE: N_("Everyone"),
}


class ForumDo(StrEnum):
    SKIP = "skip"  # this language, or an optional step
    AREAS = "areas"  # the areas are chosen
    CREATE = "create"
    EDIT = "edit"  # from the preview: choose a step to change
    PREVIEW = "preview"  # back to the preview
    CANCEL = "cancel"


class NewForumStep(CallbackData, prefix="nf"):
    do: ForumDo


class ThemePick(CallbackData, prefix="nft"):
    """Choose a theme of `page`; theme 0 only turns to `page`."""

    theme: Natural
    page: Natural


class ReminderPick(CallbackData, prefix="nfr"):
    preset: Natural  # index of REMINDER_PRESETS


class AudiencePick(CallbackData, prefix="nfa"):
    kind: ForumAudience


class EditPick(CallbackData, prefix="nfe"):
    step: str  # a name of EDITABLE


def header(number: int) -> str:
    return _("🗣 <b>New forum</b> · step {number} of {steps}").format(number=number, steps=STEPS)


def prompt(number: int, *parts: str) -> str:
    return "\n\n".join([header(number), *parts])


def cancel_row() -> list[Button]:
    return [(_("✖ Cancel"), NewForumStep(do=ForumDo.CANCEL))]


def cancel_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([cancel_row()])


def skip_keyboard(label: str) -> InlineKeyboardMarkup:
    return inline_keyboard([[(label, NewForumStep(do=ForumDo.SKIP))], cancel_row()])


def discarded_text() -> str:
    return _("The draft forum was discarded – nothing was created.")


# --- 1. the theme ------------------------------------------------------------------------------

def theme_prompt(total: int) -> str:
    if not total:
        return prompt(1, _("There are no public themes yet: a forum is always about a theme on its path."))
    return prompt(1, _("🏷 <b>Which theme is the forum about?</b> Its followers and supporters can be "
                       "invited."))


def theme_keyboard(themes: Sequence[Proposal], page: int, pages: int) -> InlineKeyboardMarkup:
    turn = [(_("Page {page} of {pages} ›").format(page=page + 1, pages=pages),
             ThemePick(theme=0, page=(page + 1) % pages))] if pages > 1 else []
    return inline_keyboard([
        *([(short(f"#{theme.id} {theme.title}"), ThemePick(theme=theme.id, page=page))] for theme in themes),
        turn, cancel_row(),
    ])


# --- 2.–3. title and description, one language at a time ---------------------------------------

def text_prompt(number: int, part: str, locale: str, first: bool) -> str:
    language = _(LANGUAGE_IN[locale])
    ask = (_("Write the forum's <b>title</b> {language}.") if part == "title"
           else _("Write the forum's <b>description</b> {language}: what will be discussed, and "
                  "who is there to listen.")).format(language=language)
    if first:
        return prompt(number, ask)
    return prompt(number, ask, _("Skip it if you do not need this language: residents then read "
                                 "another language, with a short note."))


def text_keyboard(first: bool) -> InlineKeyboardMarkup:
    return cancel_keyboard() if first else skip_keyboard(_("Skip this language ›"))


# --- 4.–5. when --------------------------------------------------------------------------------

def starts_prompt(zone: ZoneInfo) -> str:
    return prompt(4, _("🗓 <b>When does the forum start?</b>"),
                  _("Write the date and time ({zone}), for example <code>4.8. 18.00</code> or "
                    "<code>2026-08-04 18:00</code>.").format(zone=zone.key))


def ends_prompt(starts: str) -> str:
    return prompt(5, _("🏁 <b>When does it end?</b> It starts {moment}.").format(moment=starts),
                  _("Write the time, for example <code>20.00</code> – or a date and time if it ends "
                    "on another day."))


def not_a_start_text() -> str:
    return _("I could not read that as a date and time in the future.")


def not_an_end_text() -> str:
    return _("I could not read that as a time, for example 20.00.")


def ends_too_early_text() -> str:
    return _("The forum has to end after it starts.")


def too_long_text() -> str:
    return _("A forum can last at most 24 hours.")


# --- 6.–9. place, map, remote link, seats ------------------------------------------------------

def place_prompt() -> str:
    return prompt(6, _("📍 <b>Where is it held?</b> Write the place and its address (at most {limit} "
                       "characters).").format(limit=PLACE_LIMIT))


def location_prompt() -> str:
    return prompt(7, _("🗺 <b>A map location?</b> Share it with 📎 → Location, so residents can find "
                       "the way – or skip."))


def not_a_location_text() -> str:
    return _("Please share a location with 📎 → Location – or press Skip.")


def remote_prompt() -> str:
    return prompt(8, _("💻 <b>Can residents take part remotely?</b> Send the link to the meeting "
                       "(https://…) – or skip if it is held on site only."))


def not_a_link_text() -> str:
    return _("Please send a web address starting with https:// – or press Skip.")


def capacity_prompt() -> str:
    return prompt(9, _("🪑 <b>How many seats are there?</b> Send a number – or skip if there is no "
                       "limit."))


def not_a_capacity_text() -> str:
    return _("Please send the number of seats as a whole number (at least 1) – or press Skip.")


# --- 10.–11. reminders and who is invited ------------------------------------------------------

def reminders_prompt() -> str:
    return prompt(10, _("⏰ <b>When are those coming reminded?</b>"))


def reminders_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([*([(_(label), ReminderPick(preset=number))]
                              for number, (_minutes, label) in enumerate(REMINDER_PRESETS)),
                            cancel_row()])


def reminders_label(minutes: Sequence[int]) -> str:
    return next(_(label) for preset, label in REMINDER_PRESETS if tuple(minutes) == preset)


def audience_prompt() -> str:
    return prompt(11, _("👥 <b>Who gets the invitation?</b>"))


def audience_keyboard_of_forum() -> InlineKeyboardMarkup:
    return inline_keyboard([*([(_(label), AudiencePick(kind=kind))] for kind, label in AUDIENCE_LABELS.items()),
                            cancel_row()])


def areas_prompt(chosen: str) -> str:
    return prompt(11, _("👥 <b>Which areas are invited?</b> Choose one or more."),
                  _("Now: {who}").format(who=chosen or "–"))


def areas_keyboard(area_ids: Sequence[int], areas: Sequence[Area], page: int, pages: int,
                   locale: str) -> InlineKeyboardMarkup:
    """The broadcast audience's area buttons (and its page turn), then Continue."""
    chosen = Audience(area_ids=tuple(area_ids))
    rows = [[(button.text, button.callback_data) for button in row]
            for row in audience_keyboard(chosen, areas, page, pages, locale).inline_keyboard if _area_row(row)]
    return inline_keyboard([*rows, [(_("Continue ›"), NewForumStep(do=ForumDo.AREAS))], cancel_row()])


def _area_row(row: Sequence[InlineKeyboardButton]) -> bool:
    data = row[0].callback_data or ""
    return data.startswith(AudienceToggle.__prefix__ + ":") and AudienceToggle.unpack(data).kind == AudienceKind.AREA


def no_area_text() -> str:
    return _("Choose at least one area.")


def buttons_text() -> str:
    return _("Please choose with the buttons.")


# --- the preview -------------------------------------------------------------------------------

def audience_text(kind: ForumAudience, areas: Sequence[Area], area_ids: Sequence[int], locale: str) -> str:
    if kind == ForumAudience.AREAS:
        return describe_audience(Audience(area_ids=tuple(area_ids)), areas, locale)
    return _(AUDIENCE_LABELS[kind])


def invited_line(count: int) -> str:
    return "<b>" + ngettext("{count} resident will be invited", "{count} residents will be invited",
                            count).format(count=format_count(count)) + "</b>"


def facts(forum: Forum, theme: Proposal, audience: str, invited: int) -> list[str]:
    """What the invitation does not show, for staff to check."""
    return [
        _("🏷 Theme: {title} (#{id})").format(title=escape(theme.title), id=theme.id),
        _("🗺 Map location attached") if forum.latitude is not None else _("🗺 No map location"),
        _("💻 Remote link: {url}").format(url=escape(forum.remote_url)) if forum.remote_url
        else _("💻 On site only"),
        _("🪑 Seats: {count}").format(count=format_count(forum.capacity)) if forum.capacity
        else _("🪑 No limit on seats"),
        _("⏰ Reminders: {when}").format(when=reminders_label(forum.reminders)),
        _("👥 Invited: {who}").format(who=audience) + "\n" + invited_line(invited),
    ]


def preview_text(invitation: str, lines: Sequence[str]) -> str:
    return "\n\n".join([_("<b>Ready?</b> This is the invitation residents get (the forum's number is "
                          "given when you create it):"), invitation, "———\n" + "\n".join(lines)])


def preview_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([
        [(_("✅ Create and invite"), NewForumStep(do=ForumDo.CREATE))],
        [(_("✏️ Edit"), NewForumStep(do=ForumDo.EDIT))],
        cancel_row(),
    ])


def problems_text(problems: Sequence[Problem]) -> str:
    """What keeps the draft from becoming a forum, in the staff member's language."""
    return _("⚠️ Something needs fixing before the forum can be created:") + "\n" + "\n".join(
        f"• {_(PROBLEM_PARTS[problem.part])}: {escape(_(problem.msgid).format(**problem.values))}"
        for problem in problems)


def problems_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("✏️ Edit"), NewForumStep(do=ForumDo.EDIT))], cancel_row()])


def edit_text() -> str:
    return _("✏️ <b>What do you want to change?</b>")


def edit_keyboard() -> InlineKeyboardMarkup:
    buttons = [(_(label), EditPick(step=step)) for step, label in EDITABLE]
    return inline_keyboard([*(buttons[i:i + 2] for i in range(0, len(buttons), 2)),
                            [(_("‹ Back to the preview"), NewForumStep(do=ForumDo.PREVIEW))], cancel_row()])


def created_text(forum_id: int, invited: int, starts: str) -> str:
    return "\n".join([
        _("✅ <b>Forum #{id}</b> is created ({moment}).").format(id=forum_id, moment=starts),
        ngettext("Its invitation is on its way to {count} resident.",
                 "Its invitation is on its way to {count} residents.", invited).format(
            count=format_count(invited)),
        _("Residents open it with /f{id}.").format(id=forum_id),
    ])
