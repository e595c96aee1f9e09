"""Similar proposals in Finnish, Swedish and English: inflections match, other topics do not."""

from __future__ import annotations

import pytest

from bot.services.similarity import Candidate, most_similar, stems

EXISTING = [
    Candidate(
        1, "Penkkejä Mikkelin torille", "Torilla ei ole tarpeeksi istumapaikkoja ikäihmisille."
    ),
    Candidate(
        2, "Kyläkoulun tilat iltakäyttöön", "Kyläyhdistys haluaisi käyttää koulun salia iltaisin."
    ),
    Candidate(3, "Fler bänkar vid torget", "Det finns för få sittplatser på torget på sommaren."),
    Candidate(
        4, "More benches on the market square", "Older people need places to rest at the market."
    ),
    Candidate(5, "Kirjaston aukioloajat pidemmiksi", "Kirjasto voisi olla auki myös sunnuntaisin."),
    Candidate(
        6,
        "Uimarantojen huolto kyläyhdistyksille",
        "Kyläyhdistykset hoitavat rantoja, tarvitaan tukea.",
    ),
    Candidate(7, "Library opening hours on Sundays", "Open the main library on Sundays too."),
    Candidate(8, "Kesätorin foorumi mökkiläisille", "Mökkiläiset mukaan kesätorin kehittämiseen."),
    Candidate(
        9, "Bibliotekets öppettider på söndagar", "Huvudbiblioteket borde vara öppet på söndagar."
    ),
]


@pytest.mark.parametrize(
    ("title", "description", "expected"),
    [
        ("Lisää penkkejä torille", "Haluaisin istua torilla.", 1),
        ("Torin penkit", "", 1),
        ("Bänkar på torget", "Sittplatser behövs.", 3),
        ("Fler sittbänkar vid torget", "", 3),
        ("Benches at the market square", "Places to sit.", 4),
        ("Longer library opening hours", "Sunday too.", 7),
        ("Kirjasto auki sunnuntaisin", "", 5),
        ("Biblioteket öppet på söndagarna", "", 9),
        ("Kesätori mökkiläisten foorumiksi", "", 8),
        ("Rantojen huolto kyläyhdistysten avuksi", "", 6),
    ],
)
def test_the_same_idea_is_found_in_each_language(title, description, expected):
    found = most_similar(title, description, EXISTING)
    assert found and found[0][0].id == expected


@pytest.mark.parametrize(
    "title",
    [
        "Uusi koirapuisto Rantakylään",
        "Skridskobana i Rantakylä",
        "Bus stop shelter in Urpola",
        "Mikkeli",
    ],
)
def test_unrelated_ideas_find_nothing(title):
    assert most_similar(title, "", EXISTING) == []


def test_at_most_three_best_first():
    many = [Candidate(i, f"Penkkejä torille {i}", "Penkkejä torille.") for i in range(10)]
    found = most_similar("Lisää penkkejä torille", "", many)
    assert len(found) == 3
    assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)


def test_stems_fold_case_and_drop_little_words():
    assert stems("Lisää PENKKEJÄ torille ja puistoon!") == ["penkk", "toril", "puist"]
    assert stems("More benches on the market square") == ["bench", "marke", "squar"]
