"""After an export: say where the file went, and open it or its folder on request."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from companion.i18n import _


def offer_to_open(parent: QWidget | None, title: str, path: Path, message: str = "") -> str:
    """« Ouvrir » (the system's application for it), « Afficher dans le dossier », or
    « Fermer »; returns "open", "folder" or "" (Escape closes, Enter opens)."""
    text = message or _("Le fichier est enregistré dans « {path} ».").format(path=path)
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    open_button = box.addButton(_("Ouvrir"), QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton(_("Afficher dans le dossier"), QMessageBox.ButtonRole.ActionRole)
    close_button = box.addButton(_("Fermer"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_button)
    box.setEscapeButton(close_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is open_button:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return "open"
    if clicked is folder_button:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))
        return "folder"
    return ""
