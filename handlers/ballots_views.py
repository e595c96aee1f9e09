"""Texts and keyboards of /vote, a ballot (/b7, t.me/<bot>?start=b7) and its results."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import N_, _, format_count, format_moment, ngettext
from bot.notices.ballot_buttons import BallotOpen
from bot.notices.ballots import body, open_until, question_of, vote_rows
from bot.notices.words import short
from bot.services.ballots import BallotClosed, NotEligible, NotYetOpen, eligibility
from bot.telegram.keyboards import Button, inline_keyboard
from domain import Method, Phase, localized_text
from handlers.broadcast_views import describe_audience
from storage.models import Area, Ballot


REFUSALS = {
    NotYetOpen: N_("Voting has not opened yet."),
    NotEligible: N_("🔒 This vote is not open to you."),
    BallotClosed: N_("This vote has closed."),
}


class VoteList(CallbackData, prefix="bl"):
    """The open ballots the resident may vote in."""


def list_text(ballots: Sequence[Ballot], locale: str, settings: Settings) -> str:
    if not ballots:
        return _("No votes are open for you right now. When one opens, you will hear about it here.")
    lines = [_("🗳 <b>Open votes</b> – tap one to vote or to change your vote."), ""]
    for ballot in ballots:
        lines.append(_("• {question} – open until {closing}").format(
            question=question_of(ballot, locale, settings.default_locale)[0],
            closing=format_moment(ballot.closes_at, locale, settings.zone)))
    return "\n".join(lines)


def list_keyboard(ballots: Sequence[Ballot], locale: str, settings: Settings) -> InlineKeyboardMarkup | None:
    if not ballots:
        return None
    return inline_keyboard([
        [(short(localized_text(ballot.question, locale, settings.default_locale)[0]),
          BallotOpen(ballot=ballot.id))]
        for ballot in ballots
    ])


def ballot_text(ballot: Ballot, phase: Phase, eligible: bool, areas: Mapping[int, Area], locale: str,
                settings: Settings) -> str:
    """The ballot and where it stands for this resident: open, not yet, closed or not theirs."""
    if phase == Phase.CLOSED:
        state = _("🔒 Voting closed {closing}.").format(
            closing=format_moment(ballot.closes_at, locale, settings.zone))
    elif not eligible:
        who = describe_audience(eligibility(ballot), list(areas.values()), locale)
        state = _("🔒 This vote is for some residents only ({who}). If your details have changed, "
                  "you can update them in /settings.").format(who=who)
    elif phase == Phase.UPCOMING:
        state = _("⏳ Voting opens {opening}.").format(
            opening=format_moment(ballot.opens_at, locale, settings.zone))
    else:
        state = open_until(ballot, locale, settings)
    return f"🗳 {body(ballot, locale, settings)}\n\n{state}"


def ballot_keyboard(ballot: Ballot, choices: Collection[int] | None, results_shown: bool, locale: str,
                    settings: Settings) -> InlineKeyboardMarkup:
    """The vote buttons when the resident may vote now (`choices` not None), then Results and back."""
    rows: list[list[Button]] = []
    if choices is not None:
        rows += vote_rows(ballot, locale, settings.default_locale, choices)
    if results_shown:
        rows.append([(_("📊 Results"), BallotOpen(ballot=ballot.id, results=True))])
    rows.append([(_("‹ All open votes"), VoteList())])
    return inline_keyboard(rows)


def results_keyboard(ballot_id: int) -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("‹ Back"), BallotOpen(ballot=ballot_id))]])


def vote_toast(method: str, option_id: int, before: Collection[int], after: Collection[int]) -> str:
    """What a tap did: counted, changed, or (several choices) an option chosen or removed."""
    if method == Method.APPROVAL:
        return _("✅ Chosen") if option_id in after else _("Removed")
    if before and set(before) != set(after):
        return _("✅ Vote changed")
    return _("✅ Your vote was counted")


def refused_toast(error: NotYetOpen | NotEligible | BallotClosed) -> str:
    """Why a tap changed nothing; the message then shows where the ballot stands."""
    return _(REFUSALS[type(error)])


def too_many_text(limit: int) -> str:
    return ngettext(
        "You can choose up to {count} option. Tap a chosen one to remove it first.",
        "You can choose up to {count} options. Tap a chosen one to remove it first.",
        limit,
    ).format(count=format_count(limit))
