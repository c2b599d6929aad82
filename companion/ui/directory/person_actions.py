"""A person's RGPD actions, asked for from the card or the review list: export, erase."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from companion.app.erasure import Erasure, erase_person
from companion.directory.personal_data import write_person_export
from companion.i18n import _
from companion.store import Store


def export_person_data(parent: QWidget, store: Store, person_id: str) -> list[Path]:
    """Ask for a folder and write the person's data there (JSON and text); [] if cancelled."""
    folder = QFileDialog.getExistingDirectory(
        parent, _("Exporter ses données dans le dossier…"), str(Path.home())
    )
    if not folder:
        return []
    try:
        return write_person_export(store, person_id, Path(folder))
    except OSError as error:
        QMessageBox.warning(
            parent,
            _("Export impossible"),
            _("Impossible d'écrire dans « {folder} » : {error}").format(
                folder=folder, error=error.strerror or error
            ),
        )
        return []


def _same_name(typed: str, name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


def confirm_and_erase(parent: QWidget, store: Store, person_id: str) -> Erasure | None:
    """Erase a person once the user has typed their name; None if cancelled or mistyped."""
    person = store.get_person(person_id)
    if person is None:
        return None
    name = person.full_name
    question = "\n\n".join(
        (
            _("Effacer définitivement « {name} » ?").format(name=name),
            _(
                "Ses coordonnées, ses notes, ses données RGPD, ses affiliations et les échanges "
                "qui ne concernent qu'elle seront effacés de cet ordinateur, et l'effacement "
                "sera transmis au réseau à la prochaine synchronisation. Les échanges avec une "
                "organisation sont gardés, sans elle."
            ),
            _(
                "Cet effacement ne peut pas être annulé (l'historique d'annulation est vidé). "
                "Pensez à exporter ses données d'abord si elle les a demandées."
            ),
            _("Tapez son nom pour confirmer :"),
        )
    )
    typed, ok = QInputDialog.getText(
        parent, _("Effacer cette personne"), question, QLineEdit.EchoMode.Normal, ""
    )
    if not ok:
        return None
    if not _same_name(typed, name):
        QMessageBox.information(
            parent,
            _("Effacer cette personne"),
            _("Le nom tapé ne correspond pas à « {name} » : rien n'a été effacé.").format(
                name=name
            ),
        )
        return None
    result = erase_person(store, person_id)
    if not result.file_clean:
        QMessageBox.warning(
            parent,
            _("Effacer cette personne"),
            _(
                "La personne est effacée, mais une autre lecture de la base était en cours : "
                "d'anciennes copies de ses données disparaîtront du disque à la fermeture "
                "de Companion."
            ),
        )
    return result
