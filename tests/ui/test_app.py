"""Starting the app: data folder problems are explained, the damaged file is kept."""

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QProgressDialog

from companion.store import Store
from companion.ui.shell import app as app_module
from companion.ui.shell import startup


class DialogRecorder:
    """Stands in for QMessageBox.exec: records each box and clicks the chosen answer."""

    def __init__(self) -> None:
        self.shown: list[QMessageBox] = []
        self.answer: str | None = None

    def exec(self, box: QMessageBox) -> int:
        self.shown.append(box)
        assert box.textFormat() == Qt.TextFormat.PlainText  # outside text is never HTML
        if self.answer is not None:
            labels = [button.text() for button in box.buttons()]
            assert self.answer in labels, labels
            next(b for b in box.buttons() if b.text() == self.answer).click()
        return 0

    @property
    def errors(self) -> list[str]:
        return [box.text() for box in self.shown if box.icon() == QMessageBox.Icon.Critical]


@pytest.fixture(autouse=True)
def first_start_explores_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The welcome's first choice, without the dialog (tests/ui/test_welcome.py shows it)."""
    monkeypatch.setenv("COMPANION_FIRST_RUN", "demo")


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    recorder = DialogRecorder()
    monkeypatch.setattr(QMessageBox, "exec", lambda box: recorder.exec(box))
    return recorder


def fake_demo(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, str]]:
    """Replace the demo generator by a small one that reports progress from its thread."""
    reports: list[tuple[int, int, str]] = []

    def create(folder: Path, progress=None, **_options) -> Path:
        assert threading.current_thread() is not threading.main_thread()
        path = Path(folder) / "companion.db"
        store = Store.open(path)
        store.add_actor("Acteur de démonstration", "association")
        store.close()
        for done in (1, 2):
            progress(done, 2, "Acteurs…")
            reports.append((done, 2, "Acteurs…"))
        return path

    monkeypatch.setattr(startup, "create_demo_database", create)
    return reports


def test_a_data_dir_that_is_a_file_is_explained(qtbot, tmp_path, dialogs) -> None:
    not_a_folder = tmp_path / "donnees"
    not_a_folder.write_text("pas un dossier")
    assert app_module.run_gui(not_a_folder, argv=[]) == 2
    assert len(dialogs.errors) == 1
    assert "est un fichier, pas un dossier" in dialogs.errors[0]
    assert dialogs.shown[0].windowTitle() == "Companion ne peut pas démarrer"


def test_an_unusable_database_path_is_explained(qtbot, tmp_path, dialogs) -> None:
    (tmp_path / "companion.db").mkdir()  # a folder where the database file should be
    assert app_module.run_gui(tmp_path, argv=[]) == 2
    assert "n'est pas un fichier de données" in dialogs.errors[0]


def test_qt_standard_buttons_are_french(qtbot, tmp_path, dialogs) -> None:
    (tmp_path / "fichier").write_text("")
    app_module.run_gui(tmp_path / "fichier", argv=[])
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert buttons.buttons()[0].text() == "Annuler"


def test_a_corrupt_database_is_left_untouched_when_quitting(qtbot, tmp_path, dialogs) -> None:
    database = tmp_path / "companion.db"
    garbage = b"ceci n'est pas une base SQLite" * 100
    database.write_bytes(garbage)
    dialogs.answer = "Quitter"
    assert app_module.run_gui(tmp_path, argv=[]) == 2
    assert len(dialogs.shown) == 1 and "endommagé" in dialogs.shown[0].text()
    assert dialogs.errors == []
    assert database.read_bytes() == garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["companion.db"]


def test_a_corrupt_database_can_be_set_aside(qtbot, tmp_path, dialogs, monkeypatch) -> None:
    database = tmp_path / "companion.db"
    database.write_bytes(b"abimee" * 50)
    dialogs.answer = "Mettre de côté et repartir d'une base neuve"
    fake_demo(monkeypatch)
    store = startup.open_data_folder(tmp_path)
    assert store is not None
    assert store.count_actors() == 1
    store.close()
    aside = [p for p in tmp_path.iterdir() if "endommagee" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == b"abimee" * 50


def test_first_start_builds_the_demo_behind_a_progress_dialog(qtbot, tmp_path, monkeypatch) -> None:
    reports = fake_demo(monkeypatch)
    labels: list[str] = []
    set_label, show = QProgressDialog.setLabelText, QProgressDialog.show
    monkeypatch.setattr(
        QProgressDialog, "show", lambda self: (labels.append(self.labelText()), show(self))
    )
    monkeypatch.setattr(
        QProgressDialog,
        "setLabelText",
        lambda self, text: (labels.append(text), set_label(self, text)),
    )
    store = startup.open_data_folder(tmp_path / "neuf")
    assert store is not None
    assert store.count_actors() == 1
    store.close()
    assert reports == [(1, 2, "Acteurs…"), (2, 2, "Acteurs…")]
    assert labels[0] == "Création du réseau de démonstration…"
    assert "Création du réseau de démonstration… Acteurs…" in labels


def test_a_failed_demo_generation_is_explained(qtbot, tmp_path, dialogs, monkeypatch) -> None:
    def broken(folder: Path, progress=None, **_options) -> Path:
        raise OSError("disque plein")

    monkeypatch.setattr(startup, "create_demo_database", broken)
    assert app_module.run_gui(tmp_path / "neuf", argv=[]) == 2
    assert "disque plein" in dialogs.errors[0]


def test_the_window_opens_and_the_benchmark_mode_exits(qtbot, tmp_path, monkeypatch) -> None:
    store = Store.open(tmp_path / "companion.db")
    store.add_actor("Premier acteur", "association")
    store.close()
    monkeypatch.setenv("COMPANION_EXIT_WHEN_SHOWN", "1")
    assert app_module.run_gui(tmp_path, argv=[]) == 0
    assert QApplication.applicationName() == "Companion"
    # The log says the app started and stopped, with its versions, never the data.
    log = (tmp_path / "journaux" / "companion.log").read_text(encoding="utf-8")
    assert "start: Companion 0." in log and "PySide6 6." in log
    assert log.rstrip().endswith("stop")
    assert "Premier acteur" not in log
