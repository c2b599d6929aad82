"""The actor table model, tested without any window."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from companion.store import Store
from companion.ui.directory.actor_table_model import ACTOR_ID_ROLE, ActorTableModel

from .conftest import Network


def names(model: ActorTableModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


@pytest.fixture
def big_store(big_store_path: Path) -> Iterator[Store]:
    store = Store.open(big_store_path)
    yield store
    store.close()


def test_columns_and_cells_are_french_labels(network: Network) -> None:
    model = ActorTableModel(network.store)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Nom", "Type", "Commune", "Département", "Visibilité"]
    assert model.rowCount() == 4
    assert names(model)[0] == "École des Jardins partagés"  # sorted by folded name
    first = [model.index(0, c).data() for c in range(5)]
    assert first == ["École des Jardins partagés", "Association", "Lyon", "69", "Réseau"]
    assert model.index(0, 0).data(ACTOR_ID_ROLE) == network.ids["ecole"]
    assert model.actor_id(0) == network.ids["ecole"]
    assert model.actor_id(99) is None


def test_a_large_directory_is_read_page_by_page(big_store: Store) -> None:
    model = ActorTableModel(big_store, page_size=200)
    assert model.rowCount() == 100_000
    assert model.pages_fetched == 0
    for row in range(50):
        for column in range(model.columnCount()):
            model.index(row, column).data()
    assert model.pages_fetched == 1
    assert model.index(99_999, 0).data() == "Acteur 099999"
    assert model.pages_fetched == 2


def test_the_page_cache_stays_small(big_store: Store) -> None:
    model = ActorTableModel(big_store, page_size=100, max_pages=3)
    for row in range(0, 1_000, 100):
        model.index(row, 0).data()
    assert model.pages_fetched == 10
    model.index(0, 0).data()  # evicted long ago: read again
    assert model.pages_fetched == 11


def test_sort_by_column_resets_and_reads_only_the_first_page(big_store: Store) -> None:
    model = ActorTableModel(big_store, page_size=200)
    model.index(0, 0).data()
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == "Acteur 099999"
    assert model.pages_fetched == 2


def test_sort_by_kind_commune_and_back_to_default(network: Network) -> None:
    model = ActorTableModel(network.store)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 1).data() for r in range(4)] == [
        "Association",
        "Collectif citoyen",
        "Collectivité",
        "Fondation",
    ]
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, 2).data() for r in range(4)] == ["Paris", "Lyon", "Dijon", "Brest"]
    model.sort(-1)
    assert names(model)[0] == "École des Jardins partagés"


def test_search_filters_and_counts(network: Network) -> None:
    model = ActorTableModel(network.store)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_query("fond")
    assert names(model) == ["Fondation Terres Vivantes"]
    model.set_query("  fond ")  # same query: no reload
    assert len(resets) == 1
    model.set_query("brest")  # a commune
    assert names(model) == ["Mairie de Brest"]
    model.set_query("aliment")  # a tag
    assert names(model) == ["École des Jardins partagés"]
    model.set_query("zzz")
    assert model.rowCount() == 0
    model.set_query("")
    assert model.rowCount() == 4


def test_search_ignores_accents_and_case(network: Network) -> None:
    model = ActorTableModel(network.store)
    model.set_query("ecole")
    assert names(model) == ["École des Jardins partagés"]
    model.set_query("ÉCOLE JARD")
    assert names(model) == ["École des Jardins partagés"]


def test_search_orders_by_relevance_until_a_column_is_chosen(store: Store) -> None:
    store.add_actor("Amis du quartier", "association", description="Jardin partagé du quartier")
    store.add_actor("Jardin des Plantes", "association")
    model = ActorTableModel(store)
    model.set_query("jardin")
    assert names(model) == ["Jardin des Plantes", "Amis du quartier"]  # a name match ranks first
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert names(model) == ["Amis du quartier", "Jardin des Plantes"]


def test_refresh_after_an_edit(network: Network) -> None:
    model = ActorTableModel(network.store)
    assert model.index(3, 0).data() == "Tiers-lieu La Fabrique"
    network.store.update_actor(network.ids["tiers"], name="Abbaye de la Fabrique")
    assert model.index(3, 0).data() == "Tiers-lieu La Fabrique"  # cached until refreshed
    model.refresh()
    assert names(model)[0] == "Abbaye de la Fabrique"
    network.store.add_actor("Zèbre Coop", "entreprise")
    model.refresh()
    assert model.rowCount() == 5
    assert model.row_of(network.ids["ecole"]) is None  # nothing read since the refresh
    assert names(model)[-1] == "Zèbre Coop"
    assert model.row_of(network.ids["ecole"]) == 1
