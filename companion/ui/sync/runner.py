"""Syncing in the background: on demand, at the chosen interval, and when the hub is back.

One sync at a time, in a Job on a store of its own (``sync_tasks.run_sync``):
the UI never waits for the network. Nothing leaves the machine until a hub is
configured. While the hub does not answer, a cheap look every
``PROBE_INTERVAL_MS`` notices it coming back and syncs then (only when syncing
automatically: "Jamais" means on demand only).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, QTimer, Signal

from companion.i18n import _
from companion.store import Store
from companion.sync import state
from companion.sync.status import stored_status

if TYPE_CHECKING:  # loaded with the first sync, not at start-up
    from companion.app.sync_tasks import SyncOutcome
    from companion.ui.common.jobs import Job, Report

log = logging.getLogger(__name__)

INTERVAL_SETTING = "sync.interval_minutes"
INTERVALS = (0, 5, 15, 60)  # minutes; 0: never automatically
DEFAULT_INTERVAL = 15
START_DELAY_MS = 3_000  # the first automatic sync, once the window has settled
PROBE_INTERVAL_MS = 30_000
TICK_MS = 60_000  # "il y a 5 min" moves on


class SyncSnapshot(NamedTuple):  # a NamedTuple: a third of a frozen dataclass's import cost
    """What the status shows, read from the store in a few cheap queries."""

    hub_url: str | None
    last_sync: str | None  # ISO UTC
    last_error: str | None
    pending: int  # outbox rows
    conflicts: int  # unresolved
    running: bool
    offline: bool
    demo: bool = False  # the demonstration network: it never syncs


class SyncRunner(QObject):
    """Runs the syncs of one store; the status widget and the page listen to it."""

    started = Signal()
    progress = Signal(int, int, str)  # done, total, message
    finished = Signal(object)  # SyncOutcome
    changed = Signal()  # something the status shows may have changed
    received = Signal()  # a sync wrote changes from the hub here
    toolbox_received = Signal()  # a sync installed toolbox items from the hub

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.job: Job | None = None
        self.probe_job: Job | None = None
        self.offline = False
        self.error: str | None = None  # this session's last error; None: the store's
        self.synced_once = False
        self.probe_interval_ms = PROBE_INTERVAL_MS
        self._interval = self._timer(self._automatic)
        self._probe = self._timer(self._probe_hub)
        self._tick = self._timer(self.changed.emit)
        self._begin = self._timer(self._first_sync)
        self._begin.setSingleShot(True)
        self._begin.start(START_DELAY_MS)

    def _timer(self, slot: Callable[[], object]) -> QTimer:
        timer = QTimer(self)
        timer.timeout.connect(slot)
        return timer

    # -- configuration ---------------------------------------------------------------

    @property
    def database(self) -> Path:
        return Path(self.store.path)

    def hub_url(self) -> str | None:
        return state.get(self.store.conn, state.HUB_URL)

    @property
    def demo(self) -> bool:
        """The demonstration network: fictional members, it never syncs."""
        from companion.app.datafolder import DEMO_SETTING

        return self.store.setting(DEMO_SETTING) == "1"

    def interval_minutes(self) -> int:
        value = self.store.setting(INTERVAL_SETTING)
        return int(value) if value is not None and value.isdigit() else DEFAULT_INTERVAL

    def set_interval(self, minutes: int) -> None:
        self.store.set_setting(INTERVAL_SETTING, str(minutes))
        self._arm()

    def configured(self) -> None:
        """A hub was (re)configured: forget the old outcome, sync now."""
        self.offline = False
        self.error = None
        self.synced_once = False
        self._arm()
        self.sync_now()

    def notify(self) -> None:
        """Something changed here (a local edit): the status and the page read it again."""
        self.changed.emit()

    def snapshot(self) -> SyncSnapshot:
        stored = stored_status(self.store.conn)
        return SyncSnapshot(
            hub_url=stored.hub_url,
            last_sync=stored.last_sync,
            last_error=self.error if self.synced_once else stored.last_error,
            pending=stored.pending,
            conflicts=stored.conflicts,
            running=self.running,
            offline=self.offline,
            demo=self.demo,
        )

    # -- syncing -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.is_running

    def sync_now(self) -> bool:
        """Start a sync unless one runs or no hub is configured; whether it started."""
        if self.running or not self.hub_url() or self.demo:
            return False
        from companion.ui.common.jobs import Job

        database = self.database

        def work(report: Report, cancel: object) -> SyncOutcome:
            from companion.app.sync_tasks import run_sync

            return run_sync(database, report, cancel)  # type: ignore[arg-type]

        self._begin.stop()  # this is the first sync: no other at start-up
        job = Job(work, self)
        job.progress.connect(self.progress)
        job.succeeded.connect(self._succeeded)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        self.job = job
        job.start()
        self._arm()  # the next automatic sync comes one interval after this one
        self.started.emit()
        self.changed.emit()
        return True

    def cancel(self) -> None:
        if self.running:
            self.job.cancel()  # type: ignore[union-attr]

    def stop(self) -> None:
        """The window closes: no more timers, and a running sync is asked to stop."""
        for timer in (self._interval, self._probe, self._tick, self._begin):
            timer.stop()
        self.cancel()
        if self.probe_job is not None and self.probe_job.is_running:
            self.probe_job.cancel()

    def _succeeded(self, outcome: SyncOutcome) -> None:
        if not outcome.cancelled:
            self.synced_once = True
            self.offline = outcome.offline
            self.error = outcome.error
        self._finish(outcome)

    def _failed(self, error: BaseException) -> None:
        from companion.app.sync_tasks import SyncOutcome

        log.error("sync failed", exc_info=error)
        self.synced_once = True
        self.error = str(error) or type(error).__name__
        self._finish(SyncOutcome(error=self.error))

    def _cancelled(self) -> None:
        from companion.app.sync_tasks import SyncOutcome

        self._finish(SyncOutcome(cancelled=True))

    def _finish(self, outcome: SyncOutcome) -> None:
        self._arm()
        self.finished.emit(outcome)
        self.changed.emit()
        if outcome.report is not None and outcome.report.applied:
            self.received.emit()
        if outcome.report is not None and getattr(outcome.report, "toolbox", 0):
            self.toolbox_received.emit()

    # -- automatic syncs ---------------------------------------------------------------

    def _automatic_enabled(self) -> bool:
        return bool(self.hub_url()) and self.interval_minutes() > 0 and not self.demo

    def _arm(self) -> None:
        configured = bool(self.hub_url())
        minutes = self.interval_minutes()
        if configured and minutes > 0:
            self._interval.start(minutes * 60_000)
        else:
            self._interval.stop()
        if configured and minutes > 0 and self.offline:
            if not self._probe.isActive():
                self._probe.start(self.probe_interval_ms)
        else:
            self._probe.stop()
        if configured and not self._tick.isActive():
            self._tick.start(TICK_MS)

    def _first_sync(self) -> None:
        self._arm()
        if self._automatic_enabled():
            self.sync_now()

    def _automatic(self) -> None:
        if self._automatic_enabled() and not self.offline:
            self.sync_now()

    def _probe_hub(self) -> None:
        """While offline: does the hub answer again? Then sync."""
        if self.running or (self.probe_job is not None and self.probe_job.is_running):
            return
        url = self.hub_url()
        if not url:
            return

        from companion.ui.common.jobs import Job

        def look(_report: Report, _cancel: object) -> bool:
            from companion.app.sync_tasks import is_reachable

            return is_reachable(url)

        self.probe_job = Job(look, self)
        self.probe_job.succeeded.connect(self._probed)
        self.probe_job.start()

    def _probed(self, reachable: bool) -> None:
        if reachable and self.offline and self._automatic_enabled():
            self.offline = False
            self.changed.emit()
            self.sync_now()


def outcome_message(outcome: SyncOutcome) -> str:
    """One line on how a sync ended, for the page and the status bar's messages."""
    from companion.i18n import ngettext

    if outcome.cancelled:
        return _("Synchronisation annulée.")
    if outcome.error:
        return outcome.error
    report = outcome.report
    if report is None:
        return ""
    sent = ngettext("{n} modification envoyée", "{n} modifications envoyées", report.pushed)
    received = ngettext("{n} modification reçue", "{n} modifications reçues", report.applied)
    text = f"{sent.format(n=report.pushed)}, {received.format(n=report.applied)}"
    if getattr(report, "toolbox", 0):
        text += ", " + ngettext(
            "{n} élément de la boîte à outils reçu",
            "{n} éléments de la boîte à outils reçus",
            report.toolbox,
        ).format(n=report.toolbox)
    if report.conflicts:
        text += ", " + ngettext(
            "{n} conflit à revoir", "{n} conflits à revoir", report.conflicts
        ).format(n=report.conflicts)
    return _("Synchronisation terminée : {summary}.").format(summary=text)
