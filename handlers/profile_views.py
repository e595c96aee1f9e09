"""Texts and keyboards of onboarding and /settings."""
from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from babel.dates import get_day_names

from bot.i18n import _, babel_locale
from bot.telegram.keyboards import Button, inline_keyboard
from domain import (
    LANGUAGE_LABELS, LANGUAGE_NAMES, LOCALES, RESIDENT_TYPE_LABELS, WHOLE_CITY, ResidentType,
)
from domain.ids import Natural, NaturalOrMinusOne
from storage.models import Area, Resident

SKIP = -1
DIGEST_OFF = -1


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
    area_id: NaturalOrMinusOne  # SKIP: no area chosen
    flow: Flow


class AreaPage(CallbackData, prefix="areas"):
    page: Natural
    flow: Flow


class SettingsPart(StrEnum):
    LANGUAGE = "language"
    TYPE = "type"
    AREA = "area"
    QUIET = "quiet"
    DIGEST = "digest"
    CLOSE = "close"
    OVERVIEW = "overview"


class SettingsOpen(CallbackData, prefix="set"):
    part: SettingsPart


class QuietPick(CallbackData, prefix="quiet"):
    start: Natural
    end: Natural


class DigestDay(CallbackData, prefix="digestday"):
    weekday: NaturalOrMinusOne  # 0 = Monday; DIGEST_OFF turns the digest off


class DigestPick(CallbackData, prefix="digest"):
    weekday: Natural
    hour: Natural


def language_prompt() -> str:
    return _(
        "👋 Welcome to <b>Foorumi</b> – the channel where residents, associations, businesses "
        "and the city develop services together.\n\nWhich language would you like to use?"
    )


def back_row(flow: Flow) -> list[Button]:
    """In /settings every choice can be left unchanged: back to the overview."""
    return [(_("‹ Back"), SettingsOpen(part=SettingsPart.OVERVIEW))] if flow is Flow.SETTINGS else []


def language_keyboard(current: str, flow: Flow) -> InlineKeyboardMarkup:
    return inline_keyboard([[
        (("✓ " if code == current else "") + LANGUAGE_NAMES[code], LanguagePick(code=code, flow=flow))
        for code in LOCALES
    ], back_row(flow)])


def resident_type_prompt() -> str:
    return _(
        "Who are you? This helps the city reach the right people – it is never shown to others."
    )


def resident_type_keyboard(flow: Flow) -> InlineKeyboardMarkup:
    rows = [[(_(label), TypePick(value=value, flow=flow))] for value, label in RESIDENT_TYPE_LABELS.items()]
    if flow is Flow.ONBOARDING:
        rows.append([(_("Skip ›"), TypePick(value="skip", flow=flow))])
    return inline_keyboard([*rows, back_row(flow)])


def area_prompt(page: int, pages: int) -> str:
    text = _("Which area is closest to you? Choose your village or district, or the whole city.")
    if pages > 1:
        text += "\n\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    return text


def area_keyboard(
    areas: Sequence[Area], page: int, pages: int, locale: str, flow: Flow
) -> InlineKeyboardMarkup:
    buttons = [(area.name(locale), AreaPick(area_id=area.id, flow=flow)) for area in areas]
    rows = [[(_("🏙 Whole city"), AreaPick(area_id=WHOLE_CITY, flow=flow))]]
    rows += [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    navigation = []
    if page > 0:
        navigation.append((_("‹ Previous"), AreaPage(page=page - 1, flow=flow)))
    if page < pages - 1:
        navigation.append((_("Next ›"), AreaPage(page=page + 1, flow=flow)))
    rows.append(navigation)
    if flow is Flow.ONBOARDING:
        rows.append([(_("Skip ›"), AreaPick(area_id=SKIP, flow=flow))])
    return inline_keyboard([*rows, back_row(flow)])


def describe_type(resident: Resident) -> str:
    if resident.resident_type is None:
        return _("not set")
    return _(RESIDENT_TYPE_LABELS[ResidentType(resident.resident_type)])


def describe_area(resident: Resident) -> str:
    if resident.area is None:
        return _("Whole city")
    return resident.area.name(resident.locale)


def describe_quiet_hours(start: int, end: int) -> str:
    if start == end:
        return _("none")
    return f"{start:02d}–{end:02d}"


def weekday_names() -> dict[int, str]:
    """Monday (0) to Sunday in the current language, as Babel names them."""
    return get_day_names("wide", context="stand-alone", locale=babel_locale())


def hour_label(hour: int) -> str:
    return f"{hour}.00"


def describe_digest(resident: Resident) -> str:
    if resident.digest_weekday is None:
        return _("off")
    return _("every {weekday} at {time}").format(weekday=weekday_names()[resident.digest_weekday],
                                           time=hour_label(resident.digest_hour))


def settings_text(resident: Resident) -> str:
    return _(
        "<b>Your settings</b>\n\nLanguage: {language}\nWho you are: {resident_type}\n"
        "Area: {area}\nQuiet hours: {quiet}\nWeekly digest: {digest}\n\nWhat would you like to change?"
    ).format(
        language=_(LANGUAGE_LABELS[resident.locale]),
        resident_type=describe_type(resident),
        area=describe_area(resident),
        quiet=describe_quiet_hours(resident.quiet_from, resident.quiet_until),
        digest=describe_digest(resident),
    )


def quiet_hours_prompt() -> str:
    return _(
        "🌙 <b>Quiet hours</b>\n\nDuring your quiet hours only urgent messages arrive; "
        "the rest wait until they end. The times are the city's local time."
    )


def quiet_hours_keyboard(resident: Resident, choices: Sequence[tuple[int, int]]) -> InlineKeyboardMarkup:
    current = (resident.quiet_from, resident.quiet_until)
    buttons = []
    for start, end in choices:
        chosen = (start, end) == current or (start == end and current[0] == current[1])
        label = describe_quiet_hours(start, end) if start != end else _("No quiet hours")
        buttons.append((("✓ " if chosen else "") + label, QuietPick(start=start, end=end)))
    return inline_keyboard([*(buttons[i:i + 2] for i in range(0, len(buttons), 2)), back_row(Flow.SETTINGS)])


def digest_prompt() -> str:
    return _(
        "📰 <b>Weekly digest</b>\n\nOnce a week, one message with what is new: proposals in your area, "
        "open votes, upcoming forums and new forum summaries – and none when nothing is new. "
        "Which day would you like it?"
    )


def digest_days_keyboard(resident: Resident) -> InlineKeyboardMarkup:
    names = weekday_names()
    buttons = [(("✓ " if day == resident.digest_weekday else "") + names[day].capitalize(), DigestDay(weekday=day))
               for day in range(7)]
    off = ("✓ " if resident.digest_weekday is None else "") + _("No digest")
    rows = [buttons[0:3], buttons[3:6], [buttons[6], (off, DigestDay(weekday=DIGEST_OFF))]]
    return inline_keyboard([*rows, back_row(Flow.SETTINGS)])


def digest_hours_prompt(weekday: int) -> str:
    return _("📰 <b>Weekly digest</b> every {weekday} – at what time? The times are the city's local time."
             ).format(weekday=weekday_names()[weekday])


def digest_hours_keyboard(resident: Resident, weekday: int, hours: Sequence[int]) -> InlineKeyboardMarkup:
    chosen = resident.digest_hour if resident.digest_weekday == weekday else None
    buttons = [(("✓ " if hour == chosen else "") + hour_label(hour), DigestPick(weekday=weekday, hour=hour))
               for hour in hours]
    back = [(_("‹ Back"), SettingsOpen(part=SettingsPart.DIGEST))]
    return inline_keyboard([buttons[0:3], buttons[3:], back])


def settings_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([
        [
            (_("🌐 Language"), SettingsOpen(part=SettingsPart.LANGUAGE)),
            (_("👤 Who I am"), SettingsOpen(part=SettingsPart.TYPE)),
            (_("📍 Area"), SettingsOpen(part=SettingsPart.AREA)),
        ],
        [
            (_("🌙 Quiet hours"), SettingsOpen(part=SettingsPart.QUIET)),
            (_("📰 Weekly digest"), SettingsOpen(part=SettingsPart.DIGEST)),
        ],
        [(_("✅ Done"), SettingsOpen(part=SettingsPart.CLOSE))],
    ])
