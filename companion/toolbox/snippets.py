"""Highlighted snippets, computed in Python from the hits' plain text.

FTS5's ``snippet()`` tokenises the whole column again for every hit: about
0.3 ms for a 2,000-word body, so 50 hits cost more than the ranked search
itself. Here the text is folded to Latin-1 bytes in C (``encode`` and
``bytes.translate``: one byte per character, so offsets stay those of the
text), each query word is found as a word prefix with ``bytes.find``, and the
passage holding the most distinct words is cut out: under 20 µs a hit.

The folding mirrors the index's tokenizer (case and accents ignored): "elus"
finds "Élus". A character outside Latin-1 (œ, ’, €) folds to "?", which never
matches and counts as a word boundary.
"""

from __future__ import annotations

import re
import unicodedata

Segments = tuple[tuple[str, bool], ...]

SPAN = 170  # characters in a snippet, about 24 words
LEAD = 50  # characters kept before the first match of the passage
PER_WORD = 12  # occurrences of each word considered when choosing the passage

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")
_ELLIPSIS = "…"


def _fold_table() -> bytes:
    table = bytearray(range(256))
    for byte in range(256):
        base = unicodedata.normalize("NFD", chr(byte))[0].lower()
        if len(base) == 1 and ord(base) < 256:
            table[byte] = ord(base)
    return bytes(table)


_FOLD = _fold_table()
_WORD = frozenset(b for b in range(256) if chr(_FOLD[b]).isalnum())


def fold_bytes(text: str) -> bytes:
    """``text`` lower-cased without accents, one byte per character."""
    return text.encode("latin-1", "replace").translate(_FOLD)


def query_terms(text: str) -> list[bytes]:
    """The words of a query, folded, without repeats (as ``match_expression`` splits them)."""
    terms: dict[bytes, None] = {}
    for token in _TOKEN.findall(text.lower()):
        terms.setdefault(fold_bytes(token), None)
    return list(terms)


def _occurrences(
    folded: bytes, term: bytes, limit: int, start: int = 0, end: int = -1
) -> list[int]:
    found = []
    end = len(folded) if end < 0 else end
    position = folded.find(term, start, end)
    while position >= 0 and len(found) < limit:
        if position == 0 or folded[position - 1] not in _WORD:
            found.append(position)
        position = folded.find(term, position + 1, end)
    return found


def _token_end(folded: bytes, position: int) -> int:
    while position < len(folded) and folded[position] in _WORD:
        position += 1
    return position


def _segments(text: str, folded: bytes, terms: list[bytes], start: int, end: int) -> Segments:
    marks: list[tuple[int, int]] = []
    for term in terms:
        for position in _occurrences(folded, term, len(folded), start, end):
            marks.append((position, min(end, _token_end(folded, position))))
    marks.sort()
    result: list[tuple[str, bool]] = []
    cursor = start
    for first, last in marks:
        if first < cursor:  # overlapping words ("co coop"): the first one wins
            continue
        result += [(text[cursor:first], False), (text[first:last], True)]
        cursor = last
    result.append((text[cursor:end], False))
    cleaned = [(_SPACES.sub(" ", part), marked) for part, marked in result]
    return tuple((part, marked) for part, marked in cleaned if part)


def highlight(text: str, terms: list[bytes]) -> Segments:
    """The whole of ``text`` with every word starting with a term highlighted."""
    return _segments(text, fold_bytes(text), terms, 0, len(text))


def snippet(
    text: str, terms: list[bytes], span: int = SPAN, partial: bool = False
) -> Segments | None:
    """The passage of ``text`` holding the most distinct terms, matches highlighted.

    Empty when no term occurs in ``text``. With ``partial``, ``text`` is only the
    start of a longer text: None then means "not enough here, pass the whole text"
    (a term is missing, or the passage reaches the cut).
    """
    folded = fold_bytes(text)
    found = sorted(
        (position, index)
        for index, term in enumerate(terms)
        for position in _occurrences(folded, term, PER_WORD)
    )
    if not found:
        return ()
    best, best_count = found[0][0], 0
    for number, (position, _index) in enumerate(found):
        reach = position + span - LEAD
        count = len({index for other, index in found[number:] if other < reach})
        if count > best_count:
            best, best_count = position, count
    start = max(0, best - LEAD)
    if start > 0:  # begin on a whole word
        space = text.find(" ", start, best)
        start = space + 1 if space >= 0 else best
    end = min(len(text), start + span)
    if end < len(text):
        space = text.rfind(" ", best, end)
        end = space if space > best else end
    segments = _segments(text, folded, terms, start, end)
    prefix = ((_ELLIPSIS, False),) if start > 0 else ()
    suffix = ((_ELLIPSIS, False),) if end < len(text) else ()
    return prefix + segments + suffix
