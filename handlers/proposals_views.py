"""Texts and keyboards of /proposals, a proposal's card and /mine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import _, format_count, format_moment, ngettext
from bot.notices.words import area_name, short, status_label
from bot.services.proposals import Card, Page
from bot.telegram.keyboards import Button, inline_keyboard
from domain import ALL_AREAS, PATH, WHOLE_CITY, Status, is_public
from domain.ids import Natural, NaturalOrMinusOne
from storage.models import Area, Proposal

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
    id: Natural


class ProposalAct(CallbackData, prefix="pa"):
    action: Action
    id: Natural


class ProposalList(CallbackData, prefix="pl"):
    page: Natural = 0
    area: NaturalOrMinusOne = ALL_AREAS
    sort: Sort = Sort.NEWEST


class ListAreas(CallbackData, prefix="pla"):
    page: Natural
    sort: Sort


class ThemeMove(CallbackData, prefix="tm"):
    """Staff: choose where to move a theme (no status yet), or the status chosen."""

    id: Natural
    status: str = ""


def supporters_line(count: int) -> str:
    return ngettext("👥 {count} supporter", "👥 {count} supporters", count).format(
        count=format_count(count))


def card_text(proposal: Proposal, supporters: int, locale: str, settings: Settings) -> str:
    lines = [
        f"<b>{escape(proposal.title)}</b> · #{proposal.id}",
        f"📍 {escape(area_name(proposal.area, locale))} · {status_label(proposal.status)}",
        supporters_line(supporters),
        _("📅 Proposed {date}").format(
            date=format_moment(proposal.created_at, locale, settings.zone)
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
    rows: list[list[Button]] = []
    if is_public(proposal):
        support = (
            _("↩️ Withdraw support") if supporting else _("👍 Support"),
            ProposalAct(action=Action.WITHDRAW if supporting else Action.SUPPORT, id=proposal.id),
        )
        follow = (
            _("🔕 Unfollow") if following else _("🔔 Follow"),
            ProposalAct(action=Action.UNFOLLOW if following else Action.FOLLOW, id=proposal.id),
        )
        timeline = (_("🧭 Timeline"), ProposalAct(action=Action.TIMELINE, id=proposal.id))
        report = (_("⚠️ Report"), ProposalAct(action=Action.REPORT, id=proposal.id))
        # Authors follow their own proposal; supporting or reporting it is for others.
        rows += [[follow], [timeline]] if card.own else [[support, follow], [timeline, report]]
    attachments = []
    if proposal.photo_file_id:
        attachments.append((_("📷 Photo"), ProposalAct(action=Action.PHOTO, id=proposal.id)))
    if proposal.latitude is not None:
        attachments.append((_("📍 Map"), ProposalAct(action=Action.MAP, id=proposal.id)))
    rows.append(attachments)
    if card.is_staff and proposal.status in PATH:
        rows.append([(_("🧭 Move along the path"), ThemeMove(id=proposal.id))])
    rows.append([(_("‹ All proposals"), ProposalList())])
    return inline_keyboard(rows)


def report_confirm_text(proposal: Proposal) -> str:
    return _(
        "Report <b>{title}</b> as inappropriate? The moderators will look at it. "
        "If several residents report it, it is hidden until they have."
    ).format(title=escape(proposal.title))


def report_confirm_keyboard(proposal_id: int) -> InlineKeyboardMarkup:
    return inline_keyboard([[
        (_("⚠️ Yes, report"), ProposalAct(action=Action.REPORT_CONFIRMED, id=proposal_id)),
        (_("‹ Back"), ProposalOpen(id=proposal_id)),
    ]])


def list_text(page: Page, area_label: str, sort: Sort, locale: str) -> str:
    sort_label = _("most supported first") if sort is Sort.SUPPORTED else _("newest first")
    header = _("<b>Proposals</b> · {area} · {sort}").format(
        area=escape(area_label), sort=sort_label
    )
    if not page.items:
        return header + "\n\n" + _("No proposals here yet. Be the first: /propose")
    lines = [header, ""]
    for proposal, supporters in page.items:
        place = escape(area_name(proposal.area, locale))
        lines.append(
            f"#{proposal.id} <b>{escape(proposal.title)}</b>\n"
            f"    📍 {place} · {status_label(proposal.status)} · {supporters_line(supporters)}"
        )
    if page.pages > 1:
        lines += ["", _("Page {page} of {pages}").format(page=page.number + 1, pages=page.pages)]
    return "\n".join(lines)


def list_keyboard(page: Page, area: int, sort: Sort) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [
        [(f"#{proposal.id} {short(proposal.title)}", ProposalOpen(id=proposal.id))]
        for proposal, _count in page.items
    ]
    navigation = []
    if page.number > 0:
        navigation.append(
            (_("‹ Previous"), ProposalList(page=page.number - 1, area=area, sort=sort))
        )
    if page.number < page.pages - 1:
        navigation.append((_("Next ›"), ProposalList(page=page.number + 1, area=area, sort=sort)))
    rows.append(navigation)
    other = Sort.NEWEST if sort is Sort.SUPPORTED else Sort.SUPPORTED
    rows.append([
        (
            _("🆕 Newest first") if other is Sort.NEWEST else _("🔥 Most supported first"),
            ProposalList(area=area, sort=other),
        ),
        (_("📍 Filter by area"), ListAreas(page=0, sort=sort)),
    ])
    return inline_keyboard(rows)


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
    buttons = [(area.name(locale), pick(area.id)) for area in areas]
    navigation = [(_("‹ Previous"), turn(page - 1))] if page > 0 else []
    navigation += [(_("Next ›"), turn(page + 1))] if page < pages - 1 else []
    return inline_keyboard([
        leading,
        *(buttons[i:i + 2] for i in range(0, len(buttons), 2)),
        navigation,
    ])


def list_area_keyboard(
    areas: Sequence[Area], page: int, pages: int, sort: Sort, locale: str
) -> InlineKeyboardMarkup:
    leading = [
        (_("🌐 All proposals"), ProposalList(area=ALL_AREAS, sort=sort)),
        (_("🏙 Whole-city proposals"), ProposalList(area=WHOLE_CITY, sort=sort)),
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
