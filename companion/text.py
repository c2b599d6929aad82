"""Text folding shared by search and the gazetteer: case, accents, punctuation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^0-9a-z]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


@lru_cache(maxsize=65_536)  # imports and searches fold the same commune names again and again
def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces.

    >>> fold("  L'Haÿ-les-Roses ")
    'l hay les roses'
    """
    if text.isascii():  # most names: nothing to decompose
        return _NON_WORD.sub(" ", text.lower()).strip()
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def sort_key(text: str) -> tuple[str, str]:
    """How names are listed for people: « Île-de-France » with the I's, « Écoles » with
    the E's (folded first; the text itself breaks ties, so the order is stable)."""
    return fold(text), text


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    folded = fold(text)
    return folded.split() if folded else []
