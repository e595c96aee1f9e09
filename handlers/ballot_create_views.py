"""Texts and keyboards of /newballot: question, options, method, who may vote, times, results,
and the preview of the announcement residents get."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from html import escape
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, _, format_count, format_moment, ngettext
from bot.notices.words import short
from bot.services.ballots import Problem
from bot.telegram.keyboards import Button, inline_keyboard
from domain import LANGUAGE_IN, LANGUAGE_LABELS, MAX_OPTIONS, METHOD_LABELS, MIN_OPTIONS, Audience, Method
from domain.ids import Natural
from handlers.broadcast_views import AudienceKind, AudienceToggle, audience_keyboard
from storage.models import Area, Proposal

STEPS = 7
PROBLEM_PARTS = {
    "question": N_("Question"), "options": N_("Options"), "max_choices": N_("Most choices"),
    "closes": N_("Closing time"), "areas": N_("Areas"),
}


class CreateDo(StrEnum):
    SKIP = "skip"  # this language of the question
    UNDO = "undo"  # remove the last option
    DONE = "done"  # the options are ready
    SINGLE = "single"
    SEVERAL = "several"
    VOTERS = "voters"  # who may vote is chosen
    NOW = "now"  # opens right away
    LIVE = "live"
    AFTER = "after_close"
    TIMES = "times"  # change the times (from the preview)
    CREATE = "create"
    CANCEL = "cancel"


class NewBallotStep(CallbackData, prefix="nb"):
    do: CreateDo


class ThemeToggle(CallbackData, prefix="nbt"):
    """Offer a theme as an option, or take it out; theme 0 only turns to `page`."""

    theme: Natural
    page: Natural


class MaxChoices(CallbackData, prefix="nbk"):
    count: Natural


def header(number: int) -> str:
    return _("🗳 <b>New vote</b> · step {number} of {steps}").format(number=number, steps=STEPS)


def cancel_row() -> list[Button]:
    return [(_("✖ Cancel"), NewBallotStep(do=CreateDo.CANCEL))]


def discarded_text() -> str:
    return _("The draft vote was discarded – nothing was created.")


# --- 1. the question ---------------------------------------------------------------------------

def question_prompt(locale: str, written: bool) -> str:
    language = _(LANGUAGE_IN[locale])
    text = header(1) + "\n\n" + _("Write the question <b>{language}</b>.").format(language=language)
    if not written:
        text += "\n\n" + _("Skip the languages you do not need: residents then see the question in "
                           "another language, with a short note.")
    return text


def question_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("Skip this language ›"), NewBallotStep(do=CreateDo.SKIP))], cancel_row()])


# --- 2. the options ----------------------------------------------------------------------------

def option_name(option: Mapping) -> str:
    """An option of the draft as staff read it: a theme's title, or the labels written."""
    if option["theme_id"] is not None:
        return _("{title} (theme #{id})").format(title=escape(option["title"]), id=option["theme_id"])
    return escape(" | ".join(option["labels"].values()))


def options_text(options: Sequence[Mapping], languages: Sequence[str], theme_count: int) -> str:
    lines = [header(2), "", _("<b>Options</b> ({least}–{most}): choose themes below, or write an option "
                              "and send it – one option per message.").format(least=MIN_OPTIONS,
                                                                            most=MAX_OPTIONS)]
    if len(languages) > 1:
        names = " | ".join(_(LANGUAGE_LABELS[code]) for code in languages)
        lines.append(_("To write an option in several languages, put | between them: {languages}.").format(
            languages=names))
    if not theme_count:
        lines.append(_("No themes are in the initiative or preparation stage right now."))
    lines += ["", _("<b>Chosen so far</b>:") if options else _("No options yet.")]
    lines += [f"{number}. {option_name(option)}" for number, option in enumerate(options, 1)]
    return "\n".join(lines)


def options_keyboard(themes: Sequence[Proposal], chosen: Sequence[int], page: int, pages: int,
                     any_options: bool) -> InlineKeyboardMarkup:
    theme_rows = [[(("✓ " if theme.id in chosen else "") + short(f"#{theme.id} {theme.title}"),
                    ThemeToggle(theme=theme.id, page=page))] for theme in themes]
    turn = [(_("Page {page} of {pages} ›").format(page=page + 1, pages=pages),
             ThemeToggle(theme=0, page=(page + 1) % pages))] if pages > 1 else []
    return inline_keyboard([
        *theme_rows,
        turn,
        [(_("↩ Remove the last option"), NewBallotStep(do=CreateDo.UNDO))] if any_options else [],
        [(_("Done ›"), NewBallotStep(do=CreateDo.DONE))],
        cancel_row(),
    ])


def options_needed_text() -> str:
    return _("A vote needs {least}–{most} options.").format(least=MIN_OPTIONS, most=MAX_OPTIONS)


def label_count_text(languages: Sequence[str]) -> str:
    return _("Write the option once, or once per language of the question with | between them: "
             "{languages}.").format(languages=" | ".join(_(LANGUAGE_LABELS[code]) for code in languages))


# --- 3. the method -----------------------------------------------------------------------------

def method_prompt() -> str:
    return header(3) + "\n\n" + _("<b>How do residents vote?</b> Each chooses one option, or several.")


def method_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([
        [(_(METHOD_LABELS[Method.SINGLE]), NewBallotStep(do=CreateDo.SINGLE)),
         (_(METHOD_LABELS[Method.APPROVAL]), NewBallotStep(do=CreateDo.SEVERAL))],
        cancel_row(),
    ])


def choices_prompt() -> str:
    return header(3) + "\n\n" + _("<b>How many options may each resident choose at most?</b>")


def choices_keyboard(options: int) -> InlineKeyboardMarkup:
    numbers = [(str(count), MaxChoices(count=count)) for count in range(2, options + 1)]
    return inline_keyboard([*(numbers[i:i + 4] for i in range(0, len(numbers), 4)), cancel_row()])


# --- 4. who may vote ---------------------------------------------------------------------------

def voters_text(who: str) -> str:
    return "\n\n".join([
        header(4),
        _("👥 <b>Who may vote?</b> Choose areas and resident groups; leave one empty to include "
          "everyone in it."),
        _("Now: {who}").format(who=who),
    ])


def may_vote_line(count: int) -> str:
    return "<b>" + ngettext("{count} resident may vote", "{count} residents may vote", count).format(
        count=format_count(count)) + "</b>"


def voters_keyboard(audience: Audience, areas: Sequence[Area], page: int, pages: int,
                    locale: str) -> InlineKeyboardMarkup:
    """The broadcast audience's choices of areas and resident groups (a vote is not for a language)."""
    rows = [[(button.text, button.callback_data) for button in row]
            for row in audience_keyboard(audience, areas, page, pages, locale).inline_keyboard
            if _audience_choice(row)]
    return inline_keyboard([*rows, [(_("Continue ›"), NewBallotStep(do=CreateDo.VOTERS))], cancel_row()])


def _audience_choice(row: Sequence[InlineKeyboardButton]) -> bool:
    """A row of area, resident group or page buttons (not languages, not the broadcast's own steps)."""
    data = row[0].callback_data or ""
    return data.startswith(AudienceToggle.__prefix__ + ":") and \
        AudienceToggle.unpack(data).kind != AudienceKind.LANGUAGE


# --- 5.–7. opening, closing, results -----------------------------------------------------------

def time_examples(zone: ZoneInfo) -> str:
    return _("Write a local time ({zone}), for example <code>9:00</code> (the next 9 o'clock), "
             "<code>1.12. 9:00</code> or <code>2026-12-01 09:00</code>.").format(zone=zone.key)


def opens_prompt(zone: ZoneInfo) -> str:
    return "\n\n".join([header(5), _("🕓 <b>When does voting open?</b>"), time_examples(zone)])


def opens_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("▶ Right away"), NewBallotStep(do=CreateDo.NOW))], cancel_row()])


def closes_prompt(zone: ZoneInfo) -> str:
    return "\n\n".join([header(6), _("🏁 <b>When does voting close?</b>"), time_examples(zone)])


def cancel_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([cancel_row()])


def not_a_time_text() -> str:
    return _("I could not read that as a time in the future.")


def closes_too_early_text(opens: str) -> str:
    return _("Voting has to close after it opens ({moment}).").format(moment=opens)


def visibility_prompt() -> str:
    return header(7) + "\n\n" + _("📊 <b>When may residents see the results?</b>")


def visibility_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([
        [(_("While it is open"), NewBallotStep(do=CreateDo.LIVE))],
        [(_("Only once it has closed"), NewBallotStep(do=CreateDo.AFTER))],
        cancel_row(),
    ])


# --- the preview -------------------------------------------------------------------------------

def when_opens(moment: str | None) -> str:
    return moment or _("right away, when you create it")


def preview_text(announcement: str, facts: Sequence[str]) -> str:
    return "\n\n".join([_("<b>Ready?</b> This is the announcement residents get when voting opens:"),
                        announcement, "———\n" + "\n".join(facts)])


def problems_text(problems: Sequence[Problem]) -> str:
    """What keeps the draft from becoming a vote, in the staff member's language."""
    return _("⚠️ Something needs fixing before the vote can be created:") + "\n" + \
        "\n".join(f"• {_part(problem.part)}: {escape(_(problem.msgid).format(**problem.values))}"
                  for problem in problems)


def _part(part: str) -> str:
    """"closes" → "Closing time", "option 2" → "Option 2", in the staff member's language."""
    if part.startswith("option "):
        return _("Option {number}").format(number=part.removeprefix("option "))
    return _(PROBLEM_PARTS[part])


def problems_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("🕓 Change the times"), NewBallotStep(do=CreateDo.TIMES))], cancel_row()])


def preview_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([
        [(_("✅ Create the vote"), NewBallotStep(do=CreateDo.CREATE))],
        [(_("🕓 Change the times"), NewBallotStep(do=CreateDo.TIMES))],
        cancel_row(),
    ])


def created_text(ballot_id: int, opens: str | None) -> str:
    if opens is None:
        opening = _("It opens now: the announcement goes out within a few seconds.")
    else:
        opening = _("It opens {moment}, and the announcement goes out then.").format(moment=opens)
    return "\n".join([_("✅ <b>Vote #{id}</b> is created.").format(id=ballot_id), opening,
                      _("Follow it in /ballots.")])


def unexpected_text(step: str) -> str:
    hints = {
        "options": _("Write an option as text, or choose themes with the buttons."),
        "method": _("Please choose with the buttons."),
        "max_choices": _("Please choose with the buttons."),
        "voters": _("Please choose with the buttons."),
        "visibility": _("Please choose with the buttons."),
        "preview": _("Please use the buttons under the preview."),
    }
    return hints.get(step, _("Please write it as text – stickers, photos and files can't be used here."))


def moment_text(moment_iso: str | None, locale: str, zone: ZoneInfo) -> str | None:
    """A moment kept in the draft (ISO 8601, None: right away) as the reader writes it."""
    return format_moment(datetime.fromisoformat(moment_iso), locale, zone) if moment_iso else None
