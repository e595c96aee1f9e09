"""Finding proposals that say the same thing, in Finnish, Swedish or English.

Finnish and Swedish inflect heavily ("torille", "torilla", "torin"; "bänkar",
"bänkarna"), so words are cut to a short stem before RapidFuzz compares the
sets of stems (token-set ratio); little words that carry no topic are dropped.
The title counts more than the description, which only has to overlap.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

STEM_LENGTH = 5
THRESHOLD = 62.0
STOPWORDS = frozenset(
    # fi
    "ja sekä tai on ei se ne että kun jos myös vain kuin mutta niin nyt hyvä olisi pitäisi "
    "lisää enemmän uusi uusia uudet parempi kaupunki kaupungin mikkeli mikkelin mikkeliin "
    # sv
    "och eller är inte en ett det den att som vid på till för med av om bör skulle fler "
    "mer nya ny bättre staden stad mikkels sankt michel "
    # en
    "the a an and or of on in at to for with by is are be should more new better please "
    "city town mikkeli's".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Candidate:
    id: int
    title: str
    description: str


def stems(text: str) -> list[str]:
    """Lower-cased stems of the topic words: 'Penkkejä torille!' -> ['penkk', 'toril']."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return [
        word[:STEM_LENGTH]
        for word in _WORD.findall(folded)
        if word not in STOPWORDS and len(word) > 2
    ]


def score(title: str, description: str, candidate: Candidate) -> float:
    """0-100: how likely the candidate is the same proposal."""
    title_stems, candidate_title = " ".join(stems(title)), " ".join(stems(candidate.title))
    if not title_stems or not candidate_title:
        return 0.0
    title_score = fuzz.token_set_ratio(title_stems, candidate_title)
    whole = " ".join(stems(f"{title} {description}"))
    candidate_whole = " ".join(stems(f"{candidate.title} {candidate.description}"))
    whole_score = fuzz.token_set_ratio(whole, candidate_whole)
    return max(title_score, 0.7 * title_score + 0.3 * whole_score)


def most_similar(
    title: str, description: str, candidates: Iterable[Candidate], limit: int = 3
) -> Sequence[tuple[Candidate, float]]:
    """Up to `limit` candidates scoring at least THRESHOLD, best first."""
    scored = [(candidate, score(title, description, candidate)) for candidate in candidates]
    matches = [pair for pair in scored if pair[1] >= THRESHOLD]
    return sorted(matches, key=lambda pair: (-pair[1], -pair[0].id))[:limit]
