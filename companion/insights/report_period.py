"""The periods the activity report offers (quarters, years, custom) and their names.

Plain Python: the dialog asks here for the dates of a preset, and for the short
name a file gets ("Rapport d'activité T3 2026.pdf"). "This quarter" and "this
year" run to today: a report never claims days that have not happened.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from companion.i18n import N_, _, current_language

THIS_QUARTER, LAST_QUARTER, THIS_YEAR, LAST_YEAR, CUSTOM = (
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
    "custom",
)
PRESETS: dict[str, str] = {
    THIS_QUARTER: N_("Ce trimestre"),
    LAST_QUARTER: N_("Le trimestre dernier"),
    THIS_YEAR: N_("Cette année"),
    LAST_YEAR: N_("L'année dernière"),
    CUSTOM: N_("Personnalisée"),
}


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def valid(self) -> bool:
        return self.start <= self.end


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(start, after - timedelta(days=1))


def preset_period(preset: str, today: date) -> Period:
    """The dates of a preset, seen from ``today`` (custom: this quarter, to start from)."""
    if preset == LAST_QUARTER:
        quarter = quarter_of(today) - 1
        return (
            quarter_period(today.year - 1, 4)
            if quarter == 0
            else quarter_period(today.year, quarter)
        )
    if preset == THIS_YEAR:
        return Period(date(today.year, 1, 1), today)
    if preset == LAST_YEAR:
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    return Period(quarter_period(today.year, quarter_of(today)).start, today)


def opening_period(conn: sqlite3.Connection, today: date) -> tuple[str, Period]:
    """The period the report opens on: the last quarter if anything happened in it, else
    the latest quarter something did (an exchange held, an alliance begun), never a page
    of zeros while the base holds an earlier year (the demo network, a late import)."""
    last = preset_period(LAST_QUARTER, today)
    dates = """
        SELECT date AS day FROM interactions WHERE deleted = 0
        UNION ALL SELECT start_date FROM relations WHERE deleted = 0 AND start_date <> ''
    """
    held = conn.execute(
        f"SELECT count(*) FROM ({dates}) WHERE day BETWEEN ? AND ?",
        (last.start.isoformat(), last.end.isoformat() + "~"),
    ).fetchone()[0]
    if held:
        return LAST_QUARTER, last
    latest = conn.execute(
        f"SELECT max(day) FROM ({dates}) WHERE day <= ?", (today.isoformat() + "~",)
    ).fetchone()[0]
    try:
        day = date.fromisoformat(str(latest)[:10])
    except ValueError:
        return LAST_QUARTER, last  # nothing yet: the usual quarter
    if day >= last.end:
        return THIS_QUARTER, preset_period(THIS_QUARTER, today)
    return CUSTOM, quarter_period(day.year, quarter_of(day))


def period_name(period: Period, today: date) -> str:
    """ "T3 2026", "2026", else "du 01-02-2026 au 15-03-2026": for a file name (no slash)."""
    start, end = period.start, period.end
    quarter = quarter_period(start.year, quarter_of(start))
    # A whole quarter or year, or one still running (to today).
    if start == quarter.start and (end == quarter.end or (end == today and end < quarter.end)):
        return _("T{quarter} {year}").format(quarter=quarter_of(start), year=start.year)
    if (start.month, start.day) == (1, 1) and start.year == end.year:
        if (end.month, end.day) == (12, 31) or end == today:
            return str(start.year)
    return _("du {start} au {end}").format(start=_file_day(start), end=_file_day(end))


def _file_day(day: date) -> str:
    return day.strftime("%d-%m-%Y") if current_language() == "fr" else day.isoformat()
