"""Texts and buttons of /mydata and /delete."""
from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import _, format_count, ngettext
from bot.services.privacy import MyData
from bot.telegram.keyboards import inline_keyboard


class PrivacyDo(StrEnum):
    ERASE = "erase"
    CANCEL = "cancel"


class PrivacyStep(CallbackData, prefix="pdx"):
    do: PrivacyDo


def summary_text(found: MyData) -> str:
    unfinished = sum(1 for row in found.tables["survey_participants"] if not row["finished"])
    counted = [
        (found.count("proposals"), ngettext("{count} proposal", "{count} proposals", found.count("proposals"))),
        (found.count("proposal_supports"), ngettext(
            "{count} proposal you support", "{count} proposals you support", found.count("proposal_supports"))),
        (found.count("theme_followers"), ngettext(
            "{count} theme you follow", "{count} themes you follow", found.count("theme_followers"))),
        (found.count("proposal_reports"), ngettext(
            "{count} proposal you reported", "{count} proposals you reported", found.count("proposal_reports"))),
        (found.ballots, ngettext(
            "{count} theme vote you voted in", "{count} theme votes you voted in", found.ballots)),
        (found.count("forum_rsvps"), ngettext(
            "{count} forum RSVP", "{count} forum RSVPs", found.count("forum_rsvps"))),
        (found.count("forum_questions"), ngettext(
            "{count} question to a forum", "{count} questions to forums", found.count("forum_questions"))),
        (found.count("survey_responses"), ngettext(
            "{count} survey response linked to you", "{count} survey responses linked to you",
            found.count("survey_responses"))),
        (unfinished, ngettext("{count} survey you have not finished", "{count} surveys you have not finished",
                              unfinished)),
        (found.count("deliveries"), ngettext(
            "{count} message waiting to be sent to you", "{count} messages waiting to be sent to you",
            found.count("deliveries"))),
        (found.count("staff_roles"), ngettext(
            "{count} staff role", "{count} staff roles", found.count("staff_roles"))),
    ]
    lines = [_("📦 <b>Your data in Foorumi</b>"), "", _(
        "The file holds everything stored about you: your settings (language, who you are, your area, "
        "quiet hours, weekly digest) and what you have done here. Times are in the city's time zone.")]
    done = [f"• {text.format(count=format_count(count))}" for count, text in counted if count]
    if done:
        lines += ["", *done]
    if found.anonymous_surveys:
        lines += ["", ngettext(
            "You answered {count} anonymous survey. Those answers are stored with nothing that leads back "
            "to you, so the file says only that you took part.",
            "You answered {count} anonymous surveys. Those answers are stored with nothing that leads back "
            "to you, so the file says only that you took part.",
            found.anonymous_surveys).format(count=format_count(found.anonymous_surveys))]
    return "\n".join([*lines, "", _("To delete your data, send /delete.")])


def delete_prompt() -> str:
    return "\n\n".join([
        _("🗑 <b>Delete your data?</b>"),
        _("<b>Deleted:</b> your settings and the conversation you are in, your proposals that are still "
          "waiting for moderation or were not taken forward, your questions to forums, the themes you "
          "follow, messages still waiting to be sent to you and any staff roles."),
        _("<b>Kept, with nothing that leads back to you:</b> proposals that became themes (a theme's path is "
          "public record; they stay without an author), your supports, votes, forum RSVPs and survey responses – so "
          "counts and results stay as they were. A seat you took at a coming forum goes to the waiting list."),
        _("This cannot be undone. If you write to me afterwards, you start again as a new resident."),
    ])


def delete_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([
        [(_("🗑 Delete my data"), PrivacyStep(do=PrivacyDo.ERASE))],
        [(_("✖ Cancel"), PrivacyStep(do=PrivacyDo.CANCEL))],
    ])


def erased_text() -> str:
    return _("✅ Your data has been deleted. Thank you for taking part! If you write to me again, "
             "you start afresh as a new resident.")


def kept_text() -> str:
    return _("Nothing was deleted.")
