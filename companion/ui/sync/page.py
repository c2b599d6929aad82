"""The Synchronisation section: the hub, the last sync, "Synchroniser maintenant", conflicts.

Built the first time the section is shown. It shows what the ``SyncRunner``
does (progress, Cancel, how the last sync ended) and never syncs itself.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from companion.app.hub_connection import MEMBER_NAME, TOKEN_PLACE
from companion.app.sync_tasks import SyncOutcome
from companion.i18n import _
from companion.store import Store
from companion.ui.common.form_parts import plain
from companion.ui.common.formatting import format_number
from companion.ui.common.labels import plain_label
from companion.ui.sync.conflicts_view import ConflictsView, when_text
from companion.ui.sync.connect_dialog import token_place_text
from companion.ui.sync.runner import INTERVALS, SyncRunner, outcome_message
from companion.ui.sync.status import synced_ago


def interval_label(minutes: int) -> str:
    if minutes == 0:
        return _("Jamais (seulement à la demande)")
    if minutes == 60:
        return _("Toutes les heures")
    return _("Toutes les {n} minutes").format(n=minutes)


class SyncPage(QWidget):
    connect_requested = Signal()
    start_for_real_requested = Signal()  # the demo: choose an empty data folder
    changed = Signal()  # a conflict's value was restored
    status_message = Signal(str)

    def __init__(self, store: Store, runner: SyncRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.hub = plain()
        self.member = plain()
        self.token = plain()
        self.last_sync = plain()
        self.pending = plain()
        self.last_error = plain()
        self.last_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.connect_button = QPushButton()
        self.connect_button.clicked.connect(self.connect_requested)
        self.interval = QComboBox()
        for minutes in INTERVALS:
            self.interval.addItem(interval_label(minutes), minutes)
        self.interval.setCurrentIndex(max(0, self.interval.findData(runner.interval_minutes())))
        self.interval.currentIndexChanged.connect(self._interval_chosen)

        hub_row = QHBoxLayout()
        hub_row.addWidget(self.hub, 1)
        hub_row.addWidget(self.connect_button)
        form = QFormLayout()
        form.addRow(_("Hub"), hub_row)
        form.addRow(_("Membre"), self.member)
        form.addRow(_("Jeton"), self.token)
        form.addRow(_("Dernière synchronisation"), self.last_sync)
        form.addRow(_("Modifications à envoyer"), self.pending)
        form.addRow(_("Dernière erreur"), self.last_error)
        interval_row = QHBoxLayout()
        interval_row.addWidget(self.interval)
        interval_row.addStretch(1)
        form.addRow(_("Synchronisation automatique"), interval_row)

        self.sync_button = QPushButton(_("Synchroniser maintenant"))
        self.sync_button.setToolTip(_("F9 ou Ctrl+Maj+S"))
        self.sync_button.clicked.connect(runner.sync_now)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(_("Annuler"))
        self.cancel_button.clicked.connect(runner.cancel)
        self.message = plain()
        actions = QHBoxLayout()
        actions.addWidget(self.sync_button)
        actions.addWidget(self.bar, 1)
        actions.addWidget(self.cancel_button)
        actions.addStretch(0)  # the button keeps its size while the bar is hidden
        self.sync_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        self.conflicts = ConflictsView(store)
        self.conflicts.changed.connect(self._conflict_restored)
        self.conflicts.status_message.connect(self.status_message)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)

        # The demonstration network says so, and how to start for real.
        self.demo_notice = QFrame()
        self.demo_notice.setFrameShape(QFrame.Shape.StyledPanel)
        notice = QHBoxLayout(self.demo_notice)
        notice_text = plain_label(
            _(
                "Cette base est le réseau de démonstration : des membres et des acteurs "
                "fictifs. Elle ne se synchronise jamais avec un hub. Pour rejoindre votre "
                "réseau, ouvrez un dossier de données vide (Préférences), puis connectez-vous "
                "à son hub."
            )
        )
        notice_text.setWordWrap(True)
        self.start_button = QPushButton(_("Commencer pour de vrai…"))
        self.start_button.clicked.connect(self.start_for_real_requested)
        notice.addWidget(notice_text, 1)
        notice.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignVCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(plain_label(_("Synchronisation"), bold=True, point_delta=6))
        layout.addWidget(self.demo_notice)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(line)
        layout.addWidget(self.conflicts, 1)

        runner.changed.connect(self.refresh)
        runner.started.connect(self._started)
        runner.progress.connect(self._progress)
        runner.finished.connect(self._finished)
        self.refresh()
        if runner.running:
            self._started()

    def refresh(self) -> None:
        snapshot = self.runner.snapshot()
        configured = bool(snapshot.hub_url)
        self.hub.setText(snapshot.hub_url or _("Aucun hub configuré"))
        self.connect_button.setText(
            _("Changer de hub…") if configured else _("Se connecter à un hub…")
        )
        self.member.setText(self.store.setting(MEMBER_NAME) or "—")
        place = self.store.setting(TOKEN_PLACE) if configured else None
        self.token.setText(token_place_text(place))
        if snapshot.last_sync:
            ago = synced_ago(snapshot.last_sync, datetime.now(UTC))
            self.last_sync.setText(f"{when_text(snapshot.last_sync)} ({ago})")
        else:
            self.last_sync.setText(_("jamais"))
        self.pending.setText(format_number(snapshot.pending))
        self.last_error.setText(snapshot.last_error or "—")
        if snapshot.offline:
            self.last_error.setText(_("Hors ligne : {detail}").format(
                detail=snapshot.last_error or _("le hub ne répond pas")))  # fmt: skip
        running = snapshot.running
        self.sync_button.setEnabled(configured and not running and not snapshot.demo)
        self.bar.setVisible(running)
        self.cancel_button.setVisible(running)
        self.demo_notice.setVisible(snapshot.demo)
        if snapshot.demo:  # nothing here will ever be sent: no count, no hub, no timer
            self.hub.setText(_("Aucun : réseau de démonstration"))
            self.pending.setText("—")
            self.last_sync.setText(_("jamais (démonstration)"))
        for widget in (self.connect_button, self.interval):
            widget.setEnabled(not snapshot.demo)

    def _interval_chosen(self, index: int) -> None:
        minutes = self.interval.itemData(index)
        if minutes is not None and minutes != self.runner.interval_minutes():
            self.runner.set_interval(int(minutes))

    def _started(self) -> None:
        self.bar.setRange(0, 0)  # busy until a report gives a total
        self.message.setText(_("Synchronisation en cours…"))

    def _progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)
        if message:
            self.message.setText(message)

    def _finished(self, outcome: SyncOutcome) -> None:
        self.message.setText(outcome_message(outcome))
        self.conflicts.refresh()
        self.refresh()

    def _conflict_restored(self) -> None:
        self.refresh()
        self.changed.emit()
