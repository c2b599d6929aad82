"""Numbers and dates as the reports print them, in the current language."""

from __future__ import annotations

from datetime import date

from companion.i18n import current_language

_NARROW_SPACE = "\u202f"  # French thousands separator, and before "%"


def number(value: float | int | None, digits: int = 0) -> str:
    """1234567.8 -> "1 234 567,8" in French, "1,234,567.8" in English; None -> "–"."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    if current_language() == "fr":
        text = text.replace(",", _NARROW_SPACE).replace(".", ",")
    return text


def percent(share: float) -> str:
    """0.125 -> "13 %" (French) or "13%"."""
    space = _NARROW_SPACE if current_language() == "fr" else ""
    return f"{number(share * 100)}{space}%"


def day(text: str) -> str:
    """ "2025-03-14" -> "14/03/2025" (French) or "2025-03-14"."""
    try:
        value = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return value.strftime("%d/%m/%Y") if current_language() == "fr" else value.isoformat()


def month(text: str) -> str:
    """ "2025-03" -> "03/2025"."""
    year, _sep, number_ = text.partition("-")
    return f"{number_}/{year}" if number_ else text
