"""Fichier › « Adresses… »: the indexed départements, a BAN file imported (with its
progress and « Annuler »), a département downloaded only when allowed, one removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from ban_files import ban_bytes, ban_file, ban_server, nogent_rows
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QInputDialog, QMessageBox

from companion.geo.address_files import indexed_departements
from companion.geo.ban_download import BASE_URL_SETTING, ONLINE_SETTING, part_path

from .conftest import Network, make_window

TIMEOUT = 30_000


def open_dialog(qtbot, network: Network):
    window = make_window(qtbot, network)
    window.actions_by_name["addresses"].trigger()
    dialog = window.data_actions.addresses
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def click(qtbot, widget) -> None:
    assert widget.isVisible() and widget.isEnabled()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def table_rows(dialog) -> list[list[str]]:
    table = dialog.table
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


@pytest.fixture
def chosen_file(monkeypatch):
    """The file the file chooser answers with."""
    chosen: list[Path] = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(chosen[0]), "")
    )
    return chosen


def test_a_ban_file_is_imported_listed_and_removed(qtbot, network, tmp_path, chosen_file,
                                                    monkeypatch):  # fmt: skip
    dialog = open_dialog(qtbot, network)
    assert dialog.empty.isVisible() and not dialog.table.isVisible()
    assert not dialog.remove_button.isEnabled()
    chosen_file.append(ban_file(tmp_path / "adresses-94.csv.gz", nogent_rows(1500)))

    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: "1\u202f500 adresses importées" in dialog.jobs.status.text(),
                    timeout=TIMEOUT)  # fmt: skip
    assert not dialog.jobs.bar.isVisible()
    [row] = table_rows(dialog)
    assert row[:2] == ["94 — Val-de-Marne", "1\u202f500"]
    assert row[2][2] == "/" and row[2][5] == "/"  # « 07/12/2026 20:31 »
    assert dialog.table.isVisible() and not dialog.empty.isVisible()

    asked = []

    def question(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    rect = dialog.table.visualItemRect(dialog.table.item(0, 0))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    click(qtbot, dialog.remove_button)
    assert "1\u202f500 adresses du département 94" in asked[0]
    assert table_rows(dialog) == [] and dialog.empty.isVisible()
    assert indexed_departements(tmp_path) == []


def test_cancelling_an_import_leaves_the_index_as_it_was(qtbot, network, tmp_path,
                                                         chosen_file):  # fmt: skip
    dialog = open_dialog(qtbot, network)
    chosen_file.append(ban_file(tmp_path / "small.csv.gz", nogent_rows(300, seed=3)))
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: "300 adresses" in dialog.jobs.status.text(), timeout=TIMEOUT)

    chosen_file[0] = ban_file(tmp_path / "adresses-94.csv.gz", nogent_rows(200_000))
    click(qtbot, dialog.import_button)
    assert dialog.jobs.bar.isVisible() and not dialog.import_button.isEnabled()
    click(qtbot, dialog.jobs.cancel_button)
    qtbot.waitUntil(lambda: "Annulé" in dialog.jobs.status.text(), timeout=TIMEOUT)
    assert [r[:2] for r in table_rows(dialog)] == [["94 — Val-de-Marne", "300"]]
    assert indexed_departements(tmp_path)[0].addresses == 300
    assert dialog.import_button.isEnabled()


def test_download_is_offered_only_when_allowed(qtbot, network, tmp_path, monkeypatch):
    dialog = open_dialog(qtbot, network)
    assert not dialog.download_button.isVisible()
    assert "Préférences" in dialog.offline_note.text() and dialog.offline_note.isVisible()
    dialog.reject()

    nogent = ban_bytes(nogent_rows(20_000))
    with ban_server({"adresses-94.csv.gz": nogent}) as server:
        network.store.set_setting(ONLINE_SETTING, "1")
        network.store.set_setting(BASE_URL_SETTING, server.url)
        server.cut_after = len(nogent) // 3  # the first transfer stops; it resumes at once
        dialog.parent().actions_by_name["addresses"].trigger()
        qtbot.waitUntil(dialog.isVisible)
        assert dialog.download_button.isVisible() and not dialog.offline_note.isVisible()
        offered = []

        def get_item(_parent, _title, _label, items, current, editable):
            offered.extend(items)
            return items[items.index("94 — Val-de-Marne")], True

        monkeypatch.setattr(QInputDialog, "getItem", get_item)
        click(qtbot, dialog.download_button)
        qtbot.waitUntil(lambda: "20\u202f000 adresses importées" in dialog.jobs.status.text(),
                        timeout=TIMEOUT)  # fmt: skip
        assert [r[1] for r in server.requests] == [None, f"bytes={len(nogent) // 3}-"]
        assert len(offered) == 101 and offered[0] == "01 — Ain"
    assert [r[:2] for r in table_rows(dialog)] == [["94 — Val-de-Marne", "20\u202f000"]]
    assert not part_path(tmp_path, "94").exists()


def test_a_bad_file_is_refused_in_french(qtbot, network, tmp_path, chosen_file):
    dialog = open_dialog(qtbot, network)
    bad = tmp_path / "adresses-94.csv.gz"
    bad.write_text("nom;ville\nx;y\n", encoding="utf-8")
    chosen_file.append(bad)
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: "Échec" in dialog.jobs.status.text(), timeout=TIMEOUT)
    assert "colonnes" in dialog.jobs.status.text() and "absentes" in dialog.jobs.status.text()
    assert table_rows(dialog) == []


def test_preferences_allow_downloads_and_open_the_dialog(qtbot, network):
    window = make_window(qtbot, network)
    window.open_settings()
    settings = window.settings_dialog
    qtbot.waitUntil(settings.isVisible)
    box = settings.online_addresses
    assert not box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    click(qtbot, settings.addresses_button)
    dialog = window.data_actions.addresses
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.download_button.isVisible() and not dialog.offline_note.isVisible()
    assert network.store.setting(ONLINE_SETTING) == "1"


def test_departements_come_from_the_hub_once(qtbot, network, tmp_path, no_keyring):
    from loopback import LoopbackServer

    from companion.hub import cli
    from companion.hub.app import create_app
    from companion.hub.storage import HubStore
    from companion.sync import credentials, state
    from companion.sync.address_sync import chosen_departements

    published = ban_file(tmp_path / "adresses-94.csv.gz", nogent_rows(5_000))
    hub_dir = tmp_path / "hub"
    assert cli.main(["addresses", "add", str(published), "--data", str(hub_dir)]) == 0
    hub_store = HubStore.open(hub_dir)
    _member, token = hub_store.add_member("Alice", "member")
    server = LoopbackServer(create_app(hub_store))
    try:
        with network.store.db.atomic():
            state.put(network.store.conn, state.HUB_URL, server.url)
        credentials.save_token(tmp_path, server.url, token)
        dialog = open_dialog(qtbot, network)
        click(qtbot, dialog.hub_button)
        qtbot.waitUntil(lambda: dialog.hub_choice is not None and dialog.hub_choice.isVisible(),
                        timeout=TIMEOUT)  # fmt: skip
        chooser = dialog.hub_choice
        assert chooser.list.count() == 1
        item = chooser.list.item(0)
        assert item.text().startswith("94 — adresses-94.csv.gz (")
        assert item.checkState() == Qt.CheckState.Checked  # the only one: ticked already
        ok = chooser.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        assert ok.text() == "Importer"
        click(qtbot, ok)
        qtbot.waitUntil(lambda: "5\u202f000 adresses importées" in dialog.jobs.status.text(),
                        timeout=TIMEOUT)  # fmt: skip
        assert [r[:2] for r in table_rows(dialog)] == [["94 — Val-de-Marne", "5\u202f000"]]
        assert chosen_departements(network.store) == ["94"]

        click(qtbot, dialog.hub_button)  # again: the same file is not fetched twice
        qtbot.waitUntil(
            lambda: dialog.hub_choice is not chooser and dialog.hub_choice.isVisible(),
            timeout=TIMEOUT,
        )
        ok = dialog.hub_choice.findChild(QDialogButtonBox).button(
            QDialogButtonBox.StandardButton.Ok
        )
        click(qtbot, ok)
        qtbot.waitUntil(lambda: "déjà à jour" in dialog.jobs.status.text(), timeout=TIMEOUT)
    finally:
        server.stop()
        hub_store.close()
