"""A forum's .ics, parsed back with icalendar: the time zone, local start and end (also on the
daylight-saving day), place, link, map point, reminder and an id that stays the same."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.config import load_settings
from bot.i18n import create_i18n
from bot.notices.forum_calendar import forum_calendar
from domain import Attendance
from storage.models import Forum

SETTINGS = load_settings(bot_token="42:TEST-token", default_locale="fi", _env_file=None)
I18N = create_i18n("fi")
HELSINKI = ZoneInfo("Europe/Helsinki")
STAMP = datetime(2026, 7, 28, 9, 0, tzinfo=UTC)
REMOTE_URL = "https://meet.example.fi/kirjasto"


def forum(starts_at: datetime = datetime(2026, 8, 4, 15, 0, tzinfo=UTC), **changes: object) -> Forum:
    made = Forum(
        id=7, title={"fi": "Kirjaston tulevaisuus", "sv": "Bibliotekets framtid"},
        description={"fi": "Keskustellaan aukioloajoista."}, starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2), place="Mikkelin pääkirjasto, Raatihuoneenkatu 6",
        latitude=61.6886, longitude=27.2723, remote_url=REMOTE_URL,
    )
    for name, value in changes.items():
        setattr(made, name, value)
    return made


def ics(chosen: Forum, attendance: Attendance = Attendance.IN_PERSON, locale: str = "fi",
        now: datetime = STAMP) -> bytes:
    with I18N.context(), I18N.use_locale(locale):
        return forum_calendar(chosen, attendance, locale, SETTINGS, "foorumi_bot", now)


def parsed(data: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_the_calendar_carries_the_forum_in_the_citys_time_zone():
    calendar, event = parsed(ics(forum()))
    assert (str(calendar["VERSION"]), str(calendar["METHOD"])) == ("2.0", "PUBLISH")
    assert str(calendar["PRODID"]).startswith("-//Foorumi//")
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Helsinki"
    for name, local in (("DTSTART", datetime(2026, 8, 4, 18, 0)), ("DTEND", datetime(2026, 8, 4, 20, 0))):
        assert event[name].params["TZID"] == "Europe/Helsinki"
        assert event.decoded(name).replace(tzinfo=None) == local
        assert event.decoded(name).utcoffset() == timedelta(hours=3)
    assert str(event["SUMMARY"]) == "Kirjaston tulevaisuus"
    assert str(event["LOCATION"]) == "Mikkelin pääkirjasto, Raatihuoneenkatu 6"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (61.6886, 27.2723)
    assert event.decoded("DTSTAMP") == STAMP
    [alarm] = event.walk("VALARM")
    assert (str(alarm["ACTION"]), alarm.decoded("TRIGGER")) == ("DISPLAY", timedelta(hours=-1))


def test_in_person_attendees_get_the_bots_link_and_remote_ones_the_join_link():
    _calendar, in_person = parsed(ics(forum(), Attendance.IN_PERSON))
    assert str(in_person["URL"]) == "https://t.me/foorumi_bot?start=f7"
    assert REMOTE_URL not in str(in_person["DESCRIPTION"])
    _calendar, remote = parsed(ics(forum(), Attendance.REMOTE, "en"))
    assert str(remote["URL"]) == REMOTE_URL
    assert str(remote["DESCRIPTION"]) == (
        "Keskustellaan aukioloajoista.\n\n"
        f"Join remotely: {REMOTE_URL}\n\n"
        "Your RSVP and the forum in Foorumi: https://t.me/foorumi_bot?start=f7")


def test_the_title_is_in_the_residents_language_or_the_fallback():
    assert str(parsed(ics(forum(), locale="sv"))[1]["SUMMARY"]) == "Bibliotekets framtid"
    assert str(parsed(ics(forum(), locale="en"))[1]["SUMMARY"]) == "Kirjaston tulevaisuus"


def test_the_same_forum_keeps_its_id_so_calendars_update_it():
    first = parsed(ics(forum()))[1]
    again = parsed(ics(forum(), Attendance.REMOTE, now=STAMP + timedelta(days=1)))[1]
    assert str(first["UID"]) == str(again["UID"]) == "forum-7@foorumi_bot.t.me"
    other = forum()
    other.id = 8
    assert str(parsed(ics(other))[1]["UID"]) != str(first["UID"])


def test_a_forum_on_the_autumn_daylight_saving_day_keeps_its_local_time():
    # Sunday 25 October 2026: clocks go back at 04.00; the forum at 10.00 is on winter time
    _calendar, event = parsed(ics(forum(datetime(2026, 10, 25, 8, 0, tzinfo=UTC))))
    assert event.decoded("DTSTART") == datetime(2026, 10, 25, 10, 0, tzinfo=HELSINKI)
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert event.decoded("DTEND").replace(tzinfo=None) == datetime(2026, 10, 25, 12, 0)
    assert b"DTSTART;TZID=Europe/Helsinki:20261025T100000\r\n" in ics(forum(datetime(2026, 10, 25, 8, 0, tzinfo=UTC)))


def test_a_forum_across_the_spring_change_ends_at_the_right_local_hour():
    # Sunday 29 March 2026: 03.00 becomes 04.00; from 02.00 to 05.00 local is two hours long
    starts = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    _calendar, event = parsed(ics(forum(starts, ends_at=starts + timedelta(hours=2))))
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 3, 29, 2, 0)
    assert event.decoded("DTEND").replace(tzinfo=None) == datetime(2026, 3, 29, 5, 0)
    assert event.decoded("DTEND").astimezone(UTC) - event.decoded("DTSTART").astimezone(UTC) == timedelta(hours=2)


def test_no_map_point_without_coordinates_and_phone_friendly_lines():
    data = ics(forum(latitude=None, longitude=None, description={"fi": "Pitkä kuvaus. " * 40}))
    assert "GEO" not in parsed(data)[1]
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # every line ends in CRLF
    assert max(len(line) for line in lines) <= 75  # folded, as RFC 5545 wants
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
