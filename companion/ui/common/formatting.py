"""Numbers and counts written the way the current language writes them."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QLocale, Qt

from companion.i18n import _, current_language, ngettext


def format_number(value: int) -> str:
    """``14203`` -> ``14 203`` in French (narrow no-break space), ``14,203`` in English."""
    language = QLocale.Language.English if current_language() == "en" else QLocale.Language.French
    return QLocale(language).toString(value)


def format_stamp(stamp: str) -> str:
    """A stored time (ISO, UTC) in local time: « 7 déc. 2026, 20:41 »; as is if unreadable."""
    moment = QDateTime.fromString(stamp, Qt.DateFormat.ISODateWithMs)
    if not moment.isValid():
        moment = QDateTime.fromString(stamp, Qt.DateFormat.ISODate)
    if not moment.isValid():
        return stamp
    language = QLocale.Language.English if current_language() == "en" else QLocale.Language.French
    return QLocale(language).toString(moment.toLocalTime(), "d MMM yyyy, HH:mm")


def count_text(count: int, searching: bool) -> str:
    """The directory's count label: "14 203 acteurs", "3 résultats", "Aucun résultat"."""
    if count == 0:
        return _("Aucun résultat") if searching else _("Aucun acteur")
    if searching:
        template = ngettext("{count} résultat", "{count} résultats", count)
    else:
        template = ngettext("{count} acteur", "{count} acteurs", count)
    return template.format(count=format_number(count))
