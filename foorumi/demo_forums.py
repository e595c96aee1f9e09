"""The demo city's forums: one already held (with its summary), one happening now (live questions
work), one coming up (RSVP works). Times are set from the moment of seeding, in the city's zone."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.notices import Notices
from bot.services import forum_questions, forum_rsvp, forum_summaries, forums
from bot.services.forum_summaries import SummaryDraft
from bot.services.forums import ForumDraft
from domain import Attendance, ForumAudience
from storage.models import Forum, Resident
from storage.uow import UnitOfWork

REMOTE_URL = "https://meet.example.fi/mikkeli-foorumi"


@dataclass(frozen=True)
class DemoQuestion:
    asker: str  # a persona's name in `people`
    text: str
    approved: bool | None = None  # None: still waiting for a moderator


@dataclass(frozen=True)
class DemoForum:
    theme: str  # the theme's title
    title: dict[str, str]
    description: dict[str, str]
    starts: timedelta  # from the seeding; negative: it has started
    hours: int
    place: str
    location: tuple[float, float]
    rsvps: Mapping[str, Attendance]
    capacity: int | None = None
    questions: tuple[DemoQuestion, ...] = ()
    summary: dict[str, str] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        return -timedelta(hours=self.hours) < self.starts < timedelta(0)


FORUMS = (
    DemoForum(  # held three days ago: its summary went to everyone who took part and the followers
        "Penkkejä kesätorille",
        {"fi": "Kesätorin penkit", "sv": "Bänkar på sommartorget", "en": "Benches for the summer market square"},
        {"fi": "Mihin penkit sijoitetaan, millaisia niiden pitäisi olla ja kuka huolehtii niistä talvella?",
         "sv": "Var ska bänkarna stå, hurdana ska de vara och vem tar hand om dem på vintern?",
         "en": "Where should the benches go, what should they be like and who looks after them in winter?"},
        starts=timedelta(days=-3), hours=2, place="Mikkelin kauppahalli", location=(61.6877, 27.2727),
        rsvps={"pentti": Attendance.IN_PERSON, "lena": Attendance.IN_PERSON, "sven": Attendance.REMOTE},
        summary={
            "fi": "Foorumiin osallistui torikauppiaita, eläkeläisyhdistyksen jäseniä ja kaupungin "
                  "kaupunkiympäristön palvelut. Sovimme, että kesäksi torille tuodaan kahdeksan "
                  "penkkiä: neljä suihkulähteen varjoon ja neljä kauppahallin eteen. Penkeissä on "
                  "käsinojat, jotta niiltä on helppo nousta. Talveksi penkit siirretään varastoon "
                  "lumitöiden ajaksi. Seuraavaksi kaupunki pyytää tarjoukset ja kertoo aikataulun "
                  "teeman aikajanalla.",
            "sv": "I forumet deltog torghandlare, medlemmar i pensionärsföreningen och stadens "
                  "stadsmiljötjänster. Vi kom överens om att åtta bänkar ställs ut på torget till "
                  "sommaren: fyra i skuggan vid fontänen och fyra framför saluhallen. Bänkarna får "
                  "armstöd så att det är lätt att resa sig. På vintern flyttas de till lager medan "
                  "snön röjs. Härnäst begär staden in anbud och berättar om tidtabellen på temats "
                  "tidslinje.",
        },
    ),
    DemoForum(  # happening now: Sven takes part from his summer cottage and can ask a question
        "Kyläkoulun tilat iltakäyttöön",
        {"fi": "Haukivuoren koulu iltaisin", "sv": "Haukivuori skola på kvällarna",
         "en": "Haukivuori school in the evenings"},
        {"fi": "Miten koulun liikuntasali ja käsityöluokka avataan kylän yhdistyksille iltaisin?",
         "sv": "Hur öppnas skolans gymnastiksal och slöjdklass för byns föreningar på kvällarna?",
         "en": "How can the school's gym and craft room be opened to village associations in the evenings?"},
        starts=timedelta(minutes=-30), hours=2, place="Haukivuoren koulu, liikuntasali",
        location=(62.0211, 27.2183),
        rsvps={"pentti": Attendance.IN_PERSON, "sven": Attendance.REMOTE, "lena": Attendance.REMOTE},
        questions=(
            DemoQuestion("lena", "Voisiko käsityöluokan koneita käyttää iltaisin, jos paikalla on ohjaaja?",
                         approved=True),
            DemoQuestion("sven", "Kan byföreningen boka gymnastiksalen också på lördagar?"),
        ),
    ),
    DemoForum(  # coming up: RSVP in person (few seats) or remotely, and get the calendar file
        "Library opening hours in summer",
        {"fi": "Kirjaston kesäaukioloajat", "sv": "Bibliotekets öppettider på sommaren",
         "en": "Library opening hours in summer"},
        {"fi": "Pidetäänkö pääkirjasto kesällä auki iltaisin ja lauantaisin? Tule kertomaan, milloin "
               "sinä ehdit kirjastoon.",
         "sv": "Ska huvudbiblioteket hålla öppet på kvällar och lördagar under sommaren? Kom och berätta "
               "när du hinner till biblioteket.",
         "en": "Should the main library stay open in the evenings and on Saturdays in summer? Come and "
               "tell us when you have time to visit."},
        starts=timedelta(days=3), hours=2, place="Mikkelin pääkirjasto, Mikaeli-sali",
        location=(61.6886, 27.2723), capacity=3,
        rsvps={"pentti": Attendance.IN_PERSON, "lena": Attendance.IN_PERSON, "sven": Attendance.REMOTE},
    ),
)


def starting_at(content: DemoForum, now: datetime, zone: ZoneInfo) -> datetime:
    """Upcoming and past forums start at 18.00 local time; the live one started a moment ago."""
    moment = now + content.starts
    if content.live:
        return moment.replace(second=0, microsecond=0)
    return moment.astimezone(zone).replace(hour=18, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


async def seed_forums(uow: UnitOfWork, staff_id: int, people: Mapping[str, Resident], theme_ids: Mapping[str, int],
                      notices: Notices, now: datetime) -> None:
    """Each forum once (the one happening now again whenever none is live)."""
    recent = await uow.forums.upcoming(now - timedelta(days=30), 0, 50)
    for content in FORUMS:
        same = [forum for forum in recent if forum.title == content.title]
        if any(forum.starts_at <= now < forum.ends_at for forum in same) if content.live else same:
            continue
        starts = starting_at(content, now, notices.settings.zone)
        await _forum(uow, content, staff_id, people, theme_ids[content.theme], notices, starts, now)


async def held_forum(uow: UnitOfWork, now: datetime) -> Forum | None:
    """The seeded forum already held (its survey follows it)."""
    held = FORUMS[0]
    return next((forum for forum in await uow.forums.upcoming(now - timedelta(days=30), 0, 50)
                 if forum.title == held.title and forum.ends_at <= now), None)


async def _forum(uow: UnitOfWork, content: DemoForum, staff_id: int, people: Mapping[str, Resident],
                 theme_id: int, notices: Notices, starts: datetime, now: datetime) -> None:
    announced = min(now, starts) - timedelta(days=7)
    draft = ForumDraft(theme_id=theme_id, title=dict(content.title), description=dict(content.description),
                       starts_at=starts, ends_at=starts + timedelta(hours=content.hours), place=content.place,
                       latitude=content.location[0], longitude=content.location[1], remote_url=REMOTE_URL,
                       capacity=content.capacity, audience=ForumAudience.THEME)
    forum = await forums.create(uow, staff_id, draft, notices, announced)
    if starts <= now:  # invited long ago: the demo does not send it again now
        await uow.outbox.cancel_unsent("forum", forums.subject(forum), now)
        await uow.commit()
    for name, attendance in content.rsvps.items():
        await forum_rsvp.rsvp(uow, people[name], forum.id, attendance, notices, announced + timedelta(days=1))
    for question in content.questions:
        asked = await forum_questions.ask(uow, people[question.asker], forum.id, question.text, notices, now)
        if question.approved is not None:
            await forum_questions.decide(uow, staff_id, asked.id, question.approved, notices, now)
    if content.summary:
        await forum_summaries.publish(uow, staff_id, SummaryDraft(forum.id, dict(content.summary)), notices, now)
