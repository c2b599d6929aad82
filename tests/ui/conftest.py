"""Fixtures for the GUI tests: headless Qt, and a fresh small database per test."""

import os

# Before any Qt import: no display here, and Chromium refuses to run as root.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"

from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from companion.store import Store  # noqa: E402
from companion.store.records import new_id, now_iso  # noqa: E402
from companion.text import fold  # noqa: E402


def close_windows() -> None:
    """Close every window before its store: a late repaint must not read a closed database."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        for widget in QApplication.topLevelWidgets():
            widget.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """Overrides tests/conftest.py's store: windows are closed before the database."""
    opened = Store.open(tmp_path / "c.db")
    yield opened
    close_windows()
    opened.close()


@dataclass
class Network:
    store: Store
    ids: dict[str, str]  # short name -> actor id


@pytest.fixture
def network(store: Store) -> Network:
    """A handful of actors with people, tags, relations and exchanges."""
    ecole = store.add_actor(
        "École des Jardins partagés",
        "association",
        commune="Lyon",
        departement="69",
        description="Jardins pédagogiques dans les quartiers.",
    )
    tiers = store.add_actor(
        "Tiers-lieu La Fabrique", "collectif", commune="Dijon", departement="21"
    )
    fondation = store.add_actor(
        "Fondation Terres Vivantes", "fondation", commune="Paris", departement="75"
    )
    mairie = store.add_actor("Mairie de Brest", "collectivite", commune="Brest", departement="29")
    store.tag_actor(ecole.id, "alimentation")
    store.tag_actor(ecole.id, "éducation")
    alice = store.add_person("Alice", "Martin")
    bruno = store.add_person("Bruno", "Durand")
    store.add_affiliation(alice.id, ecole.id, role="Présidente")
    store.add_affiliation(bruno.id, ecole.id, role="Animateur")
    store.add_relation(fondation.id, ecole.id, "financement")
    store.add_relation(ecole.id, tiers.id, "partenariat")
    store.add_interaction("reunion", "2025-03-14", actor_id=ecole.id, title="Bilan de saison")
    ids = {"ecole": ecole.id, "tiers": tiers.id, "fondation": fondation.id, "mairie": mairie.id}
    return Network(store, ids)


def actor_rows(count: int, owner: str = "test") -> Iterator[dict]:
    """Complete actor rows for ``Store.bulk_insert``: "Acteur 000001" … with varied places."""
    now = now_iso()
    communes = ["Lyon", "Nantes", "Rennes", "Lille", "Besançon", "Pau", "Albi"]
    for number in range(count):
        name = f"Acteur {number:06d}"
        yield {
            "id": new_id(),
            "name": name,
            "sort_name": fold(name),
            "kind": "association" if number % 3 else "entreprise",
            "owner": owner,
            "visibility": "network",
            "created_at": now,
            "updated_at": now,
            "deleted": 0,
            "commune": communes[number % len(communes)],
            "departement": f"{number % 95 + 1:02d}",
        }


@pytest.fixture(scope="session")
def big_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 100,000-actor database, built once per session; tests open it read-only in spirit."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    store = Store.open(path)
    store.bulk_insert("actors", actor_rows(100_000))
    store.close()
    return path


def make_window(qtbot, network: Network):
    """The main window over the network's store, shown and active (shortcuts reach it)."""
    from companion.ui.shell.main_window import MainWindow

    window = MainWindow(network.store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window
