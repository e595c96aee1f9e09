"""Remote questions (moderators' cards, the host's queue) and forum summaries, in every language."""
from __future__ import annotations

from html import escape

from aiogram.filters.callback_data import CallbackData

from bot.config import Settings
from bot.i18n import _, format_count, format_moment, ngettext
from bot.notices.ballots import only_in
from bot.notices.compose import Composer
from bot.notices.forums import title_of
from bot.notices.words import short
from bot.services.forum_attendance import UNKNOWN_GROUP, Figures
from bot.telegram.keyboards import Button, packed
from domain import RESIDENT_GROUP_LABELS, Notice, QuestionStatus, ResidentType, localized_text
from domain.ids import Natural
from storage.models import Forum, ForumQuestion, ForumSummary

TIMELINE_BEGINNING = 300  # characters of the summary quoted on the theme's timeline


class QuestionDecision(CallbackData, prefix="qd"):
    """A moderator approves a live question (into the host's queue) or skips it."""

    question: Natural
    approve: bool


# --- live questions ------------------------------------------------------------------------------

def question_card_text(question: ForumQuestion, forum: Forum, locale: str, settings: Settings) -> str:
    return "\n".join([
        _("❓ <b>Question #{id} to the forum</b>").format(id=question.id),
        title_of(forum, locale, settings.default_locale),
        _("🕒 Asked {moment}").format(moment=format_moment(question.asked_at, locale, settings.zone, "H.mm")),
        "",
        escape(question.text),
    ])


def question_buttons(question: ForumQuestion) -> list[list[Button]]:
    return [[(_("✅ Approve"), QuestionDecision(question=question.id, approve=True)),
             (_("⏭ Skip"), QuestionDecision(question=question.id, approve=False))]]


def question_decided_text(question: ForumQuestion, forum: Forum, who: str | None, locale: str,
                          settings: Settings) -> str:
    """The card once decided: what was decided and by whom (a first name, or "a moderator")."""
    by = escape(who) if who else _("a moderator")
    if question.status == QuestionStatus.SKIPPED:
        line = _("⏭ Skipped by {who}").format(who=by)
    else:
        line = _("✅ Approved by {who} – the host takes it up in turn with /next").format(who=by)
    return f"{question_card_text(question, forum, locale, settings)}\n\n{line}"


# --- summaries -----------------------------------------------------------------------------------

def group_name(group: str) -> str:
    return _("Not told") if group == UNKNOWN_GROUP else _(RESIDENT_GROUP_LABELS[ResidentType(group)])


def figures_lines(figures: Figures) -> list[str]:
    """Who signed up (plain text): in person and remotely, by resident group, small groups hidden."""
    if not figures.total:
        return [_("👥 No one signed up for the forum in the bot.")]
    lines = [ngettext("👥 {count} signed up in the bot: {in_person} in person, {remote} remotely",
                      "👥 {count} signed up in the bot: {in_person} in person, {remote} remotely",
                      figures.total).format(count=format_count(figures.total),
                                            in_person=format_count(figures.in_person),
                                            remote=format_count(figures.remote))]
    for group, (in_person, remote) in figures.by_group.items():
        lines.append(_("• {group}: {in_person} in person, {remote} remotely").format(
            group=group_name(group), in_person=format_count(in_person), remote=format_count(remote)))
    if figures.hidden:
        lines.append(ngettext("• and {count} in smaller groups", "• and {count} in smaller groups",
                              figures.hidden).format(count=format_count(figures.hidden)))
    return lines


def links_line(forum: Forum) -> str:
    if forum.theme_id is None:
        return _("More about the forum: /f{forum}").format(forum=forum.id)
    return _("Theme: /p{theme} · Forum: /f{forum}").format(theme=forum.theme_id, forum=forum.id)


def summary_text(forum: Forum, texts: dict[str, str], figures: Figures, locale: str, settings: Settings) -> str:
    """The summary as residents read it: the forum, the text in their language, who signed up."""
    text, used = localized_text(texts, locale, settings.default_locale)
    return "\n\n".join([
        _("📝 <b>Summary of the forum</b>") + "\n" + title_of(forum, locale, settings.default_locale)
        + "\n" + _("🗓 {starts}").format(starts=format_moment(forum.starts_at, locale, settings.zone)),
        escape(text) + only_in(used, locale),
        escape("\n".join(figures_lines(figures))),
        links_line(forum),
    ])


def timeline_note(forum: Forum, summary: ForumSummary, locale: str, settings: Settings) -> str:
    """The theme's timeline entry (plain text): the summary's beginning and who signed up."""
    text, used = localized_text(summary.texts, locale, settings.default_locale)
    title, _title_used = localized_text(forum.title, locale, settings.default_locale)
    return "\n".join([
        _("Summary of the forum “{title}”: {beginning}").format(
            title=title, beginning=short(text, TIMELINE_BEGINNING)) + only_in(used, locale),
        *figures_lines(Figures.from_json(summary.attendance)),
        _("Read the whole summary: /summaries"),
    ])


class TalkNotices(Composer):
    def question_card(self, question: ForumQuestion, forum: Forum) -> Notice:
        """A new live question as moderators see it, with Approve and Skip."""
        return self._each_locale(lambda locale: question_card_text(question, forum, locale, self.settings),
                                 lambda locale: packed(question_buttons(question)))

    def question_decided(self, question: ForumQuestion, forum: Forum, who: str | None) -> Notice:
        return self._each_locale(
            lambda locale: question_decided_text(question, forum, who, locale, self.settings))

    def question_taken(self, question: ForumQuestion, forum: Forum) -> Notice:
        """To the asker: the host has taken their question up."""
        return self._each_locale(lambda locale: _(
            "🎤 The host took up your question to the forum {title} just now:\n\n<i>{text}</i>").format(
            title=title_of(forum, locale, self.default_locale), text=escape(question.text)))

    def forum_summary(self, forum: Forum, summary: ForumSummary) -> Notice:
        figures = Figures.from_json(summary.attendance)
        return self._each_locale(lambda locale: summary_text(forum, summary.texts, figures, locale, self.settings))

    def summary_attachment(self, forum: Forum, number: int, total: int) -> Notice:
        """The caption of a summary's photo or PDF."""
        return self._each_locale(lambda locale: _("📎 Summary of {title} – attachment {number}/{total}").format(
            title=escape(localized_text(forum.title, locale, self.default_locale)[0]), number=number, total=total))

    def summary_timeline_note(self, forum: Forum, summary: ForumSummary) -> dict[str, str]:
        return self._each_locale(lambda locale: timeline_note(forum, summary, locale, self.settings)).texts
