"""Texts and keyboards of /ballots for staff: the list, a ballot's staff view with who took part,
reminders to the groups that lag behind, choosing the result of a tie, and the results chart."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import N_, _, format_count, format_moment, format_share, ngettext
from bot.notices.ballots import group_label, body, question_of, results_text
from bot.notices.words import short
from bot.services.ballot_counts import Results
from bot.services.ballot_turnout import GroupTurnout, Turnout
from bot.services.ballots import eligibility
from bot.telegram.keyboards import Button, inline_keyboard
from domain import Phase, Visibility, localized_text
from domain.ids import Natural
from handlers.broadcast_views import describe_audience
from storage.models import Area, Ballot

PAGE_SIZE = 5
TURNOUT_LINES = 5  # groups shown under the turnout, furthest below the city's first
STAFF_RESULTS_LIMIT = 2500  # characters: the results leave room for the facts and the turnout
REMIND_CHOICES = 6  # groups offered for a reminder

PHASE_LABELS = {
    Phase.UPCOMING: N_("⏳ upcoming"),
    Phase.OPEN: N_("🟢 open"),
    Phase.CLOSED: N_("🏁 closed"),
}
VISIBILITY_LABELS = {
    Visibility.LIVE: N_("📊 Results can be seen while it is open"),
    Visibility.AFTER_CLOSE: N_("📊 Results can be seen once it has closed"),
}


class AdminDo(StrEnum):
    OPEN = "open"
    CHART = "chart"
    REMIND = "remind"
    TIE = "tie"  # ask to confirm the chosen option
    DECIDE = "decide"  # confirmed


class BallotAdmin(CallbackData, prefix="bad"):
    ballot: Natural
    do: AdminDo
    option: Natural = 0


class BallotPage(CallbackData, prefix="bap"):
    page: Natural


class RemindPick(CallbackData, prefix="brp"):
    """Choose (or un-choose) a group to remind: (grouping, group) as in the turnout."""

    by: str
    group: str


class RemindDo(StrEnum):
    CONFIRM = "confirm"
    BACK = "back"
    SEND = "send"
    CANCEL = "cancel"


class RemindStep(CallbackData, prefix="brs"):
    do: RemindDo


# --- shared with the preview of a new ballot ---------------------------------------------------

def facts(opens: str, closes: str, who: str, visibility: Visibility) -> list[str]:
    """When it opens and closes, who may vote and when the results can be seen."""
    return [
        _("🕓 Opens: {moment}").format(moment=opens),
        _("🏁 Closes: {moment}").format(moment=closes),
        _("👥 Voters: {who}").format(who=who),
        _(VISIBILITY_LABELS[visibility]),
    ]


def share_line(voted: int, eligible: int, locale: str) -> str:
    return _("{voted} of {eligible} ({share})").format(
        voted=format_count(voted, locale), eligible=format_count(eligible, locale),
        share=format_share(voted / eligible if eligible else 0.0, locale))


# --- the list ----------------------------------------------------------------------------------

def listing_text(rows: Sequence[tuple[Ballot, Phase, Turnout]], locale: str, settings: Settings) -> str:
    if not rows:
        return _("No votes yet. Create one with /newballot.")
    lines = [_("🗳 <b>Votes</b>, the latest first")]
    for ballot, phase, turnout in rows:
        lines += ["", " · ".join([f"<b>#{ballot.id}</b>", _(PHASE_LABELS[phase]),
                                  _when(ballot, phase, locale, settings)]),
                  question_of(ballot, locale, settings.default_locale)[0],
                  _("Took part: {turnout}").format(
                      turnout=share_line(turnout.voted, turnout.eligible, locale))]
    return "\n".join(lines)


def _when(ballot: Ballot, phase: Phase, locale: str, settings: Settings) -> str:
    if phase == Phase.UPCOMING:
        return _("opens {moment}").format(moment=format_moment(ballot.opens_at, locale, settings.zone))
    moment = format_moment(ballot.closes_at, locale, settings.zone)
    return _("closes {moment}").format(moment=moment) if phase == Phase.OPEN \
        else _("closed {moment}").format(moment=moment)


def listing_keyboard(rows: Sequence[tuple[Ballot, Phase, Turnout]], page: int, more: bool,
                     locale: str, settings: Settings) -> InlineKeyboardMarkup:
    buttons: list[list[Button]] = [
        [(f"#{ballot.id} " + short(localized_text(ballot.question, locale, settings.default_locale)[0], 36),
          BallotAdmin(ballot=ballot.id, do=AdminDo.OPEN))]
        for ballot, _phase, _turnout in rows
    ]
    turns = [(_("‹ Newer"), BallotPage(page=page - 1))] if page > 0 else []
    turns += [(_("Older ›"), BallotPage(page=page + 1))] if more else []
    return inline_keyboard([*buttons, turns])


# --- one ballot --------------------------------------------------------------------------------

def staff_text(ballot: Ballot, phase: Phase, turnout: Turnout, results: Results | None,
               areas: Mapping[int, Area], locale: str, settings: Settings) -> str:
    """The ballot (once closed: its results, and a tie to decide), its facts and who took part."""
    who = describe_audience(eligibility(ballot), list(areas.values()), locale)
    parts = [
        _("🗳 <b>Vote #{id}</b> · {phase}").format(id=ballot.id, phase=_(PHASE_LABELS[phase])),
        body(ballot, locale, settings) if results is None
        else results_text(ballot, results, locale, areas, settings, limit=STAFF_RESULTS_LIMIT),
        "\n".join(facts(format_moment(ballot.opens_at, locale, settings.zone),
                        format_moment(ballot.closes_at, locale, settings.zone), who,
                        Visibility(ballot.visibility))),
        turnout_text(turnout, areas, locale),
    ]
    if results is not None and undecided_tie(ballot, results):
        parts.append(_("Choose the result of the tie with the buttons below."))
    return "\n\n".join(parts)


def turnout_text(turnout: Turnout, areas: Mapping[int, Area], locale: str) -> str:
    lines = [_("<b>Who took part</b>: {turnout}").format(
        turnout=share_line(turnout.voted, turnout.eligible, locale))]
    if turnout.groups:
        lines.append(_("By group, furthest below the city's turnout first:"))
        lines += [f"• {group_label(group.by, group.group, areas, locale)}: "
                  f"{share_line(group.voted, group.eligible, locale)}"
                  for group in turnout.groups[:TURNOUT_LINES]]
    return "\n".join(lines)


def undecided_tie(ballot: Ballot, results: Results) -> bool:
    return ballot.closed_at is not None and results.outcome.tied and ballot.decided_option_id is None


def staff_keyboard(ballot: Ballot, phase: Phase, results: Results | None, locale: str,
                   settings: Settings) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = []
    if phase == Phase.OPEN:
        rows.append([(_("🔔 Remind those who have not voted in these groups"),
                      BallotAdmin(ballot=ballot.id, do=AdminDo.REMIND))])
    if results is not None and undecided_tie(ballot, results):
        rows += [[(_("Choose {option}").format(option=short(_label(ballot, option_id, locale, settings), 40)),
                   BallotAdmin(ballot=ballot.id, do=AdminDo.TIE, option=option_id))]
                 for option_id in results.outcome.leaders]
    if phase != Phase.UPCOMING:
        rows.append([(_("📊 Chart"), BallotAdmin(ballot=ballot.id, do=AdminDo.CHART))])
    rows.append([(_("‹ All votes"), BallotPage(page=0))])
    return inline_keyboard(rows)


def _label(ballot: Ballot, option_id: int, locale: str, settings: Settings) -> str:
    option = next(option for option in ballot.options if option.id == option_id)
    return localized_text(option.labels, locale, settings.default_locale)[0]


# --- choosing the result of a tie --------------------------------------------------------------

def tie_text(ballot: Ballot, option_id: int, locale: str, settings: Settings) -> str:
    option = next(option for option in ballot.options if option.id == option_id)
    label = escape(localized_text(option.labels, locale, settings.default_locale)[0])
    consequence = _("Its theme moves to the forum stage and the theme's followers are told.") \
        if option.theme_id else _("It is recorded as the result of the vote.")
    return "\n\n".join([
        _("⚖️ Choose <b>{option}</b> as the result of the tied vote #{id}?").format(
            option=label, id=ballot.id),
        consequence + " " + _("This cannot be undone."),
    ])


def tie_keyboard(ballot: Ballot, option_id: int, locale: str, settings: Settings) -> InlineKeyboardMarkup:
    label = short(_label(ballot, option_id, locale, settings), 40)
    return inline_keyboard([
        [(_("✅ Choose {option}").format(option=label),
          BallotAdmin(ballot=ballot.id, do=AdminDo.DECIDE, option=option_id))],
        [(_("‹ Back"), BallotAdmin(ballot=ballot.id, do=AdminDo.OPEN))],
    ])


# --- reminders ---------------------------------------------------------------------------------

def remindable(turnout: Turnout) -> list[GroupTurnout]:
    """The groups a reminder is offered to: those with someone left to vote, lowest turnout first."""
    return [group for group in turnout.groups if group.voted < group.eligible][:REMIND_CHOICES]


def remind_text(ballot: Ballot, locale: str, settings: Settings) -> str:
    return "\n\n".join([
        _("🔔 <b>Reminder</b> · vote #{id}").format(id=ballot.id),
        question_of(ballot, locale, settings.default_locale)[0],
        _("Choose the groups to remind: the reminder goes once to everyone in them who may vote and "
          "has not voted yet."),
    ])


def remind_keyboard(offered: Sequence[GroupTurnout], chosen: Sequence[Sequence[str]],
                    areas: Mapping[int, Area], locale: str) -> InlineKeyboardMarkup:
    def label(group: GroupTurnout) -> str:
        mark = "✓ " if [group.by, group.group] in chosen else ""
        return f"{mark}{group_label(group.by, group.group, areas, locale)} · {group.voted}/{group.eligible}"

    return inline_keyboard([
        *([(label(group), RemindPick(by=group.by, group=group.group))] for group in offered),
        [(_("Continue ›"), RemindStep(do=RemindDo.CONFIRM)), (_("✖ Cancel"), RemindStep(do=RemindDo.CANCEL))],
    ])


def remind_confirm_text(count: int, names: Sequence[str], locale: str) -> str:
    groups = _("Groups: {names}").format(names=", ".join(names))
    if not count:
        return _("Everyone in these groups who may vote has voted already – there is nobody to "
                 "remind.") + "\n" + groups
    return ngettext(
        "🔔 Send the reminder to <b>{count} resident</b> who has not voted yet?",
        "🔔 Send the reminder to <b>{count} residents</b> who have not voted yet?",
        count,
    ).format(count=format_count(count, locale)) + "\n" + groups


def remind_confirm_keyboard(count: int) -> InlineKeyboardMarkup:
    return inline_keyboard([
        [(_("✅ Send the reminder"), RemindStep(do=RemindDo.SEND))] if count else [],
        [(_("‹ Back"), RemindStep(do=RemindDo.BACK)), (_("✖ Cancel"), RemindStep(do=RemindDo.CANCEL))],
    ])


def reminded_text(count: int, locale: str) -> str:
    return ngettext(
        "🔔 The reminder is on its way to {count} resident.",
        "🔔 The reminder is on its way to {count} residents.",
        count,
    ).format(count=format_count(count, locale))


def back_keyboard(ballot_id: int) -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("‹ Back to the vote"), BallotAdmin(ballot=ballot_id, do=AdminDo.OPEN))]])


# --- the chart ---------------------------------------------------------------------------------

def chart_labels(ballot: Ballot, locale: str, settings: Settings) -> list[str]:
    return [f"{option.position}. {localized_text(option.labels, locale, settings.default_locale)[0]}"
            for option in ballot.options]


def chart_caption(ballot: Ballot, locale: str, settings: Settings) -> str:
    return _("📊 Vote #{id}: {question}").format(
        id=ballot.id, question=question_of(ballot, locale, settings.default_locale)[0])


def chart_axis(voters: int, locale: str) -> str:
    return ngettext("Votes ({count} voter)", "Votes ({count} voters)", voters).format(
        count=format_count(voters, locale))
