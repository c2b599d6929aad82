"""After an export, the file or its folder opens with one click, and Escape just closes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from companion.ui.common.saved_file import offer_to_open


class Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url.toLocalFile())


@pytest.fixture
def opened(qapp):
    handler = Opened()
    QDesktopServices.setUrlHandler("file", handler, "handle")
    yield handler
    QDesktopServices.unsetUrlHandler("file")


def answer(action) -> None:
    """Act on the message box once it shows."""

    def act() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        assert "carte.pdf" in box.text()
        action(box)

    QTimer.singleShot(0, act)


def click_named(name: str):
    def click(box: QMessageBox) -> None:
        [button] = [b for b in box.buttons() if b.text() == name]
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    return click


def test_open_the_file_its_folder_or_nothing(qtbot, opened, tmp_path):
    path = tmp_path / "exports" / "carte.pdf"
    answer(click_named("Afficher dans le dossier"))
    assert offer_to_open(None, "Exporter la carte", path) == "folder"
    answer(lambda box: QTest.keyClick(box, Qt.Key.Key_Return))  # Enter opens the file
    assert offer_to_open(None, "Exporter la carte", path) == "open"
    answer(lambda box: QTest.keyClick(box, Qt.Key.Key_Escape))
    assert offer_to_open(None, "Exporter la carte", path) == ""
    assert opened.urls == [str(tmp_path / "exports"), str(path)]
