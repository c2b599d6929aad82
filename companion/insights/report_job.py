"""The activity report's background work, run by the interface's jobs: the report of
a request and its page, computed on a connection of the job's own (a Store is not
shared between threads).

``activity_report`` cannot stop half-way; a job superseded by a newer request is
cancelled and its result dropped at the next progress step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion.geo import Gazetteer, GazetteerMissing
from companion.i18n import _
from companion.insights.activity import ActivityReport, activity_report
from companion.insights.places import Territory, place_index
from companion.insights.report_html import activity_report_html
from companion.insights.report_period import Period
from companion.store import Store

Report = Callable[[int, int, str], None]  # done, total, message
JobFunction = Callable[[Report, threading.Event], "Computed"]

STEPS = 3  # places, figures, page


@dataclass(frozen=True)
class Request:
    """What the report is asked for."""

    period: Period
    territory: Territory | None
    personal: bool


@dataclass(frozen=True)
class Computed:
    """A report computed in the background, with its page."""

    request: Request
    report: ActivityReport
    html: str


def open_gazetteer() -> tuple[Gazetteer | None, str]:
    """The gazetteer, or None and a French notice saying why the report cannot run."""
    try:
        return Gazetteer.open(), ""
    except GazetteerMissing as error:
        notice = _("Communes indisponibles : le rapport ne peut pas situer les acteurs.")
        return None, f"{notice} {error}"


def compute_job(database: Path, gazetteer: Gazetteer, request: Request) -> JobFunction:
    """The job's function: the report and its page, on a connection of its own."""

    def compute(report: Report, _cancel: threading.Event) -> Computed:
        report(0, STEPS, _("Chargement des territoires…"))
        place_index(gazetteer)  # shared with the warm-up: waits for it, else instant
        report(1, STEPS, _("Calcul du rapport…"))
        store = Store.open(database)  # SQLite connections stay in their thread
        try:
            period = request.period
            result = activity_report(
                store.conn,
                gazetteer,
                period.start,
                period.end,
                territory=request.territory,
                include_personal=request.personal,
            )
        finally:
            store.close()
        report(2, STEPS, _("Mise en page…"))
        return Computed(request, result, activity_report_html(result))

    return compute
