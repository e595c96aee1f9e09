"""Texts and keyboards of onboarding and /settings."""
from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import LOCALES, ResidentType
from bot.i18n import N_, _
from storage.models import Area, Resident

LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
RESIDENT_TYPE_LABELS = {
    ResidentType.PERMANENT: N_("🏠 I live here"),
    ResidentType.HOLIDAY: N_("🌲 Holiday resident"),
    ResidentType.WORKS: N_("💼 I work or study here"),
    ResidentType.OTHER: N_("🙂 Something else"),
}
WHOLE_CITY = 0
SKIP = -1


class Flow(StrEnum):
    ONBOARDING = "o"
    SETTINGS = "s"


class LanguagePick(CallbackData, prefix="lang"):
    code: str
    flow: Flow


class TypePick(CallbackData, prefix="type"):
    value: str
    flow: Flow


class AreaPick(CallbackData, prefix="area"):
    area_id: int
    flow: Flow


class AreaPage(CallbackData, prefix="areas"):
    page: int
    flow: Flow


class SettingsPart(StrEnum):
    LANGUAGE = "language"
    TYPE = "type"
    AREA = "area"
    CLOSE = "close"


class SettingsOpen(CallbackData, prefix="set"):
    part: SettingsPart


def language_prompt() -> str:
    return _(
        "👋 Welcome to <b>Foorumi</b> – the channel where residents, associations, businesses "
        "and the city develop services together.\n\nWhich language would you like to use?"
    )


def language_keyboard(current: str, flow: Flow) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in LOCALES:
        mark = "✓ " if code == current else ""
        builder.button(text=f"{mark}{LANGUAGE_NAMES[code]}", callback_data=LanguagePick(code=code, flow=flow))
    return builder.adjust(3).as_markup()


def resident_type_prompt() -> str:
    return _(
        "Who are you? This helps the city reach the right people – it is never shown to others."
    )


def resident_type_keyboard(flow: Flow) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value, label in RESIDENT_TYPE_LABELS.items():
        builder.button(text=_(label), callback_data=TypePick(value=value, flow=flow))
    if flow is Flow.ONBOARDING:
        builder.button(text=_("Skip ›"), callback_data=TypePick(value="skip", flow=flow))
    return builder.adjust(1).as_markup()


def area_prompt(page: int, pages: int) -> str:
    text = _("Which area is closest to you? Choose your village or district, or the whole city.")
    if pages > 1:
        text += "\n\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    return text


def area_keyboard(
    areas: Sequence[Area], page: int, pages: int, locale: str, flow: Flow
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🏙 Whole city"), callback_data=AreaPick(area_id=WHOLE_CITY, flow=flow))
    for area in areas:
        builder.button(text=area.name(locale), callback_data=AreaPick(area_id=area.id, flow=flow))
    sizes = [1] + [2] * (len(areas) // 2) + [1] * (len(areas) % 2)
    navigation = []
    if page > 0:
        navigation.append((_("‹ Previous"), AreaPage(page=page - 1, flow=flow)))
    if page < pages - 1:
        navigation.append((_("Next ›"), AreaPage(page=page + 1, flow=flow)))
    for text, data in navigation:
        builder.button(text=text, callback_data=data)
    if navigation:
        sizes.append(len(navigation))
    if flow is Flow.ONBOARDING:
        builder.button(text=_("Skip ›"), callback_data=AreaPick(area_id=SKIP, flow=flow))
        sizes.append(1)
    return builder.adjust(*sizes).as_markup()


def describe_type(resident: Resident) -> str:
    if resident.resident_type is None:
        return _("not set")
    return _(RESIDENT_TYPE_LABELS[ResidentType(resident.resident_type)])


def describe_area(resident: Resident) -> str:
    if resident.area is None:
        return _("Whole city")
    return resident.area.name(resident.locale)


def settings_text(resident: Resident) -> str:
    return _(
        "<b>Your settings</b>\n\nLanguage: {language}\nWho you are: {resident_type}\n"
        "Area: {area}\n\nWhat would you like to change?"
    ).format(
        language=LANGUAGE_NAMES[resident.locale],
        resident_type=describe_type(resident),
        area=describe_area(resident),
    )


def settings_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🌐 Language"), callback_data=SettingsOpen(part=SettingsPart.LANGUAGE))
    builder.button(text=_("👤 Who I am"), callback_data=SettingsOpen(part=SettingsPart.TYPE))
    builder.button(text=_("📍 Area"), callback_data=SettingsOpen(part=SettingsPart.AREA))
    builder.button(text=_("✅ Done"), callback_data=SettingsOpen(part=SettingsPart.CLOSE))
    return builder.adjust(3, 1).as_markup()
