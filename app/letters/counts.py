"""How many have put their names to a letter."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.letters.endorsements import endorsement_count
from app.letters.models import Letter
from app.letters.translation_models import LetterTranslation
from app.letters.translations import published_translations


@dataclass(frozen=True)
class LetterCounts:
    endorsements: int = 0
    signatures: int = 0


def letter_counts(letter: Letter) -> LetterCounts:
    """Endorsements, and signatures: confirmed online ones plus imported paper ones (exact)."""
    return LetterCounts(endorsements=endorsement_count(letter.id), signatures=letter.signature_count)


@dataclass(frozen=True)
class CountedLetter:
    """A letter with its counts, as a reader of the letter is answered."""

    letter: Letter
    counts: LetterCounts
    translations: list[LetterTranslation] = field(default_factory=list)


def counted(letter: Letter) -> CountedLetter:
    return CountedLetter(letter, letter_counts(letter), published_translations(letter))
