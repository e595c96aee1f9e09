"""The demo city: Mikkeli's areas, Grace as admin, and residents' proposals on their path.

Everything goes through the services (never SQL), and seeding is idempotent: running it again
leaves the store as it was. The residents are the sandbox's personas (sandbox/personas.json);
Aino is left out on purpose, so the demo always has someone new to take through onboarding.
Later features (ballots, forums, surveys...) add their content at the end of `seed`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.services import areas, ballots, moderation, proposals, residents, staff, themes
from bot.services.ballots import BallotDraft, OptionDraft
from bot.services.moderation import Seen
from bot.notices import Notices
from bot.services.proposals import Draft
from domain import PATH, Method, ResidentType, Role, Status, Visibility
from foorumi.app import Core
from foorumi.demo_forums import held_forum, seed_forums
from foorumi.demo_surveys import seed_survey
from storage import migrate
from storage.models import Proposal, Resident
from storage.uow import UnitOfWork

AREA_FILE = Path(__file__).resolve().parents[1] / "deploy" / "areas" / "mikkeli.yaml"
STAFF_GROUP_ID = -1001000000001  # the sandbox's "Foorumi staff" group
# Where a proposal is on its way: pending first, then along the path.
PROGRESS = (Status.PENDING, *PATH)


@dataclass(frozen=True)
class DemoResident:
    telegram_id: int
    locale: str
    resident_type: ResidentType
    area_code: str | None  # None: the whole city


GRACE = DemoResident(710000003, "en", ResidentType.WORKS, "keskusta")
SVEN = DemoResident(710000002, "sv", ResidentType.HOLIDAY, "ristiina")
PENTTI = DemoResident(710000004, "fi", ResidentType.PERMANENT, "haukivuori")
LENA = DemoResident(710000005, "fi", ResidentType.WORKS, "keskusta")  # speaks German: gets DEFAULT_LOCALE
RESIDENTS = (GRACE, SVEN, PENTTI, LENA)


@dataclass(frozen=True)
class Step:
    """A move along the path, `days_ago` before the seeding, with staff's public note per language."""

    status: Status
    days_ago: int
    notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoProposal:
    author: DemoResident
    title: str
    description: str
    area_code: str | None
    days_ago: int
    steps: Sequence[Step] = ()
    supporters: Sequence[DemoResident] = ()


PROPOSALS = (
    DemoProposal(
        PENTTI,
        "Penkkejä kesätorille",
        "Kesätorilla on liian vähän istumapaikkoja. Varsinkin iäkkäät torilla kävijät kaipaavat "
        "penkkejä varjoon, esimerkiksi suihkulähteen ja kauppahallin lähelle. Talveksi penkit "
        "voisi siirtää pois lumitöiden tieltä.",
        "keskusta",
        days_ago=41,
        steps=(
            Step(Status.INITIATIVE, 40),
            Step(Status.PREPARATION, 30, {
                "fi": "Kaupunkiympäristön palvelut kartoittaa sopivat paikat ja penkkimallit.",
                "sv": "Stadsmiljötjänsterna kartlägger lämpliga platser och bänkmodeller.",
                "en": "Urban environment services are mapping suitable spots and bench models.",
            }),
            Step(Status.FORUM, 5, {
                "fi": "Penkkien paikoista keskustellaan kaupunkifoorumissa kauppahallissa. Tervetuloa mukaan!",
                "sv": "Var bänkarna ska stå diskuteras på stadsforumet i saluhallen. Välkommen med!",
                "en": "Where the benches go is on the agenda of the city forum in the market hall. "
                      "Everyone is welcome!",
            }),
        ),
        supporters=(SVEN, LENA),
    ),
    DemoProposal(
        PENTTI,
        "Kyläkoulun tilat iltakäyttöön",
        "Haukivuoren koulun liikuntasali ja käsityöluokka ovat iltaisin tyhjillään, vaikka "
        "kyläyhdistys, partiolaiset ja eläkeläisten kuntopiiri etsivät tiloja. Avataan koulu "
        "iltakäyttöön sähköisellä varauksella ja avainkortilla, niin tilat palvelevat koko kylää.",
        "haukivuori",
        days_ago=25,
        steps=(
            Step(Status.INITIATIVE, 24),
            Step(Status.PREPARATION, 9, {
                "fi": "Sivistyspalvelut selvittää kyläyhdistyksen kanssa tilojen iltakäytön, "
                      "vakuutukset ja siivouksen.",
                "sv": "Bildningstjänsterna utreder tillsammans med byföreningen kvällsanvändningen "
                      "av lokalerna, försäkringarna och städningen.",
                "en": "Education services are working out evening use, insurance and cleaning "
                      "together with the village association.",
            }),
        ),
        supporters=(SVEN, LENA),
    ),
    DemoProposal(
        SVEN,
        "Byföreningarna sköter badstränderna",
        "Byföreningarna i Ristiina kunde sköta de små badstränderna under sommaren – kratta "
        "sanden, tömma soptunnorna och hålla bryggorna i skick – om staden står för material och "
        "en liten ersättning. Då hålls stränderna öppna hela sommaren.",
        "ristiina",
        days_ago=13,
        steps=(Step(Status.INITIATIVE, 12),),
        supporters=(PENTTI, LENA),
    ),
    DemoProposal(
        LENA,
        "Library opening hours in summer",
        "The main library closes early in summer, just when students and holiday residents have "
        "time to visit. Could it stay open until 7 pm on weekdays and open on Saturdays from June "
        "to August, with self-service hours if staff are on holiday?",
        None,
        days_ago=4,
        steps=(Step(Status.INITIATIVE, 3),),
        supporters=(SVEN, PENTTI),
    ),
    DemoProposal(  # still waiting for a moderator, so Grace has something in /moderation
        SVEN,
        "Sophämtning vid fritidshusen även i september",
        "Sophämtningen vid fritidshusen slutar i augusti, men många av oss stannar hela september. "
        "Kunde hämtningen fortsätta en månad till?",
        "ristiina",
        days_ago=1,
    ),
)


@dataclass(frozen=True)
class DemoBallot:
    question: dict[str, str]
    options: Sequence[dict[str, str] | str]  # free text per language, or a demo proposal's title
    opened_days_ago: int
    open_days: int
    votes: dict[DemoResident, int]  # who voted for which option (index)
    method: Method = Method.SINGLE
    max_choices: int = 1


BALLOTS = (
    DemoBallot(  # closed, with results: Grace sees them in /ballots, voters got them
        {"fi": "Mihin aikaan kevään kaupunkifoorumi pidetään?",
         "sv": "När ska vårens stadsforum hållas?",
         "en": "When should the spring city forum be held?"},
        ({"fi": "Tiistai-ilta kirjastossa", "sv": "Tisdagskväll på biblioteket", "en": "Tuesday evening at the library"},
         {"fi": "Lauantaipäivä torilla", "sv": "Lördag dag på torget", "en": "Saturday daytime in the market square"},
         {"fi": "Etänä verkossa", "sv": "På distans på nätet", "en": "Online, remotely"}),
        opened_days_ago=20, open_days=7,
        votes={PENTTI: 0, LENA: 0, SVEN: 1, GRACE: 2},
    ),
    DemoBallot(  # open: Aino can vote once she has onboarded; results after closing
        {"fi": "Mikä teema otetaan seuraavan foorumin aiheeksi?",
         "sv": "Vilket tema ska nästa forum ta upp?",
         "en": "Which theme should the next forum take up?"},
        ("Kyläkoulun tilat iltakäyttöön", "Byföreningarna sköter badstränderna", "Library opening hours in summer"),
        opened_days_ago=2, open_days=9,
        votes={PENTTI: 0, SVEN: 1},
        method=Method.APPROVAL, max_choices=2,
    ),
)


async def prepare(core: Core) -> None:
    """Create or upgrade the demo's own store (always safe: it is only the demo's) and seed it."""
    await migrate.upgrade(core.engine)
    async with core.uow_factory() as uow:
        await seed(uow, core.notices, core.clock.now(), core.settings.support_milestones)


async def seed(
    uow: UnitOfWork, notices: Notices, now: datetime, milestones: Sequence[int] = (),
    area_file: Path = AREA_FILE,
) -> None:
    """Bring the store up to the demo city; what is already there is left as it is."""
    await areas.load(uow, areas.parse_area_file(area_file))
    area_ids = {area.code: area.id for area in await uow.areas.listing()}
    await staff.grant(uow, GRACE.telegram_id, Role.ADMIN, None)
    people = {person: await _onboarded(uow, person, area_ids, now) for person in RESIDENTS}
    for content in PROPOSALS:
        proposal = await _proposal(uow, content, people[content.author], area_ids, notices, now)
        for step in content.steps:
            await _advance(uow, proposal, step, notices, now - timedelta(days=step.days_ago))
        for supporter in content.supporters:
            when = now - timedelta(days=content.days_ago - 1)
            await proposals.support(uow, people[supporter], proposal.id, milestones, notices, when)
    for content in BALLOTS:
        await _ballot(uow, content, people, notices, now)
    theme_ids = await _theme_ids(uow, people)
    by_name = {"pentti": people[PENTTI], "sven": people[SVEN], "lena": people[LENA]}
    await seed_forums(uow, GRACE.telegram_id, by_name, theme_ids, notices, now)
    if (held := await held_forum(uow, now)) is not None:
        await seed_survey(uow, GRACE.telegram_id, held, by_name, notices.settings.survey_secret, notices, now)


async def _theme_ids(uow: UnitOfWork, people: dict[DemoResident, Resident]) -> dict[str, int]:
    """The demo's proposals by title."""
    return {proposal.title: proposal.id for author in (PENTTI, SVEN, LENA)
            for proposal in (await proposals.mine(uow, people[author]))[0]}


async def _onboarded(
    uow: UnitOfWork, person: DemoResident, area_ids: dict[str, int], now: datetime
) -> Resident:
    """The persona as a resident who has answered the onboarding questions (once)."""
    resident = await residents.greet(uow, person.telegram_id, person.locale, now)
    if resident.onboarded_at is None:
        await residents.choose_language(uow, resident, person.locale)
        await residents.choose_resident_type(uow, resident, person.resident_type)
        await residents.choose_area(uow, resident, area_ids[person.area_code] if person.area_code else None)
        await residents.finish_onboarding(uow, resident, now)
    return resident


async def _proposal(
    uow: UnitOfWork,
    content: DemoProposal,
    author: Resident,
    area_ids: dict[str, int],
    notices: Notices,
    now: datetime,
) -> Proposal:
    """The author's proposal with this title, sent (dated back) if it is not there yet."""
    own, _supported = await proposals.mine(uow, author)
    existing = next((proposal for proposal in own if proposal.title == content.title), None)
    if existing is not None:
        return existing
    area_id = area_ids[content.area_code] if content.area_code else None
    draft = Draft(content.title, content.description, area_id)
    sent_at = now - timedelta(days=content.days_ago)
    # Dated weeks back and seeded in any order, so the daily limit on proposals does not apply.
    return await proposals.submit(uow, author, draft, len(PROPOSALS), notices, sent_at)


async def _advance(uow: UnitOfWork, proposal: Proposal, step: Step, notices: Notices, when: datetime) -> None:
    """Grace approves the proposal or moves the theme on, unless it is that far already."""
    if proposal.status not in PROGRESS or PROGRESS.index(proposal.status) >= PROGRESS.index(step.status):
        return
    if step.status is Status.INITIATIVE:
        await moderation.approve(uow, GRACE.telegram_id, proposal.id, notices, when, Seen("Grace"))
    else:
        await themes.move(uow, GRACE.telegram_id, proposal.id, step.status, dict(step.notes), notices, when)


async def _ballot(
    uow: UnitOfWork, content: DemoBallot, people: dict[DemoResident, Resident], notices: Notices,
    now: datetime,
) -> None:
    """The ballot with this question, made by Grace and voted in (closed if its time is up), once."""
    if any(existing.question == content.question for existing in await uow.ballots.recent(50)):
        return
    opened = now - timedelta(days=content.opened_days_ago)
    closes = opened + timedelta(days=content.open_days)
    titles = await _theme_ids(uow, people)
    options = [OptionDraft(theme_id=titles[option]) if isinstance(option, str) else OptionDraft(dict(option))
               for option in content.options]
    draft = BallotDraft(dict(content.question), options, opened, closes, content.method, content.max_choices,
                        visibility=Visibility.AFTER_CLOSE)
    made = await ballots.create(uow, GRACE.telegram_id, draft, opened)
    option_ids = [option.id for option in made.options]
    for person, choice in content.votes.items():
        await ballots.vote(uow, people[person], made.id, option_ids[choice], opened + timedelta(days=1))
    if closes <= now:
        await uow.ballots.mark(made.id, "announced_at", announced_at=opened)  # long ago: not announced again
        await ballots.close_due(uow, notices, closes)
