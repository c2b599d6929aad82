"""Syncing from the app against a real hub on loopback: two laptops, two stores.

The hub is the real ASGI app served by uvicorn in a thread (as in tests/hub);
every wait is for a condition, never a fixed sleep.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from loopback import serving
from PySide6.QtCore import Qt

from companion.hub.app import create_app
from companion.hub.storage import HubStore
from companion.protocol.hlc import physical_ms
from companion.store import Store
from companion.ui.shell.main_window import SYNC, MainWindow
from companion.ui.sync.page import SyncPage
from tests.french import fr

from .conftest import close_windows

SYNC_TIMEOUT_MS = 20_000


@pytest.fixture(autouse=True)
def token_in_a_file(monkeypatch) -> None:
    monkeypatch.setenv("COMPANION_KEYRING", "0")  # never the developer's own keyring


@dataclass
class LiveHub:
    url: str
    store: HubStore

    def token(self, name: str, role: str = "member") -> str:
        return self.store.add_member(name, role)[1]


@pytest.fixture
def live_hub(tmp_path: Path) -> Iterator[LiveHub]:
    hub_store = HubStore.open(tmp_path / "hub")
    with serving(create_app(hub_store)) as url:
        yield LiveHub(url, hub_store)
    hub_store.close()


@pytest.fixture
def laptop_b(tmp_path: Path) -> Iterator[Store]:
    """A second laptop: its own data folder (database and token file)."""
    folder = tmp_path / "portable-b"
    folder.mkdir()
    opened = Store.open(folder / "companion.db")
    yield opened
    close_windows()
    opened.close()


def open_window(qtbot, store: Store) -> MainWindow:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def status(window: MainWindow) -> str:
    return window.sync_status.text


def wait_idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.sync.running, timeout=SYNC_TIMEOUT_MS)


def connect(qtbot, window: MainWindow, url: str, token: str) -> None:
    """Fill the first-connection dialog and save it; the first sync starts by itself."""
    window.actions_by_name["sync_connect"].trigger()
    dialog = window.sync_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.url.setText(url)
    dialog.token.setText(token)
    dialog.accept()  # keeps the token in a job, then closes
    qtbot.waitUntil(lambda: not dialog.isVisible())


def connected(qtbot, window: MainWindow, url: str, token: str) -> None:
    connect(qtbot, window, url, token)
    qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=SYNC_TIMEOUT_MS)


def sync_page(window: MainWindow) -> SyncPage:
    window.show_section(SYNC)
    assert isinstance(window.sync_page, SyncPage)
    return window.sync_page


def free_port_socket() -> socket.socket:
    """A loopback port bound but not listening: connecting to it is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def test_first_connection_then_the_other_laptop_receives_the_actor(
    qtbot, store: Store, laptop_b: Store, live_hub: LiveHub, tmp_path: Path
) -> None:
    actor = store.add_actor("Atelier Vélo", "association", commune="Lyon")
    window = open_window(qtbot, store)
    qtbot.waitUntil(lambda: status(window) == "Pas de hub configuré")
    qtbot.mouseClick(window.sync_status.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.sync_dialog is not None and window.sync_dialog.isVisible())
    window.sync_dialog.reject()
    assert window.current_section() != SYNC
    window.sync_status.clicked.emit()  # a click on the status opens the section
    assert window.current_section() == SYNC

    connected(qtbot, window, live_hub.url, live_hub.token("alice"))
    token_file = tmp_path / "jeton-hub"  # no keyring here: a file only its owner reads
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    page = sync_page(window)
    assert page.hub.text() == live_hub.url
    assert page.member.text() == "alice"
    assert page.token.text() == "dans un fichier protégé du dossier de données"
    assert page.pending.text() == "0"
    assert page.message.text().startswith("Synchronisation terminée")

    other = open_window(qtbot, laptop_b)
    connected(qtbot, other, live_hub.url, live_hub.token("coord", "admin"))
    assert laptop_b.get_actor(actor.id).name == "Atelier Vélo"
    qtbot.waitUntil(lambda: "1 acteur" in other.status_label.text())  # the directory followed

    # A local edit through the app: the status counts what waits to be sent.
    window.new_actor()
    form = window.actor_form
    form.name.setText("Ressourcerie du Plateau")
    form.accept()
    qtbot.waitUntil(lambda: window.actor_form is None)
    assert status(window) == "1 modification à envoyer"
    assert page.pending.text() == "1"
    window.actions_by_name["sync_now"].trigger()
    assert window.sync.running and status(window) == "Synchronisation en cours…"
    qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=SYNC_TIMEOUT_MS)


def test_a_concurrent_edit_shows_in_the_conflicts_view_and_is_restored(
    qtbot, store: Store, laptop_b: Store, live_hub: LiveHub
) -> None:
    actor = store.add_actor("Atelier Vélo", "association")
    window = open_window(qtbot, store)
    connected(qtbot, window, live_hub.url, live_hub.token("alice"))
    other = open_window(qtbot, laptop_b)
    connected(qtbot, other, live_hub.url, live_hub.token("coord", "admin"))

    store.update_actor(actor.id, name="Atelier Vélo Solidaire")
    stamp = store.conn.execute(
        "SELECT hlc FROM sync_field_clocks WHERE tbl = 'actors' AND id = ? AND field = 'name'",
        (actor.id,),
    ).fetchone()[0]
    # The other laptop edits the same field later (its clock must have moved on).
    offset = int(laptop_b.conn.execute(
        "SELECT value FROM sync_state WHERE key = 'offset_ms'").fetchone()[0] or 0)  # fmt: skip
    qtbot.waitUntil(lambda: physical_ms() + offset > int(stamp.split("-")[0]) + 5)
    laptop_b.update_actor(actor.id, name="Vélo-École")
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    qtbot.keyClick(other, Qt.Key.Key_F9)
    assert other.sync.running
    wait_idle(qtbot, other)
    assert status(other).startswith("Synchronisé")

    window.sync_now()
    qtbot.waitUntil(lambda: "1 conflit à revoir" in status(window), timeout=SYNC_TIMEOUT_MS)
    assert store.get_actor(actor.id).name == "Vélo-École"
    view = sync_page(window).conflicts
    assert view.table.rowCount() == 1
    cells = [view.table.item(0, column).text() for column in range(5)]
    assert cells[:4] == ["Vélo-École", "Nom", "Atelier Vélo Solidaire", "Vélo-École"]
    assert not view.restore_button.isEnabled()

    view.select_row(0)
    qtbot.mouseClick(view.restore_button, Qt.MouseButton.LeftButton)
    assert store.get_actor(actor.id).name == "Atelier Vélo Solidaire"
    assert view.table.rowCount() == 0
    assert status(window) == "1 modification à envoyer"
    assert window.undo_action.text() == (
        fr("Annuler : Rétablir une valeur écrasée par la synchronisation")
    )

    window.sync_now()
    wait_idle(qtbot, window)
    other.sync_now()
    wait_idle(qtbot, other)
    assert laptop_b.get_actor(actor.id).name == "Atelier Vélo Solidaire"


def test_an_unreachable_hub_is_offline_and_syncs_when_it_comes_back(
    qtbot, store: Store, live_hub: LiveHub
) -> None:
    sock = free_port_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    window = open_window(qtbot, store)
    window.sync.probe_interval_ms = 100

    # "Tester la connexion" says so in French, without blocking the dialog.
    window.open_sync_dialog()
    dialog = window.sync_dialog
    dialog.url.setText(url)
    dialog.token.setText(live_hub.token("alice"))
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert not dialog.test_button.isEnabled()  # testing in the background
    qtbot.waitUntil(dialog.error.isVisible)
    assert dialog.error.text().startswith(f"Le hub ne répond pas ({url})")
    dialog.accept()  # an address can be saved while the hub is away
    qtbot.waitUntil(lambda: not dialog.isVisible())

    qtbot.waitUntil(lambda: status(window).startswith("Hors ligne"), timeout=SYNC_TIMEOUT_MS)
    page = sync_page(window)
    assert page.last_error.text().startswith(fr("Hors ligne : Le hub ne répond pas"))
    assert window.sync.sync_now()  # on demand: returns at once, the UI stays live
    assert status(window) == "Synchronisation en cours…"
    assert not window.sync.sync_now()  # never two at once
    qtbot.waitUntil(lambda: status(window).startswith("Hors ligne"), timeout=SYNC_TIMEOUT_MS)

    # The hub comes back at its address: the periodic look notices and syncs.
    with serving(create_app(live_hub.store), sock):
        qtbot.waitUntil(lambda: status(window).startswith("Synchronisé"), timeout=SYNC_TIMEOUT_MS)
    sock.close()


def test_a_refused_token_shows_the_hubs_error(qtbot, store: Store, live_hub: LiveHub) -> None:
    window = open_window(qtbot, store)
    connect(qtbot, window, live_hub.url, "pas-un-jeton")
    qtbot.waitUntil(lambda: status(window).startswith(fr("Erreur : ")), timeout=SYNC_TIMEOUT_MS)
    assert "Jeton refusé par le hub" in status(window)
    assert sync_page(window).last_error.text().startswith("Jeton refusé par le hub")


def test_the_interval_is_saved_and_never_means_on_demand_only(
    qtbot, store: Store, live_hub: LiveHub
) -> None:
    window = open_window(qtbot, store)
    connected(qtbot, window, live_hub.url, live_hub.token("alice"))
    page = sync_page(window)
    labels = [page.interval.itemText(i) for i in range(page.interval.count())]
    assert labels == [
        "Jamais (seulement à la demande)",
        "Toutes les 5 minutes",
        "Toutes les 15 minutes",
        "Toutes les heures",
    ]
    assert page.interval.currentText() == "Toutes les 15 minutes"  # the default
    page.interval.setCurrentIndex(1)
    assert store.setting("sync.interval_minutes") == "5"
    assert window.sync._interval.isActive() and window.sync._interval.interval() == 300_000
    page.interval.setCurrentIndex(0)
    assert store.setting("sync.interval_minutes") == "0"
    assert not window.sync._interval.isActive()
    shortcuts = [key.toString() for key in window.actions_by_name["sync_now"].shortcuts()]
    assert shortcuts == ["F9", "Ctrl+Shift+S"]


def test_cancel_stops_a_sync_that_waits_for_a_silent_hub(
    qtbot, store: Store, live_hub: LiveHub, monkeypatch
) -> None:
    monkeypatch.setattr("companion.app.sync_tasks.PROBE_TIMEOUT_S", 0.5)
    silent = free_port_socket()
    silent.listen()  # connections are accepted by the system, never answered
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    window = open_window(qtbot, store)
    page = sync_page(window)
    connect(qtbot, window, url, live_hub.token("alice"))
    if not window.sync.running:  # the first sync may have ended already: start another
        window.sync_now()
    assert page.bar.isVisible() and page.cancel_button.isVisible()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert page.message.text() == "Synchronisation annulée."
    assert not page.bar.isVisible()
    assert not status(window).startswith("Erreur")  # a cancelled sync is not an error
    silent.close()


def test_the_demo_network_says_it_never_syncs_and_how_to_start_for_real(
    qtbot, store: Store
) -> None:
    from PySide6.QtTest import QTest

    from companion.app.datafolder import DEMO_SETTING
    from companion.sync import state
    from companion.ui.shell.settings_dialog import SettingsDialog

    store.set_setting(DEMO_SETTING, "1")
    store.add_actor("Association fictive", "association")  # a change that will never go
    with store.db.atomic():
        state.put(store.conn, state.HUB_URL, "https://hub.exemple.org")  # even with a hub
    window = open_window(qtbot, store)
    assert window.windowTitle() == "Companion — réseau de démonstration"
    qtbot.waitUntil(lambda: status(window) == fr("Réseau de démonstration : jamais synchronisé"))
    assert not window.sync.sync_now()  # F9 does nothing on the demo
    page = sync_page(window)
    assert page.demo_notice.isVisible()
    assert page.pending.text() == "—" and page.last_sync.text() == "jamais (démonstration)"
    assert not page.sync_button.isEnabled() and not page.connect_button.isEnabled()
    assert not page.interval.isEnabled()
    window.actions_by_name["sync_connect"].trigger()  # the menu's « Se connecter… »
    assert window.sync_dialog is None and window.pages.currentIndex() == SYNC
    QTest.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.settings_dialog, SettingsDialog))
    qtbot.waitUntil(window.settings_dialog.isVisible)
    window.settings_dialog.reject()


def test_a_hub_address_typed_without_https_is_completed() -> None:
    from companion.sync.hubapi import SyncError, check_hub_url

    assert check_hub_url("hub.exemple.org") == "https://hub.exemple.org"
    assert check_hub_url(" hub.exemple.org/reseau/ ") == "https://hub.exemple.org/reseau"
    with pytest.raises(SyncError, match="invalide"):
        check_hub_url("https://")
