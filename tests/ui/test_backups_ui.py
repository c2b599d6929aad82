"""Fichier › backups and archives: « Sauvegarder maintenant », the automatic backup,
« Restaurer une sauvegarde… » (list, preview, confirmation, the database reopened),
« Exporter toutes mes données… » and « Importer une archive… »."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from needs import require_module
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from companion.app.archive import export_archive
from companion.store import Store, backups, encryption
from companion.ui.data.restore_dialog import RestoreDialog

from .conftest import Network, close_windows, make_window

TIMEOUT = 20_000


@pytest.fixture
def store(tmp_path: Path):
    """The database as the app names it: a restore reopens the data folder's one."""
    opened = Store.open(tmp_path / "companion.db")
    yield opened
    close_windows()
    opened.close()


@pytest.fixture
def answers(monkeypatch):
    """QMessageBox's statics answered without a dialog; what was asked is kept."""
    asked: list[tuple[str, str]] = []

    def question(_parent, title, text, *_args, **_kwargs):
        asked.append((title, text))
        return QMessageBox.StandardButton.Yes

    def warning(_parent, title, text, *_args, **_kwargs):
        asked.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QMessageBox, "information", warning)
    return asked


def backup_now(qtbot, window) -> backups.Backup:
    with qtbot.waitSignal(window.backup_scheduler().made, timeout=TIMEOUT) as made:
        window.actions_by_name["backup_now"].trigger()
    return made.args[0]


def reopened(qtbot, reopening):
    """The new window once the database was replaced and opened again."""
    with qtbot.waitSignal(reopening.reopened, timeout=TIMEOUT) as signal:
        pass
    window = signal.args[0]
    qtbot.addWidget(window)
    # The window fills its status bar just after it appears: let it, before closing it.
    qtbot.waitUntil(lambda: "acteur" in window.status_label.text(), timeout=TIMEOUT)
    return window


def close(window) -> None:
    window.close()
    window.store.close()


def test_the_file_menu_lists_backups_and_archives(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    file_menu = window.menuBar().actions()[0].menu()
    texts = [action.text() for action in file_menu.actions()]
    for text in (
        "Sauvegarder maintenant",
        "Restaurer une sauvegarde…",
        "Exporter toutes mes données…",
        "Importer une archive…",
    ):
        assert text in texts
    assert texts.index("Sauvegarder maintenant") < texts.index("Quitter")
    for name in ("backup_now", "restore", "export_archive", "import_archive"):
        assert window.actions_by_name[name].shortcut().isEmpty()


def test_backup_now_makes_a_copy_in_the_background(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    made = backup_now(qtbot, window)
    assert made.reason == backups.MANUAL and made.path.is_file()
    assert made.path.parent == network.store.path.parent / "sauvegardes"
    assert "Sauvegarde faite" in window.statusBar().currentMessage()


def test_the_automatic_backup_is_made_when_due_only(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    scheduler = window.backup_scheduler()
    data_dir = network.store.path.parent
    with qtbot.waitSignal(scheduler.made, timeout=TIMEOUT) as made:
        assert scheduler.check()  # no automatic backup yet: due
    assert made.args[0].reason == backups.AUTOMATIC
    assert not scheduler.check()  # made less than a day ago
    network.store.set_setting(backups.INTERVAL_SETTING, "0")
    assert not scheduler.check()
    assert [b.reason for b in backups.list_backups(data_dir)] == [backups.AUTOMATIC]


def test_the_dialog_lists_backups_with_a_preview_beside_the_current_base(
    qtbot, network: Network, answers
) -> None:
    window = make_window(qtbot, network)
    older = backup_now(qtbot, window)
    network.store.add_actor("Ajouté après", "collectif")
    newer = backup_now(qtbot, window)
    window.actions_by_name["restore"].trigger()
    dialog = window.data_actions.dialog
    assert isinstance(dialog, RestoreDialog) and dialog.isVisible()
    assert dialog.table.topLevelItemCount() == 2
    first = dialog.table.topLevelItem(0)
    assert first.text(1) == "manuelle" and first.text(2).endswith("ko")
    assert dialog.selected().path == newer.path
    assert dialog.preview_cells["actors"].text() == "5"
    dialog.select(older)
    assert dialog.preview_cells["actors"].text() == "4"
    assert dialog.current_cells["actors"].text() == "5"
    assert dialog.current_cells["people"].text() == "2"
    # The settings of the automatic backup are kept in the database.
    dialog.interval.setCurrentIndex(dialog.interval.findData(168))
    dialog.keep.setValue(5)
    assert backups.interval_setting(network.store.conn) == 168
    assert backups.keep_setting(network.store.conn) == 5
    dialog.reject()


def test_restoring_replaces_the_database_and_reopens_it(qtbot, network: Network, answers) -> None:
    window = make_window(qtbot, network)
    older = backup_now(qtbot, window)
    network.store.add_actor("Ajouté après", "collectif")
    window.actions_by_name["restore"].trigger()
    dialog = window.data_actions.dialog
    dialog.select(older)
    dialog.confirm_restore()
    title, text = answers[-1]
    assert title == "Restaurer une sauvegarde"
    assert "5 acteurs" in text and "4 acteurs" in text and "avant restauration" in text
    new_window = reopened(qtbot, window.data_actions.reopening)
    try:
        assert window.closed and not window.isVisible()
        assert window.successor is new_window and new_window.isVisible()
        assert new_window.store.count_actors() == 4
        qtbot.waitUntil(lambda: "4 acteurs" in new_window.status_label.text())
        assert "restaurée" in new_window.statusBar().currentMessage()
        reasons = [b.reason for b in backups.list_backups(new_window.store.path.parent)]
        assert backups.RESTORE in reasons
    finally:
        close(new_window)


def test_a_refused_restore_reopens_the_same_database_and_says_why(
    qtbot, network: Network, answers
) -> None:
    window = make_window(qtbot, network)
    made = backup_now(qtbot, window)
    window.actions_by_name["restore"].trigger()
    dialog = window.data_actions.dialog
    data = bytearray(made.path.read_bytes())
    data[3 * 4096 : 3 * 4096 + 2000] = b"\xff" * 2000  # damaged after it was listed
    made.path.write_bytes(bytes(data))
    dialog.select(made)
    assert dialog.confirm_restore()  # its preview was read before the damage
    new_window = reopened(qtbot, window.data_actions.reopening)
    try:
        assert new_window.store.count_actors() == 4
        title, text = answers[-1]
        assert made.path.name in text and "endommagée" in text
    finally:
        close(new_window)


OLD_KEY = "une ancienne phrase de passe"


def copy_under_another_key(tmp_path: Path, data_dir: Path) -> Path:
    """A copy of one actor in the backup folder, encrypted with a key the app does not hold
    (a passphrase since changed, say)."""
    elsewhere = tmp_path / "ancienne"
    elsewhere.mkdir()
    other = Store.open(elsewhere / "companion.db")
    other.add_actor("Seul acteur de la sauvegarde", "collectif")
    other.close()
    encryption.encrypt_database(elsewhere / "companion.db", OLD_KEY)
    encryption.forget_key(elsewhere / "companion.db")
    copy = data_dir / "sauvegardes" / "companion-20240101-000000-000000-manuelle.db"
    copy.parent.mkdir(exist_ok=True)
    copy.write_bytes((elsewhere / "companion.db").read_bytes())
    return copy


def test_a_copy_under_another_key_is_restored_with_its_passphrase(
    qtbot, network: Network, tmp_path: Path, monkeypatch, answers, no_keyring
) -> None:
    require_module("sqlcipher3")
    data_dir = network.store.path.parent
    copy = copy_under_another_key(tmp_path, data_dir)
    window = make_window(qtbot, network)
    window.actions_by_name["restore"].trigger()
    dialog = window.data_actions.dialog
    [listed] = dialog.backups
    assert listed.path == copy and dialog.selected() == listed
    assert dialog.preview_error.isVisible() and "autre clé" in dialog.preview_error.text()
    assert dialog.key_button.isVisible() and dialog.key_button.text() == (
        "Saisir sa phrase de passe…"
    )
    assert not dialog.restore_button.isEnabled() and not dialog.confirm_restore()

    typed = iter(["pas la bonne phrase", OLD_KEY])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (next(typed), True))
    fingerprint = hashlib.sha256(network.store.path.read_bytes()).hexdigest()
    dialog.key_button.click()  # a wrong one: said, nothing changes
    title, text = answers[-1]
    assert "phrase de passe incorrecte" in text and copy.name in text
    assert dialog.key_button.isVisible() and not dialog.restore_button.isEnabled()
    assert dialog.preview_cells["actors"].text() == "—"
    assert hashlib.sha256(network.store.path.read_bytes()).hexdigest() == fingerprint
    assert [b.path for b in backups.list_backups(data_dir)] == [copy]

    dialog.key_button.click()  # the right one: its preview, and « Restaurer »
    assert dialog.preview_cells["actors"].text() == "1"
    assert not dialog.preview_error.isVisible() and not dialog.key_button.isVisible()
    assert dialog.restore_button.isEnabled()
    assert dialog.confirm_restore()
    title, text = answers[-1]
    assert title == "Restaurer une sauvegarde" and "1 acteur" in text
    new_window = reopened(qtbot, window.data_actions.reopening)
    try:
        assert new_window.store.count_actors() == 1
        assert not encryption.is_encrypted(new_window.store.path)  # as the base was: plain
        assert "restaurée" in new_window.statusBar().currentMessage()
        reasons = [b.reason for b in backups.list_backups(data_dir)]
        assert backups.RESTORE in reasons
    finally:
        close(new_window)


def test_exporting_everything_writes_one_archive(
    qtbot, network: Network, tmp_path: Path, monkeypatch
) -> None:
    window = make_window(qtbot, network)
    target = tmp_path / "mes-donnees"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    from companion.ui.data import data_actions

    offered: list[Path] = []
    monkeypatch.setattr(data_actions, "offer_to_open", lambda *args: offered.append(args[2]))
    window.actions_by_name["export_archive"].trigger()
    job = window.data_actions.export_job
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        pass
    written = target.with_suffix(".zip")
    assert job.outcome == "succeeded" and written.is_file()
    with zipfile.ZipFile(written) as archive:
        assert {"manifest.json", "companion.db", "lisible/acteurs.csv"} <= set(archive.namelist())
    assert "Archive écrite" in window.statusBar().currentMessage()
    assert offered == [written]  # « Ouvrir » / « Afficher dans le dossier »


def test_importing_an_archive_replaces_the_data_after_confirmation(
    qtbot, network: Network, tmp_path: Path, monkeypatch, answers
) -> None:
    elsewhere = tmp_path / "autre"
    elsewhere.mkdir()
    other = Store.open(elsewhere / "companion.db")
    other.add_actor("Seul acteur de l'archive", "collectif")
    other.close()
    archive = export_archive(elsewhere / "companion.db", tmp_path / "archive.zip").path
    window = make_window(qtbot, network)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(archive), ""))
    window.actions_by_name["import_archive"].trigger()
    title, text = answers[-1]
    assert title == "Importer une archive" and "4 acteurs" in text and "1 acteur" in text
    new_window = reopened(qtbot, window.data_actions.reopening)
    try:
        assert new_window.store.count_actors() == 1
        assert new_window.store.actors()[0].name == "Seul acteur de l'archive"
        assert "Archive importée" in new_window.statusBar().currentMessage()
        reasons = [b.reason for b in backups.list_backups(new_window.store.path.parent)]
        assert reasons == [backups.ARCHIVE]
    finally:
        close(new_window)
