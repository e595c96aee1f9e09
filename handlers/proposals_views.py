"""Texts and keyboards of /proposals, a proposal's card, /mine, and the notifications about them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from html import escape

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.domain import LOCALES, localized_text
from bot.i18n import N_, _, format_moment, ngettext
from bot.services.proposals import ALL_AREAS, PATH, Card, Page, Status, is_public
from storage.models import Area, Proposal, TimelineEntry

STATUS_LABELS = {
    Status.PENDING: N_("⏳ Waiting for moderation"),
    Status.INITIATIVE: N_("💡 Initiative"),
    Status.PREPARATION: N_("🛠 Preparation"),
    Status.FORUM: N_("🗣 Forum"),
    Status.IMPLEMENTATION: N_("🏗 Implementation"),
    Status.DONE: N_("🏁 Done"),
    Status.REJECTED: N_("✖️ Not taken forward"),
    Status.MERGED: N_("🔗 Merged into another proposal"),
}
REJECT_REASONS = {
    "duplicate": N_("It repeats a proposal that already exists."),
    "not_city": N_("It is not something the city can decide on."),
    "rules": N_("It breaks the discussion rules."),
    "unclear": N_("It is too unclear to take forward."),
    "personal": N_("It contains personal information."),
}
WHOLE_CITY = 0  # in callback data; the store says None


class Sort(StrEnum):
    NEWEST = "new"
    SUPPORTED = "top"


class Action(StrEnum):
    SUPPORT = "sup"
    WITHDRAW = "wd"
    FOLLOW = "fol"
    UNFOLLOW = "unf"
    TIMELINE = "tl"
    REPORT = "rep"
    REPORT_CONFIRMED = "repok"
    PHOTO = "pic"
    MAP = "map"


class ProposalOpen(CallbackData, prefix="po"):
    id: int


class ProposalAct(CallbackData, prefix="pa"):
    action: Action
    id: int


class ProposalList(CallbackData, prefix="pl"):
    page: int = 0
    area: int = ALL_AREAS
    sort: Sort = Sort.NEWEST


class ListAreas(CallbackData, prefix="pla"):
    page: int
    sort: Sort


class ThemeMove(CallbackData, prefix="tm"):
    """Staff: choose where to move a theme (no status yet), or the status chosen."""

    id: int
    status: str = ""


async def edit_in_place(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit the pressed message; a double tap that changes nothing is not an error."""
    if not isinstance(query.message, Message):
        return
    try:
        await query.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise


def status_label(status: str) -> str:
    return _(STATUS_LABELS[Status(status)])


def area_name(area: Area | None, locale: str) -> str:
    return area.name(locale) if area else _("Whole city")


def supporters_line(count: int) -> str:
    return ngettext("👥 {count} supporter", "👥 {count} supporters", count).format(count=count)


def short(title: str, limit: int = 40) -> str:
    """A title cut for a button (buttons are plain text: no escaping)."""
    return title if len(title) <= limit else title[: limit - 1] + "…"


def card_text(proposal: Proposal, supporters: int, locale: str, settings: Settings) -> str:
    lines = [
        f"<b>{escape(proposal.title)}</b> · #{proposal.id}",
        f"📍 {escape(area_name(proposal.area, locale))} · {status_label(proposal.status)}",
        supporters_line(supporters),
        _("📅 Proposed {date}").format(
            date=format_moment(proposal.created_at, locale, settings.zone, "short")
        ),
        "",
        escape(proposal.description),
    ]
    if proposal.status == Status.MERGED and proposal.merged_into_id:
        lines += [
            "",
            _("This proposal was merged into #{id}: /p{id}").format(id=proposal.merged_into_id),
        ]
    if proposal.hidden:
        lines += ["", _("⚠️ Hidden after reports until a moderator has looked at it.")]
    return "\n".join(lines)


def card_keyboard(card: Card) -> InlineKeyboardMarkup:
    proposal, supporting, following = card.proposal, card.supporting, card.following
    builder = InlineKeyboardBuilder()
    sizes = []
    if is_public(proposal):
        builder.button(
            text=_("↩️ Withdraw support") if supporting else _("👍 Support"),
            callback_data=ProposalAct(
                action=Action.WITHDRAW if supporting else Action.SUPPORT, id=proposal.id
            ),
        )
        builder.button(
            text=_("🔕 Unfollow") if following else _("🔔 Follow"),
            callback_data=ProposalAct(
                action=Action.UNFOLLOW if following else Action.FOLLOW, id=proposal.id
            ),
        )
        builder.button(
            text=_("🧭 Timeline"), callback_data=ProposalAct(action=Action.TIMELINE, id=proposal.id)
        )
        builder.button(
            text=_("⚠️ Report"), callback_data=ProposalAct(action=Action.REPORT, id=proposal.id)
        )
        sizes += [2, 2]
    attachments = []
    if proposal.photo_file_id:
        attachments.append((_("📷 Photo"), Action.PHOTO))
    if proposal.latitude is not None:
        attachments.append((_("📍 Map"), Action.MAP))
    for text, action in attachments:
        builder.button(text=text, callback_data=ProposalAct(action=action, id=proposal.id))
    if attachments:
        sizes.append(len(attachments))
    if card.is_staff and proposal.status in PATH:
        builder.button(text=_("🧭 Move along the path"), callback_data=ThemeMove(id=proposal.id))
        sizes.append(1)
    builder.button(text=_("‹ All proposals"), callback_data=ProposalList())
    sizes.append(1)
    return builder.adjust(*sizes).as_markup()


def report_confirm_text(proposal: Proposal) -> str:
    return _(
        "Report <b>{title}</b> as inappropriate? The moderators will look at it. "
        "If several residents report it, it is hidden until they have."
    ).format(title=escape(proposal.title))


def report_confirm_keyboard(proposal_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("⚠️ Yes, report"),
        callback_data=ProposalAct(action=Action.REPORT_CONFIRMED, id=proposal_id),
    )
    builder.button(text=_("‹ Back"), callback_data=ProposalOpen(id=proposal_id))
    return builder.adjust(2).as_markup()


def list_text(page: Page, area_label: str, sort: Sort, locale: str) -> str:
    sort_label = _("most supported first") if sort is Sort.SUPPORTED else _("newest first")
    header = _("<b>Proposals</b> · {area} · {sort}").format(
        area=escape(area_label), sort=sort_label
    )
    if not page.items:
        return header + "\n\n" + _("No proposals here yet. Be the first: /propose")
    lines = [header, ""]
    for number, (proposal, supporters) in enumerate(page.items, start=1):
        place = escape(area_name(proposal.area, locale))
        lines.append(
            f"{number}. <b>{escape(proposal.title)}</b>\n"
            f"    📍 {place} · {status_label(proposal.status)} · {supporters_line(supporters)}"
        )
    if page.pages > 1:
        lines += ["", _("Page {page} of {pages}").format(page=page.number + 1, pages=page.pages)]
    return "\n".join(lines)


def list_keyboard(page: Page, area: int, sort: Sort) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for number, (proposal, _count) in enumerate(page.items, start=1):
        builder.button(
            text=f"{number}. {short(proposal.title)}", callback_data=ProposalOpen(id=proposal.id)
        )
    sizes = [1] * len(page.items)
    navigation = []
    if page.number > 0:
        navigation.append(
            (_("‹ Previous"), ProposalList(page=page.number - 1, area=area, sort=sort))
        )
    if page.number < page.pages - 1:
        navigation.append((_("Next ›"), ProposalList(page=page.number + 1, area=area, sort=sort)))
    for text, data in navigation:
        builder.button(text=text, callback_data=data)
    if navigation:
        sizes.append(len(navigation))
    other = Sort.NEWEST if sort is Sort.SUPPORTED else Sort.SUPPORTED
    builder.button(
        text=_("🆕 Newest first") if other is Sort.NEWEST else _("🔥 Most supported first"),
        callback_data=ProposalList(area=area, sort=other),
    )
    builder.button(text=_("📍 Filter by area"), callback_data=ListAreas(page=0, sort=sort))
    sizes.append(2)
    return builder.adjust(*sizes).as_markup()


def area_picker(
    leading: Sequence[tuple[str, CallbackData]],
    areas: Sequence[Area],
    page: int,
    pages: int,
    locale: str,
    pick: Callable[[int], CallbackData],
    turn: Callable[[int], CallbackData],
) -> InlineKeyboardMarkup:
    """Fixed choices (e.g. "Whole city") on top, a page of areas two a row, then page turns."""
    builder = InlineKeyboardBuilder()
    for text, data in leading:
        builder.button(text=text, callback_data=data)
    for area in areas:
        builder.button(text=area.name(locale), callback_data=pick(area.id))
    sizes = [len(leading)] + [2] * (len(areas) // 2) + [1] * (len(areas) % 2)
    navigation = [(_("‹ Previous"), page - 1)] if page > 0 else []
    navigation += [(_("Next ›"), page + 1)] if page < pages - 1 else []
    for text, number in navigation:
        builder.button(text=text, callback_data=turn(number))
    if navigation:
        sizes.append(len(navigation))
    return builder.adjust(*sizes).as_markup()


def list_area_keyboard(
    areas: Sequence[Area], page: int, pages: int, sort: Sort, locale: str
) -> InlineKeyboardMarkup:
    leading = [
        (_("🌐 All areas"), ProposalList(area=ALL_AREAS, sort=sort)),
        (_("🏙 Whole city"), ProposalList(area=WHOLE_CITY, sort=sort)),
    ]
    return area_picker(
        leading,
        areas,
        page,
        pages,
        locale,
        pick=lambda area_id: ProposalList(area=area_id, sort=sort),
        turn=lambda number: ListAreas(page=number, sort=sort),
    )


def mine_text(own: Sequence[Proposal], supported: Sequence[Proposal]) -> str:
    if not own and not supported:
        return _(
            "You have no proposals or supports yet. Send one with /propose or browse /proposals."
        )
    lines = [_("<b>Your proposals</b>")]
    lines += [_mine_line(proposal) for proposal in own] or [_("None yet – /propose")]
    lines += ["", _("<b>Proposals you support</b>")]
    lines += [_mine_line(proposal) for proposal in supported] or [_("None yet – /proposals")]
    lines += ["", _("Tap a /p number to open it.")]
    return "\n".join(lines)


def _mine_line(proposal: Proposal) -> str:
    return f"• <b>{escape(proposal.title)}</b> – {status_label(proposal.status)} – /p{proposal.id}"


class ProposalNotices:
    """Notices to authors and followers in every language (services.proposals.Notices)."""

    def __init__(self, i18n: I18n, settings: Settings) -> None:
        self.i18n = i18n
        self.settings = settings

    def _render(self, msgid: str, **values: object) -> dict[str, str]:
        """msgid in every locale; a callable value is rendered per locale too."""
        return {
            locale: self.i18n.gettext(msgid, locale=locale).format(
                **{
                    name: value(locale) if callable(value) else value
                    for name, value in values.items()
                }
            )
            for locale in LOCALES
        }

    def outcome(self, proposal: Proposal, reason: str | None) -> dict[str, str]:
        title = escape(proposal.title)
        if proposal.status == Status.INITIATIVE:
            return self._render(
                N_(
                    "✅ Your proposal <b>{title}</b> was approved and is now public. "
                    "Residents can support and follow it: /p{id}"
                ),
                title=title,
                id=proposal.id,
            )
        if proposal.status == Status.MERGED:
            return self._render(
                N_(
                    "🔗 Your proposal <b>{title}</b> was merged into a similar one, which your "
                    "supporters and followers now back: /p{id}"
                ),
                title=title,
                id=proposal.merged_into_id,
            )
        return self._render(
            N_("Your proposal <b>{title}</b> was not taken forward.\n\nReason: {reason}"),
            title=title,
            reason=lambda locale: self._reason(reason, locale),
        )

    def _reason(self, reason: str | None, locale: str) -> str:
        if reason in REJECT_REASONS:
            return self.i18n.gettext(REJECT_REASONS[reason], locale=locale)
        return escape(reason or "–")

    def milestone(self, proposal: Proposal, supporters: int) -> dict[str, str]:
        return self._render(
            N_("🎉 Your proposal <b>{title}</b> has passed {count} supporters! /p{id}"),
            title=escape(proposal.title),
            count=supporters,
            id=proposal.id,
        )

    def status_changed(self, proposal: Proposal, entry: TimelineEntry) -> dict[str, str]:
        return self._render(
            N_(
                "🧭 <b>{title}</b> has moved on its path: {status}\n\n{note}"
                "Where it stands and how it got there: /p{id}"
            ),
            title=escape(proposal.title),
            status=lambda locale: self.i18n.gettext(
                STATUS_LABELS[Status(entry.status)], locale=locale
            ),
            note=lambda locale: note_block(entry, locale, self.settings.default_locale, self.i18n),
            id=proposal.id,
        )


def note_block(entry: TimelineEntry, locale: str, default_locale: str, i18n: I18n) -> str:
    """The staff note in the reader's language (saying so when another language is shown), or ''."""
    try:
        text, used = localized_text(entry.notes, locale, default_locale)
    except ValueError:
        return ""
    block = escape(text)
    if used != locale:
        language = i18n.gettext(LANGUAGE_IN[used], locale=locale)
        block += " " + i18n.gettext(N_("(only available {language})"), locale=locale).format(
            language=language
        )
    return block + "\n\n"


LANGUAGE_IN = {"fi": N_("in Finnish"), "sv": N_("in Swedish"), "en": N_("in English")}
