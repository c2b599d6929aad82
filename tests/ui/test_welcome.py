"""The first start explains itself; unexpected errors are logged and explained in French."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from companion.app.datafolder import DEMO_SETTING
from companion.logs import log_path, setup_logging
from companion.ui.shell import app as app_module
from companion.ui.shell import preferences as preferences_module
from companion.ui.shell import startup, welcome
from companion.ui.shell.error_reporter import ErrorReporter
from companion.ui.shell.startup import FIRST_RUN_SETTING
from companion.ui.shell.welcome import FirstRun, WelcomeDialog


@pytest.fixture
def preferences(tmp_path, monkeypatch) -> QSettings:
    """This machine's preferences, in a file of the test's own."""
    settings = QSettings(str(tmp_path / "preferences.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(preferences_module, "preferences", lambda: settings)
    return settings


def answer(monkeypatch, choice: str, folder: Path | None = None) -> list[Path]:
    """The welcome answers ``choice`` (in ``folder``, or the one offered); the folders offered."""
    offered: list[Path] = []

    def ask(offered_folder: Path, parent=None) -> FirstRun:
        offered.append(offered_folder)
        return FirstRun(choice, folder or offered_folder)

    monkeypatch.setattr(welcome, "ask_first_run", ask)
    return offered


def test_the_welcome_offers_three_beginnings_and_a_folder(qtbot, tmp_path, monkeypatch):
    dialog = WelcomeDialog(tmp_path / "donnees")
    qtbot.addWidget(dialog)
    dialog.show()
    titles = [b.text() for b in (dialog.demo_button, dialog.empty_button, dialog.join_button)]
    assert titles == [
        "Explorer le réseau de démonstration",
        "Commencer avec un annuaire vide",
        "Rejoindre mon réseau",
    ]
    assert dialog.demo_button.isDefault()
    other = tmp_path / "ailleurs"
    other.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(other))
    dialog.choose_folder()
    assert dialog.folder == other and str(other) in dialog.folder_label.text()
    dialog.empty_button.click()
    assert (dialog.choice, dialog.result()) == ("empty", WelcomeDialog.DialogCode.Accepted)


def test_starting_empty_makes_an_empty_directory(qtbot, tmp_path, monkeypatch):
    offered = answer(monkeypatch, "empty")
    store = startup.open_data_folder(tmp_path / "neuf")
    assert store is not None
    try:
        assert offered == [tmp_path / "neuf"]
        assert store.count_actors() == 0
        assert store.setting(DEMO_SETTING) is None  # a real directory: it may sync
        # Nothing to lose yet: its first automatic backup is an interval away, not now.
        from companion.store import backups

        created = backups.created_setting(store.conn)
        assert created is not None
        assert not backups.automatic_backup_due(tmp_path / "neuf", 24, created=created)
    finally:
        store.close()


def test_quitting_the_welcome_quits_and_writes_nothing(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(welcome, "ask_first_run", lambda folder, parent=None: None)
    assert startup.open_data_folder(tmp_path / "neuf") is None
    assert not (tmp_path / "neuf" / "companion.db").exists()


def test_another_folder_chosen_is_used_and_remembered(qtbot, tmp_path, monkeypatch, preferences):
    chosen = tmp_path / "mes-donnees"
    answer(monkeypatch, "empty", chosen)
    store = startup.open_data_folder(tmp_path / "par-defaut")
    assert store is not None
    store.close()
    assert (chosen / "companion.db").exists()
    assert preferences_module.remembered_data_folder() == chosen
    monkeypatch.delenv("COMPANION_DATA", raising=False)
    assert app_module._data_folder() == chosen  # the next start opens it


def test_joining_opens_the_hub_connection_once_the_window_shows(qtbot, tmp_path, monkeypatch):
    answer(monkeypatch, "join")
    store = startup.open_data_folder(tmp_path / "neuf")
    assert store is not None and store.setting(FIRST_RUN_SETTING) == "join"
    from companion.ui.shell.main_window import MainWindow

    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    app_module._after_first_start(window)
    qtbot.waitUntil(lambda: window.sync_dialog is not None and window.sync_dialog.isVisible())
    assert store.setting(FIRST_RUN_SETTING) == "done"  # once only
    window.sync_dialog.reject()
    window.close()
    store.close()


def test_the_first_start_can_be_answered_without_asking(tmp_path, monkeypatch):
    monkeypatch.setenv(welcome.FIRST_RUN_ENV, "empty")
    assert welcome.ask_first_run(tmp_path) == FirstRun("empty", tmp_path)


# -- logs and unexpected errors -------------------------------------------------------------


def test_the_log_goes_to_a_rotating_file_in_the_data_folder(tmp_path):
    path = setup_logging(tmp_path)
    assert path == log_path(tmp_path) == tmp_path / "journaux" / "companion.log"
    logging.getLogger("companion.test").warning("synchronisation interrompue")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "synchronisation interrompue" in path.read_text(encoding="utf-8")
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "companion-file"]
    assert (handler.maxBytes, handler.backupCount) == (1_000_000, 5)


def test_an_unexpected_error_is_logged_and_explained(qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    log_file = setup_logging(tmp_path)
    reporter = ErrorReporter(QApplication.instance(), log_file).install()
    try:
        try:
            raise ValueError("valeur impossible")
        except ValueError as error:
            reporter.handle(ValueError, error, error.__traceback__)
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
        dialog = reporter.dialog
        assert dialog.summary.text() == "ValueError: valeur impossible"
        assert not dialog.text.isVisible()  # no raw traceback unless asked
        dialog.toggle.click()
        assert dialog.text.isVisible() and "Traceback" in dialog.text.toPlainText()
        dialog.copy_button.click()
        copied = QGuiApplication.clipboard().text()
        assert "valeur impossible" in copied and str(log_file) in copied
        dialog.reject()
    finally:
        reporter.uninstall()
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_file.read_text(encoding="utf-8")
    assert "unexpected error" in logged and "ValueError: valeur impossible" in logged


def test_an_error_in_a_worker_thread_reaches_the_dialog(qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    reporter = ErrorReporter(QApplication.instance(), None).install()
    try:

        def fail() -> None:
            raise RuntimeError("panne du fil")

        worker = threading.Thread(target=fail)
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
        assert reporter.dialog.summary.text() == "RuntimeError: panne du fil"
        reporter.dialog.reject()
    finally:
        reporter.uninstall()


def test_the_log_rotates_keeping_five_older_files(tmp_path, monkeypatch):
    from companion import logs

    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    path = setup_logging(tmp_path)
    log = logging.getLogger("companion.test.rotation")
    for number in range(200):
        log.warning("ligne %03d %s", number, "x" * 40)
    for handler in logging.getLogger().handlers:
        handler.flush()
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["companion.log", *(f"companion.log.{n}" for n in range(1, 6))]
    assert all(p.stat().st_size <= 2_000 for p in path.parent.iterdir())
    assert "ligne 199" in path.read_text(encoding="utf-8")  # the newest in the current file
    setup_logging(tmp_path / "ailleurs")  # later tests log elsewhere


def test_the_demo_network_opens_on_its_map(qtbot, tmp_path, monkeypatch):
    from companion.ui.shell.main_window import MAP, MainWindow

    answer(monkeypatch, "demo")
    monkeypatch.setattr(startup, "build_demo_network", lambda folder, parent=None: True)
    store = startup.open_data_folder(tmp_path / "neuf")
    assert store is not None and store.setting(FIRST_RUN_SETTING) == "demo"
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    shown: list[int] = []  # the map page itself (QtWebEngine) is tested in test_map_*.py
    monkeypatch.setattr(window, "show_section", shown.append)
    app_module._after_first_start(window)
    qtbot.waitUntil(lambda: shown == [MAP])
    assert store.setting(FIRST_RUN_SETTING) == "done"
    app_module._after_first_start(window)  # later starts: nothing
    assert store.setting(FIRST_RUN_SETTING) == "done" and shown == [MAP]
    window.close()
    store.close()
