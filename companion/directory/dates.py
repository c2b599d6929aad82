"""Dates as people type them (jj/mm/aaaa) and as the database keeps them (ISO, aaaa-mm-jj)."""

from __future__ import annotations

import re
from datetime import date

from companion.directory.validate import InvalidValue
from companion.i18n import _

_FRENCH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def parse_date(text: str | None) -> str | None:
    """``"14/03/2025"`` (or ``2025-03-14``) -> ``"2025-03-14"``; empty -> None.

    Raises ``InvalidValue`` with a French message for anything that is not a real day.
    """
    if text is None or not text.strip():
        return None
    typed = text.strip()
    found = _FRENCH.match(typed)
    if found:
        day, month, year = (int(part) for part in found.groups())
    else:
        found = _ISO.match(typed)
        if not found:
            raise InvalidValue(
                _("« {value} » n'est pas une date (format jj/mm/aaaa).").format(value=typed)
            )
        year, month, day = (int(part) for part in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise InvalidValue(_("Le {value} n'existe pas.").format(value=typed)) from None


def format_date(value: str | None) -> str:
    """A stored date (``2025-03-14`` or a timestamp) as French readers write it: ``14/03/2025``."""
    if not value:
        return ""
    found = _ISO.match(value)
    if not found:
        return value
    year, month, day = found.groups()
    return f"{day}/{month}/{year}"


def check_period(start: str | None, end: str | None) -> None:
    """Refuse an end before the start (both ISO dates, either may be None)."""
    if start and end and end < start:
        raise InvalidValue(
            _("La date de fin ({end}) précède la date de début ({start}).").format(
                end=format_date(end), start=format_date(start)
            )
        )
