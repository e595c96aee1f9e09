"""What residents read of a ballot – its question, options, buttons and results – in the current
locale. The notices compose these once per language; the handlers show them to one resident."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from html import escape

from bot.config import Settings
from bot.i18n import N_, _, format_count, format_moment, format_share, ngettext
from bot.notices.ballot_buttons import VotePick
from bot.notices.words import area_name, short
from bot.services.ballot_counts import Breakdown, Results
from bot.telegram.keyboards import Button
from domain import (
    LANGUAGE_IN, RESIDENT_GROUP_LABELS, SMALL_GROUP, Method, Outcome, ResidentType, bar, localized_text, share,
)
from storage.models import Area, Ballot, BallotOption

RESULTS_LIMIT = 3500  # characters: room left in a message of 4,096 for the notice around the results
BREAKDOWN_TITLES = {"resident_type": N_("<b>By resident group</b>"), "area_id": N_("<b>By area</b>")}


# --- staff-written texts in the reader's language ------------------------------------------------

def only_in(used: str, locale: str) -> str:
    """" (only available in Finnish)" after a staff text shown in another language, else ""."""
    if used == locale:
        return ""
    return " " + _("(only available {language})").format(language=_(LANGUAGE_IN[used]))


def question_of(ballot: Ballot, locale: str, default: str) -> tuple[str, str]:
    """The question (HTML, with the note when another language is shown) and its language."""
    text, used = localized_text(ballot.question, locale, default)
    return f"<b>{escape(text)}</b>{only_in(used, locale)}", used


def option_line(option: BallotOption, locale: str, default: str, question_used: str) -> str:
    """"2. Label", saying so when it is in another language than the question above it."""
    label, used = localized_text(option.labels, locale, default)
    note = only_in(used, locale) if used != question_used else ""
    return f"{option.position}. {escape(label)}{note}"


# --- the ballot ---------------------------------------------------------------------------------

def body(ballot: Ballot, locale: str, settings: Settings) -> str:
    """The question, the numbered options (a theme's with its /p link) and how to choose."""
    question, used = question_of(ballot, locale, settings.default_locale)
    lines = [question, ""]
    for option in ballot.options:
        line = option_line(option, locale, settings.default_locale, used)
        lines.append(f"{line} – /p{option.theme_id}" if option.theme_id else line)
    return "\n".join([*lines, "", method_line(ballot)])


def method_line(ballot: Ballot) -> str:
    if ballot.method == Method.SINGLE:
        return _("Choose one option; tapping another one changes your vote.")
    return ngettext(
        "Choose up to {count} option; tap a chosen one again to remove it.",
        "Choose up to {count} options; tap a chosen one again to remove it.",
        ballot.max_choices,
    ).format(count=format_count(ballot.max_choices))


def open_until(ballot: Ballot, locale: str, settings: Settings) -> str:
    return _("⏳ Voting is open until {closing} – you can change your vote until then.").format(
        closing=format_moment(ballot.closes_at, locale, settings.zone))


def vote_rows(ballot: Ballot, locale: str, default: str, chosen: Collection[int] = ()) -> list[list[Button]]:
    """One button per option, the reader's current choices ticked."""
    rows: list[list[Button]] = []
    for option in ballot.options:
        label = short(f"{option.position}. {localized_text(option.labels, locale, default)[0]}")
        tick = "✅ " if option.id in chosen else ""
        rows.append([(tick + label, VotePick(ballot=ballot.id, option=option.id))])
    return rows


def announcement_text(ballot: Ballot, locale: str, settings: Settings) -> str:
    return "\n\n".join([_("🗳 <b>New vote</b>"), body(ballot, locale, settings),
                        open_until(ballot, locale, settings)])


def reminder_text(ballot: Ballot, locale: str, settings: Settings) -> str:
    return "\n\n".join([_("⏰ <b>Reminder</b>: this vote is still open, and your voice counts."),
                        body(ballot, locale, settings), open_until(ballot, locale, settings)])


# --- results ------------------------------------------------------------------------------------

def voters_line(count: int) -> str:
    return ngettext("{count} voter", "{count} voters", count).format(count=format_count(count))


def results_text(
    ballot: Ballot, results: Results, locale: str, areas: Mapping[int, Area], settings: Settings,
    limit: int = RESULTS_LIMIT,
) -> str:
    """Counts, shares and bars (figures first, for screen readers), the verdict once closed, and
    the breakdowns by resident group and area without the small groups – as many of their
    groups (the largest first) as fit in `limit` characters, so the message can always be sent."""
    outcome = results.outcome
    question, used = question_of(ballot, locale, settings.default_locale)
    title = _("📊 <b>Results</b>") if ballot.closed_at is not None else _("📊 <b>Results so far</b>")
    lines = [title, question, "👥 " + voters_line(outcome.voters)]
    if ballot.method == Method.APPROVAL:
        lines.append(_("Each voter could choose several options, so the shares are of all voters."))
    labels = {o.id: option_line(o, locale, settings.default_locale, used) for o in ballot.options}
    if outcome.voters:
        lines.append("")
        for count in outcome.counts:
            lines += [labels[count.option_id], _count_line(count.votes, outcome.voters)]
    said = verdict(ballot, outcome, labels)
    lines += ["", said] if said else []
    text = "\n".join(lines)
    if outcome.voters:
        positions = {o.id: o.position for o in ballot.options}
        for breakdown in results.breakdowns:
            if breakdown.shown or breakdown.hidden:
                text += "\n" + _section(breakdown, positions, areas, locale, limit - len(text) - 1)
    return text


def _count_line(votes: int, voters: int) -> str:
    fraction = share(votes, voters)
    figures = ngettext("{count} vote", "{count} votes", votes).format(count=format_count(votes))
    return f"{figures} · {format_share(fraction)} {bar(fraction)}"


def verdict(ballot: Ballot, outcome: Outcome, labels: Mapping[int, str]) -> str:
    """What it came to: nobody voted, a winner, a tie (and staff's choice), or nothing yet."""
    closed = ballot.closed_at is not None
    if not outcome.voters:
        return _("Nobody voted.") if closed else _("No votes yet.")
    if not closed:
        return ""
    if outcome.winner is not None:
        return _("🏆 Chosen option: <b>{option}</b>").format(option=labels[outcome.winner])
    tied = ", ".join(f"<b>{labels[option]}</b>" for option in outcome.leaders)
    if ballot.decided_option_id is None:
        return _("⚖️ A tie: {options}. City staff will decide.").format(options=tied)
    return _("⚖️ A tie: {options}. City staff chose <b>{option}</b>.").format(
        options=tied, option=labels[ballot.decided_option_id])


def _section(breakdown: Breakdown, positions: Mapping[int, int], areas: Mapping[int, Area],
             locale: str, room: int) -> str:
    """One breakdown in at most `room` characters: the largest groups first, then a line for
    the groups left out (for being small, or for want of room)."""
    lines = ["", _(BREAKDOWN_TITLES[breakdown.by])]
    groups = sorted(breakdown.shown, key=lambda group: -breakdown.voters.get(group, 0))
    tail = _hidden_line(breakdown.hidden) if breakdown.hidden else ""
    for shown, group in enumerate(groups):
        voters = breakdown.voters.get(group, 0)
        shares = " · ".join(f"{positions[option]}: {format_share(share(votes, voters))}"
                            for option, votes in sorted(breakdown.shown[group].items(),
                                                        key=lambda item: positions[item[0]]))
        line = f"{group_label(breakdown.by, group, areas, locale)} – {voters_line(voters)}: {shares}"
        left_out = len(groups) - shown - 1
        after = [tail, _left_out_line(left_out)] if left_out else [tail]
        if len("\n".join([*lines, line, *after])) > room:
            lines.append(_left_out_line(len(groups) - shown))
            break
        lines.append(line)
    if tail:
        lines.append(tail)
    return "\n".join(lines)


def _hidden_line(hidden: int) -> str:
    return ngettext(
        "🔒 {count} group is not shown, to keep the votes of groups with fewer than {small} "
        "voters secret.",
        "🔒 {count} groups are not shown, to keep the votes of groups with fewer than {small} "
        "voters secret.",
        hidden,
    ).format(count=format_count(hidden), small=SMALL_GROUP)


def _left_out_line(count: int) -> str:
    return ngettext("…and {count} smaller group, for want of room.",
                    "…and {count} smaller groups, for want of room.", count).format(count=format_count(count))


def group_label(by: str, group: str, areas: Mapping[int, Area], locale: str) -> str:
    if by == "resident_type":
        return _(RESIDENT_GROUP_LABELS[ResidentType(group)]) if group else _("Not told")
    if group and int(group) not in areas:
        return f"#{group}"  # an area removed since
    return escape(area_name(areas.get(int(group)) if group else None, locale))


# --- what is said on the ballot's behalf --------------------------------------------------------

def results_notice_text(
    ballot: Ballot, results: Results, locale: str, areas: Mapping[int, Area], settings: Settings,
) -> str:
    return f"{results_text(ballot, results, locale, areas, settings)}\n\n🗳 /b{ballot.id}"


def staff_closed_text(ballot: Ballot, results: Results, locale: str, settings: Settings) -> str:
    question, used = question_of(ballot, locale, settings.default_locale)
    labels = {o.id: option_line(o, locale, settings.default_locale, used) for o in ballot.options}
    return _("🗳 Vote closed: {question}\n{verdict}\n👥 {voters} · /b{id}").format(
        question=question, verdict=verdict(ballot, results.outcome, labels),
        voters=voters_line(results.outcome.voters), id=ballot.id)


def theme_won_text(ballot: Ballot, results: Results) -> str:
    """The timeline note of the theme a vote chose (plain text: notes are escaped when shown)."""
    outcome = results.outcome
    top = max(count.votes for count in outcome.counts)
    values = {"share": format_share(share(top, outcome.voters)), "count": format_count(outcome.voters),
              "id": ballot.id}
    if outcome.tied:
        return ngettext(
            "Chosen by city staff after a tie: the leading options each had {share} of {count} voter "
            "(/b{id})",
            "Chosen by city staff after a tie: the leading options each had {share} of {count} voters "
            "(/b{id})",
            outcome.voters,
        ).format(**values)
    return ngettext(
        "Chosen in a vote: {share} of {count} voter (/b{id})",
        "Chosen in a vote: {share} of {count} voters (/b{id})",
        outcome.voters,
    ).format(**values)
