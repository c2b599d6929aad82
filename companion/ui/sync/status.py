"""The sync status, always in view at the right of the main window's status bar.

"Synchronisé il y a 5 min", "12 modifications à envoyer", "Hors ligne",
"Erreur : …", or "Pas de hub configuré" with a "Se connecter…" link. A click
opens the Synchronisation section. Cheap: it runs a few small queries when
told something changed (never at import, never before the window shows).
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from companion.i18n import _, ngettext
from companion.ui.common.icons import icon
from companion.ui.sync.runner import SyncRunner, SyncSnapshot

ICON_SIZE = QSize(16, 16)
MAX_TEXT_WIDTH = 420
ICONS = {
    "none": "fa5s.unlink",
    "running": "fa5s.sync-alt",
    "offline": "fa5s.plug",
    "error": "fa5s.exclamation-triangle",
    "pending": "fa5s.cloud-upload-alt",
    "ok": "fa5s.check-circle",
    "demo": "fa5s.flask",  # the demonstration network, which never syncs
}


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def synced_ago(last_sync: str | None, now: datetime) -> str:
    """ "Synchronisé il y a 5 min"; "Jamais synchronisé" without a last sync."""
    moment = parse_time(last_sync)
    if moment is None:
        return _("Jamais synchronisé")
    minutes = max(0, int((now - moment).total_seconds() // 60))
    if minutes < 1:
        return _("Synchronisé à l'instant")
    if minutes < 60:
        return _("Synchronisé il y a {n} min").format(n=minutes)
    hours = minutes // 60
    if hours < 24:
        return ngettext(
            "Synchronisé il y a {n} heure", "Synchronisé il y a {n} heures", hours
        ).format(n=hours)
    local = moment.astimezone()
    return _("Synchronisé le {date}").format(date=local.strftime("%d/%m/%Y"))


def pending_text(count: int) -> str:
    return ngettext("{n} modification à envoyer", "{n} modifications à envoyer", count).format(
        n=count
    )


def describe(snapshot: SyncSnapshot, now: datetime | None = None) -> tuple[str, str]:
    """(state, text): the state names the icon; the text is what the status bar says."""
    now = now or datetime.now(UTC)
    if snapshot.demo:
        return "demo", _("Réseau de démonstration : jamais synchronisé")
    if not snapshot.hub_url:
        return "none", _("Pas de hub configuré")
    if snapshot.running:
        return "running", _("Synchronisation en cours…")
    if snapshot.offline:
        kind, text = "offline", _("Hors ligne")
    elif snapshot.last_error:
        message = " ".join(snapshot.last_error.split())  # on one line
        return "error", _("Erreur : {message}").format(message=message)
    elif snapshot.pending:
        kind, text = "pending", pending_text(snapshot.pending)
    else:
        kind, text = "ok", synced_ago(snapshot.last_sync, now)
    extras = []
    if kind == "offline" and snapshot.pending:
        extras.append(pending_text(snapshot.pending))
    if snapshot.conflicts:
        extras.append(
            ngettext("{n} conflit à revoir", "{n} conflits à revoir", snapshot.conflicts).format(
                n=snapshot.conflicts
            )
        )
    return kind, " — ".join([text, *extras])


class SyncStatusWidget(QWidget):
    """Icon and text of the sync status; a link to connect when no hub is configured."""

    clicked = Signal()
    connect_requested = Signal()

    def __init__(self, runner: SyncRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.state = ""
        self.text = ""
        self.icon_label = QLabel()
        self.text_label = QLabel()
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.connect_button: QPushButton | None = None  # made when first needed
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(6, 0, 6, 0)
        self.row.setSpacing(6)
        self.row.addWidget(self.icon_label)
        self.row.addWidget(self.text_label)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(_("Ouvrir la synchronisation"))
        runner.changed.connect(self.refresh)

    def refresh(self) -> None:
        snapshot = self.runner.snapshot()
        state, text = describe(snapshot)
        self.text = text
        elided = self.text_label.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideRight, MAX_TEXT_WIDTH
        )
        self.text_label.setText(elided)
        self.text_label.setToolTip(text if elided != text else "")
        if state != self.state:
            self.state = state
            self.icon_label.setPixmap(icon(ICONS[state]).pixmap(ICON_SIZE))
        if state == "none" and self.connect_button is None:
            self.connect_button = self._link_button(_("Se connecter…"))
        if self.connect_button is not None:
            self.connect_button.setVisible(state == "none")

    def _link_button(self, text: str) -> QPushButton:
        """A flat button drawn like a link (palette and font: a style sheet costs more)."""
        button = QPushButton(text)
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        font = QFont(button.font())
        font.setUnderline(True)
        button.setFont(font)
        palette = QPalette(button.palette())
        palette.setColor(QPalette.ColorRole.ButtonText, palette.color(QPalette.ColorRole.Link))
        button.setPalette(palette)
        button.clicked.connect(self.connect_requested)
        self.row.addWidget(button)
        return button

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)
