"""The translation layer: French source strings, other languages from gettext catalogs.

User-facing text is written in French in the code and wrapped in ``_()``;
``companion/resources/locale/<lang>/LC_MESSAGES/companion.po`` holds the translations,
compiled to ``.mo`` at install time. Qt-free, so the core can use it too.
"""

from __future__ import annotations

import gettext
import os
import re
from functools import lru_cache

from companion.paths import resource_path

DOMAIN = "companion"
SOURCE_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def locale_dir() -> str:
    return str(resource_path("locale"))


def set_language(language: str | None) -> str:
    """Switch the UI language ("fr", "en"); unknown languages fall back to French."""
    global _translation, _language
    code = (language or SOURCE_LANGUAGE).split("_")[0].split("-")[0].lower()
    if code not in LANGUAGES or code == SOURCE_LANGUAGE:
        _translation, _language = gettext.NullTranslations(), SOURCE_LANGUAGE
    else:
        _translation = gettext.translation(DOMAIN, locale_dir(), languages=[code], fallback=True)
        _language = code
    return _language


def current_language() -> str:
    return _language


def system_language() -> str:
    """The language asked for by the environment (COMPANION_LANG, then the locale)."""
    for var in ("COMPANION_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            return value.split(":")[0]
    # No language chosen (C/POSIX locale): the app's own language, not the C library's default.
    return SOURCE_LANGUAGE


NBSP = "\u00a0"  # no-break space: inside « … », before « : »
NNBSP = "\u202f"  # narrow no-break space: before « ; ! ? »

_OPENING_QUOTE = re.compile(r"« +")
_CLOSING_QUOTE = re.compile(r" +»")
_BEFORE_COLON = re.compile(r" +:(?=\s|$)")
_BEFORE_HIGH_PUNCTUATION = re.compile(r" +([;!?])(?=\s|$|[»)])")


@lru_cache(maxsize=4096)
def french_typography(text: str) -> str:
    """Bind French punctuation to its word: no line break inside « … » or before « : ; ! ? ».

    Only spaces the text already has are replaced: a no-break space after « and before » and
    « : », a narrow one before « ; ! ? ». Applied to the app's own strings, before the user's
    values are substituted into them, so what the user typed is never altered.
    """
    text = _OPENING_QUOTE.sub("«" + NBSP, text)
    text = _CLOSING_QUOTE.sub(NBSP + "»", text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    return _BEFORE_HIGH_PUNCTUATION.sub(NNBSP + r"\1", text)


def _(message: str) -> str:
    """Translate a French source string into the current language."""
    if _language == SOURCE_LANGUAGE:
        return french_typography(message)
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark a French string for translation without translating it yet (tables of labels)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    text = _translation.ngettext(singular, plural, n)
    return french_typography(text) if _language == SOURCE_LANGUAGE else text
