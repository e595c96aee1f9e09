"""The theme's path: Sven proposes in Swedish, Aino approves in Finnish, Grace finds, supports,
follows and hears of every step in English; the timeline shows where it is and how it got there."""

from __future__ import annotations

import pytest

from tests.support.proposals import (
    TITLE,
    approve,
    latest_proposal,
    make_moderator,
    notifications,
    propose,
    set_language,
)
from tests.support.clock import MIDDAY
from tests.support.updates import AINO, GRACE, SVEN


async def move(harness, staff, proposal_id, status, note):
    await harness.press(staff, f"tm:{proposal_id}:{status}")
    [confirm] = await harness.say(staff, note) if note else await harness.say(staff, "/skip")
    calls = await harness.press(staff, f"tmok:{proposal_id}:{status}")
    return confirm, calls


# The card and the timeline show the moments of each step: the path starts at a known noon.
@pytest.mark.parametrize("clock", [MIDDAY], indirect=True, ids=["midday"])
async def test_from_a_swedish_initiative_to_done_followed_in_english(harness, app, city, clock):
    await make_moderator(app, AINO, "fi")
    await set_language(app, SVEN, "sv")
    await set_language(app, GRACE, "en")
    await propose(
        harness, SVEN, TITLE, "Det finns för få sittplatser på torget, särskilt för äldre."
    )
    proposal_id = (await latest_proposal(app)).id
    await approve(harness, AINO, proposal_id)

    # Grace finds it in the list, opens it, supports and follows it.
    [listing] = await harness.say(GRACE, "/proposals")
    assert listing.text == (
        "<b>Proposals</b> · All areas · newest first\n\n"
        f"#{proposal_id} <b>{TITLE}</b>\n    📍 Whole city · 💡 Initiative · 👥 0 supporters"
    )
    assert listing.keyboard[0] == [(f"#{proposal_id} {TITLE}", f"po:{proposal_id}")]
    card, _ = await harness.press(GRACE, f"po:{proposal_id}")
    assert card.text == (
        f"<b>{TITLE}</b> · #{proposal_id}\n📍 Whole city · 💡 Initiative\n👥 0 supporters\n"
        "📅 Proposed Mon 15 Jun 2026 at 12.00\n\n"
        "Det finns för få sittplatser på torget, särskilt för äldre."
    )
    assert card.keyboard == [
        [("👍 Support", f"pa:sup:{proposal_id}"), ("🔔 Follow", f"pa:fol:{proposal_id}")],
        [("🧭 Timeline", f"pa:tl:{proposal_id}"), ("⚠️ Report", f"pa:rep:{proposal_id}")],
        [("‹ All proposals", "pl:0:-1:new")],
    ]
    card, toast = await harness.press(GRACE, f"pa:sup:{proposal_id}")
    assert "👥 1 supporter" in card.text and toast.text == "👍 Thank you for your support!"
    card, toast = await harness.press(GRACE, f"pa:fol:{proposal_id}")
    assert card.keyboard[0] == [
        ("↩️ Withdraw support", f"pa:wd:{proposal_id}"),
        ("🔕 Unfollow", f"pa:unf:{proposal_id}"),
    ]
    assert toast.text == "🔔 You will hear about every step of this theme."

    # Aino moves it along the path; each step reaches Grace (English) and Sven (author, Swedish).
    card, _ = await harness.press(AINO, f"po:{proposal_id}")
    assert card.keyboard[-2] == [("🧭 Siirrä toiseen vaiheeseen", f"tm:{proposal_id}:")]
    choice, _ = await harness.press(AINO, f"tm:{proposal_id}:")
    assert [row[0][1] for row in choice.keyboard] == [
        f"tm:{proposal_id}:{status}"
        for status in ("preparation", "forum", "implementation", "done", "rejected")
    ] + [f"po:{proposal_id}"]
    steps = [
        ("preparation", "Tekninen toimi selvittää penkkien paikat kevään aikana."),
        ("forum", "Asiasta keskustellaan kesätorin foorumissa 10.6. kirjastolla."),
        ("implementation", None),
        ("done", "Torille asennettiin 12 uutta penkkiä."),
    ]
    for status, note in steps:
        clock.advance(7 * 24 * 3600)
        confirm, _ = await move(harness, AINO, proposal_id, status, note)
        assert "Muutoksesta kerrotaan 2 seuraajalle." in confirm.text
    sent = await notifications(app, "theme_status")
    assert [recipients for _, recipients in sent] == [{GRACE.id, SVEN.id}] * 4
    assert sent[0][0]["en"] == (
        f"🧭 <b>{TITLE}</b> has moved on its path: 🛠 Preparation\n\n"
        "Tekninen toimi selvittää penkkien paikat kevään aikana. (only available in Finnish)\n\n"
        f"Where it stands and how it got there: /p{proposal_id}"
    )
    assert sent[2][0]["sv"] == (
        f"🧭 <b>{TITLE}</b> har gått vidare till ett nytt skede: 🏗 Genomförande\n\n"
        f"Var temat står nu och hur det har gått hittills: /p{proposal_id}"
    )

    # The timeline tells where the theme is and how it got there.
    timeline, _ = await harness.press(GRACE, f"pa:tl:{proposal_id}")
    assert timeline.text == "\n".join(
        [
            f"🧭 <b>Path of {TITLE}</b>",
            "✓ 💡 Initiative → ✓ 🛠 Preparation → ✓ 🗣 Forum → ✓ 🏗 Implementation → <b>🏁 Done</b>",
            "",
            "📅 Mon 15 Jun 2026 at 12.00 – 📝 Proposed",
            "📅 Mon 15 Jun 2026 at 12.00 – 💡 Initiative",
            "📅 Mon 22 Jun 2026 at 12.00 – 🛠 Preparation",
            "<i>Tekninen toimi selvittää penkkien paikat kevään aikana. "
            "(only available in Finnish)</i>",
            "📅 Mon 29 Jun 2026 at 12.00 – 🗣 Forum",
            "<i>Asiasta keskustellaan kesätorin foorumissa 10.6. kirjastolla. "
            "(only available in Finnish)</i>",
            "📅 Mon 6 Jul 2026 at 12.00 – 🏗 Implementation",
            "📅 Mon 13 Jul 2026 at 12.00 – 🏁 Done",
            "<i>Torille asennettiin 12 uutta penkkiä. (only available in Finnish)</i>",
        ]
    )
    assert timeline.keyboard == [[("‹ Back", f"po:{proposal_id}")]]


async def theme_by_aino(harness, app, title, description) -> int:
    """Aino, a moderator, proposes and approves it herself."""
    await make_moderator(app, AINO, "fi")
    await propose(harness, AINO, title, description)
    proposal_id = (await latest_proposal(app)).id
    await approve(harness, AINO, proposal_id)
    return proposal_id


async def test_unfollowing_stops_the_notices(harness, app):
    proposal_id = await theme_by_aino(
        harness, app, "Kyläkoulun tilat iltakäyttöön", "Koulun sali kyläläisille."
    )
    await harness.press(GRACE, f"pa:fol:{proposal_id}")
    await harness.press(GRACE, f"pa:unf:{proposal_id}")
    await harness.press(GRACE, f"pa:unf:{proposal_id}")  # a double tap is harmless
    await move(harness, AINO, proposal_id, "preparation", "Sivistystoimi valmistelee.")
    [(_, recipients)] = await notifications(app, "theme_status")
    assert recipients == {AINO.id}  # the author follows their own proposal


async def test_moving_to_where_it_already_is_or_from_pending_is_refused(harness, app):
    await make_moderator(app, AINO, "fi")
    await propose(harness, AINO, "Kirjaston aukioloajat", "Kirjasto auki sunnuntaisin.")
    proposal_id = (await latest_proposal(app)).id
    [refusal] = await harness.press(AINO, f"tm:{proposal_id}:")
    assert (
        refusal.text == "Tämä ei ole enää saatavilla – sitä on ehkä muutettu tai se on poistettu."
    )
    await approve(harness, AINO, proposal_id)
    [refusal] = await harness.press(AINO, f"tm:{proposal_id}:initiative")
    assert refusal.text.startswith("Tämä ei ole enää saatavilla")
    [refusal] = await harness.press(AINO, f"tmok:{proposal_id}:pending")
    assert refusal.name == "AnswerCallbackQuery"
    assert (await latest_proposal(app)).status == "initiative"


async def test_cancel_while_writing_the_note(harness, app):
    proposal_id = await theme_by_aino(
        harness, app, "Uimarantojen huolto kyläyhdistyksille", "Rannat kuntoon."
    )
    await harness.press(AINO, f"tm:{proposal_id}:forum")
    [stopped] = await harness.say(AINO, "/cancel")
    assert stopped.text == "Keskeytetty – teema pysyy ennallaan."
    assert (await latest_proposal(app)).status == "initiative"
