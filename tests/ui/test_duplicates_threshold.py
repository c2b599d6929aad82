"""The duplicates dialog's threshold: changed with the keyboard and the mouse, remembered,
and the rows drawn with all their reasons, penalties included."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyle, QStyleOptionSpinBox

from companion.directory.duplicates import DEFAULT_THRESHOLD, threshold
from companion.ui.directory.duplicates_dialog import DuplicatesDialog

LYON = {"commune": "Lyon", "insee_code": "69123", "departement": "69", "postcode": "69001"}
LYON_POINT = {"latitude": 45.76, "longitude": 4.84}
BREST_POINT = {"latitude": 48.39, "longitude": -4.49}


@pytest.fixture
def directory(store):
    store.add_actor("Recyclerie", "association", siret="73282932000074", **LYON_POINT)
    store.add_actor("Plateau SAS", "entreprise", siret="73282932000074", **BREST_POINT)
    store.add_actor("Association Jardins Tramolin", "association", **LYON)
    store.add_actor("Asso. Jardins Tramolin", "collectif", **LYON)
    # the same words, another kind, 760 km away: a homonym, under the threshold
    store.add_actor("Les Jardins Bravelune", "association", **LYON_POINT)
    store.add_actor("Jardins Bravelune", "fondation", **BREST_POINT)
    return store


def scanned(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.scan_finished, timeout=10_000):
        dialog.start_scan()
    return dialog


def drawn_rows(qtbot, dialog):
    """(score, left, right, reasons) of each row the view draws, read back at its place."""
    view = dialog.view
    qtbot.waitUntil(lambda: view.viewport().isVisible())
    rows = []
    for row in range(view.model().rowCount()):
        cells = []
        for column in range(4):
            index = view.model().index(row, column)
            rect = view.visualRect(index)
            assert view.viewport().rect().intersects(rect)
            assert view.indexAt(rect.center()) == index
            cells.append(index.data())
        rows.append(tuple(cells))
    return rows


def ink_rows(dialog):
    """How many row bands of the view hold text (many colours: glyphs and their edges);
    an empty band is one flat colour."""
    view = dialog.view
    image = view.viewport().grab().toImage()
    height = view.verticalHeader().defaultSectionSize()
    bands = 0
    for top in range(0, image.height() - height + 1, height):
        colours = {
            image.pixel(x, y)
            for y in range(top + 2, top + height - 2)
            for x in range(0, image.width(), 3)
        }
        bands += len(colours) > 4
    return bands


def click_spin_arrow(qtbot, box, sub_control):
    option = QStyleOptionSpinBox()
    box.initStyleOption(option)
    rect = box.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, option, sub_control, box)
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())


def test_threshold_changed_with_keyboard_and_mouse_filters_the_drawn_rows(qtbot, directory):
    store = directory
    dialog = scanned(qtbot, DuplicatesDialog(store))
    box = dialog.threshold_box
    assert box.value() == DEFAULT_THRESHOLD

    rows = drawn_rows(qtbot, dialog)
    assert [r[1:3] for r in rows] == [
        ("Recyclerie", "Plateau SAS"),
        ("Association Jardins Tramolin", "Asso. Jardins Tramolin"),
    ]
    assert rows[0][0] == "100"
    assert rows[0][3].startswith("même SIRET, types différents, à ")
    assert rows[0][3].endswith(" km")
    assert rows[1][3] == "noms proches (100 %), même commune, types différents"
    assert ink_rows(dialog) == 2
    assert dialog.status.text() == "2 doublons probables (1 autre paire sous le seuil)"

    # keyboard: type a lower threshold into the box
    QTest.mouseClick(box.lineEdit(), Qt.MouseButton.LeftButton)
    QTest.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(box, "40")
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3)
    rows = drawn_rows(qtbot, dialog)
    homonyms = rows[2]
    assert homonyms[1:3] == ("Les Jardins Bravelune", "Jardins Bravelune")
    reasons = homonyms[3].split(", ")
    assert reasons[:2] == ["noms proches (100 %)", "types différents"]
    assert reasons[2].startswith("à ") and reasons[2].endswith(" km")
    assert 40 <= int(homonyms[0]) < DEFAULT_THRESHOLD
    assert ink_rows(dialog) == 3
    assert threshold(store) == 40
    assert dialog.status.text() == "3 doublons probables"

    # keyboard arrows, then the mouse on the spin box's up arrow
    QTest.keyClick(box, Qt.Key.Key_PageUp)  # +10
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    assert box.value() == 50 and threshold(store) == 50
    for _ in range(4):
        click_spin_arrow(qtbot, box, QStyle.SubControl.SC_SpinBoxUp)
    qtbot.waitUntil(lambda: box.value() == 54)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    assert threshold(store) == 54
    QTest.keyClick(box, Qt.Key.Key_Up)
    assert box.value() == 55

    # remembered: another dialog opens with the same threshold and the same rows
    again = scanned(qtbot, DuplicatesDialog(store))
    assert again.threshold_box.value() == 55
    assert [r[1] for r in drawn_rows(qtbot, again)] == [
        "Recyclerie",
        "Association Jardins Tramolin",
    ]
