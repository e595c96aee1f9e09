"""What the bot says on its own, composed once in every language for the outbox.

Built in the composition root and handed to handlers, the CLI and the demo alike; the services
see it through their `Notices` protocol and put what it composes into the outbox.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

from bot.i18n import format_count, ngettext
from bot.notices import ballots
from bot.notices.cards import card_buttons, card_text, decided_line
from bot.notices.forum_reminders import ReminderNotices
from bot.notices.forum_talk import TalkNotices
from bot.notices.forums import ForumNotices
from bot.notices.surveys import SurveyNotices
from bot.notices.words import note_block
from bot.services.ballot_counts import Results
from bot.telegram.keyboards import packed
from domain import LOCALES, N_, REJECT_REASONS, STATUS_LABELS, Buttons, Notice, Status
from storage.models import Area, Ballot, ModerationAction, Proposal, TimelineEntry


class Notices(ForumNotices, ReminderNotices, TalkNotices, SurveyNotices):
    def outcome(self, proposal: Proposal, reason: str | None) -> Notice:
        title = escape(proposal.title)
        if proposal.status == Status.INITIATIVE:
            return self._render(
                N_("✅ Your proposal <b>{title}</b> was approved and is now public. "
                   "Residents can support and follow it: /p{id}"),
                title=title, id=proposal.id,
            )
        if proposal.status == Status.MERGED:
            return self._render(
                N_("🔗 Your proposal <b>{title}</b> was merged into a similar one, which your "
                   "supporters and followers now back: /p{id}"),
                title=title, id=proposal.merged_into_id,
            )
        return self._render(
            N_("Your proposal <b>{title}</b> was not taken forward.\n\nReason: {reason}"),
            title=title, reason=lambda locale: self._reason(reason, locale),
        )

    def _reason(self, reason: str | None, locale: str) -> str:
        if reason in REJECT_REASONS:
            return self.i18n.gettext(REJECT_REASONS[reason], locale=locale)
        return escape(reason or "–")

    def milestone(self, proposal: Proposal, supporters: int) -> Notice:
        """Sent when the count reaches a milestone exactly: "now has 10 supporters"."""
        texts = {}
        for locale in LOCALES:
            with self.i18n.context(), self.i18n.use_locale(locale):
                texts[locale] = ngettext(
                    "🎉 Your proposal <b>{title}</b> now has {count} supporter! /p{id}",
                    "🎉 Your proposal <b>{title}</b> now has {count} supporters! /p{id}",
                    supporters,
                ).format(title=escape(proposal.title), count=format_count(supporters, locale),
                         id=proposal.id)
        return Notice(texts)

    def status_changed(self, proposal: Proposal, entry: TimelineEntry) -> Notice:
        return self._render(
            N_("🧭 <b>{title}</b> has moved on its path: {status}\n\n{note}"
               "Where it stands and how it got there: /p{id}"),
            title=escape(proposal.title),
            status=lambda locale: self.i18n.gettext(STATUS_LABELS[Status(entry.status)], locale=locale),
            note=lambda locale: note_block(entry, locale, self.settings.default_locale, self.i18n),
            id=proposal.id,
        )

    def decided_card(self, proposal: Proposal, decision: ModerationAction, named: bool) -> Notice:
        """The moderators' card once decided: the decision, who made it (`named`: by first name)
        and when; no buttons."""
        texts = {}
        for locale in LOCALES:
            with self.i18n.context(), self.i18n.use_locale(locale):
                card = card_text(proposal, locale, self.settings.zone)
                line = decided_line(proposal, decision, locale, self.settings.zone, named)
                texts[locale] = f"{card}\n\n{line}"
        return Notice(texts)

    def moderator_card(self, proposal: Proposal) -> Notice:
        """A new or reported proposal as moderators see it, with its decision buttons."""
        texts, buttons = {}, {}
        for locale in LOCALES:
            with self.i18n.context(), self.i18n.use_locale(locale):
                texts[locale] = card_text(proposal, locale, self.settings.zone)
                buttons[locale] = packed(card_buttons(proposal))
        return Notice(texts, buttons)

    # --- theme votes (texts in bot/notices/ballots.py) -----------------------------------------

    def _vote_buttons(self, ballot: Ballot) -> Callable[[str], Buttons]:
        return lambda locale: packed(ballots.vote_rows(ballot, locale, self.default_locale))

    def ballot_announcement(self, ballot: Ballot) -> Notice:
        """A ballot has opened: its question, options and closing time, with the vote buttons."""
        return self._each_locale(lambda locale: ballots.announcement_text(ballot, locale, self.settings),
                                 self._vote_buttons(ballot))

    def ballot_reminder(self, ballot: Ballot) -> Notice:
        """To residents who may vote and have not yet."""
        return self._each_locale(lambda locale: ballots.reminder_text(ballot, locale, self.settings),
                                 self._vote_buttons(ballot))

    def ballot_results(self, ballot: Ballot, results: Results, areas: Mapping[int, Area]) -> Notice:
        """To the voters and the followers of the options' themes, when it closes."""
        return self._each_locale(
            lambda locale: ballots.results_notice_text(ballot, results, locale, areas, self.settings))

    def ballot_staff_closed(self, ballot: Ballot, results: Results) -> Notice:
        """One line for the staff group: what the vote came to."""
        return self._each_locale(
            lambda locale: ballots.staff_closed_text(ballot, results, locale, self.settings))

    def theme_won(self, ballot: Ballot, results: Results) -> dict[str, str]:
        """The timeline note of the theme a vote chose, per locale."""
        return self._each_locale(lambda _locale: ballots.theme_won_text(ballot, results)).texts
