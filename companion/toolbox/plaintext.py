"""The plain text of a Markdown body: what the search index holds and snippets show.

Regular expressions rather than the Markdown package: installing the bundle at
start-up must stay cheap, and search only needs the words, not the structure.
Link and image targets are dropped (their text or alt text stays), so neither
"other-slug.md" nor "../images/x.svg" is ever found or shown in a snippet.
"""

from __future__ import annotations

import re

from companion.text import fold

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\x00-\x08\x0b-\x1f\x7f]"), ""),  # control characters
    (re.compile(r"^(```|~~~).*$", re.MULTILINE), ""),  # code fences (the code stays)
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"^\s*\[[^\]]+\]:\s+\S+.*$", re.MULTILINE), ""),  # link definitions
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE), ""),  # heading marks
    (re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.MULTILINE), ""),  # rules
    (re.compile(r"^\s*([-*+]|\d+[.)])\s+(\[[ xX]\]\s+)?", re.MULTILINE), ""),  # list marks
    (re.compile(r"^\s*>\s?", re.MULTILINE), ""),  # quotes
    (re.compile(r"^\s*([-*_]\s*){3,}$", re.MULTILINE), ""),  # horizontal rules
    (re.compile(r"\|"), " "),  # table cells
    (re.compile(r"(\*\*|__|\*|`|~~)"), ""),  # emphasis and code marks
    (re.compile(r"(?<!\w)_(?=\S)|(?<=\S)_(?!\w)"), ""),  # _emphasis_, not snake_case
    (re.compile(r"[ \t]+"), " "),
    (re.compile(r"\n\s*\n+"), "\n"),
]


def markdown_to_text(body: str, title: str = "") -> str:
    """The words of a Markdown body, one block per line, without markup.

    A first line repeating ``title`` is left out (snippets would start with it).

    >>> markdown_to_text("# Guide\\n## Étapes\\n\\n- **Réunir** les [élus](elus.md)\\n", "Guide")
    'Étapes\\nRéunir les élus'
    """
    text = body
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and title and fold(lines[0]) == fold(title):
        del lines[0]
    return "\n".join(lines)
