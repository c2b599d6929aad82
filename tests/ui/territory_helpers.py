"""A small ecosystem in the Rhône (real communes) for the Territoires section's tests."""

from __future__ import annotations

from companion.geo import Gazetteer
from companion.store import Store
from companion.ui.territory.page import TerritoryPage

from .conftest import Network

LYON, VILLEURBANNE, PARIS = "69123", "69266", "75056"
COORDINATES = {LYON: (45.7578, 4.8320), VILLEURBANNE: (45.7719, 4.8902), PARIS: (48.8566, 2.3522)}
WAIT_MS = 30_000


def rhone(store: Store, gazetteer: Gazetteer, own_catalyst: bool = True) -> Network:
    """Seven actors in the Rhône and one in Paris.

    In the Rhône: the user's catalyst (Lyon) links an association, the town hall of
    Villeurbanne and a company; the town hall funds a foundation; an institution has
    no relation. The association and a second company share two tags and are not
    related (a link to suggest); the association also works with a Paris network.
    """

    def add(name: str, kind: str, insee: str, **fields) -> str:
        commune = gazetteer.by_insee(insee)
        latitude, longitude = COORDINATES[insee]
        return store.add_actor(
            name, kind, insee_code=insee, commune=commune.name,
            departement=commune.departement, latitude=latitude, longitude=longitude, **fields,
        ).id  # fmt: skip

    ids = {
        "jardins": add(
            "Jardins du Rhône", "association", LYON,
            description="Jardins partagés et maraîchage en insertion professionnelle.",
        ),
        "mairie": add("Mairie de Villeurbanne", "collectivite", VILLEURBANNE),
        "atelier": add("Atelier Soierie", "entreprise", VILLEURBANNE),
        "maraichers": add(
            "Maraîchers Associés", "entreprise", LYON,
            description="Maraîchage biologique, paniers et insertion.",
        ),
        "fondation": add("Fondation Lumière", "fondation", LYON),
        "institut": add("Institut des Berges", "institution", VILLEURBANNE),
        "paris": add("Réseau parisien", "association", PARIS),
    }  # fmt: skip
    if own_catalyst:
        ids["pole"] = add("Pôle Confluences", "catalyseur", LYON)
        for other in ("jardins", "mairie", "atelier"):
            store.add_relation(ids["pole"], ids[other], "accompagnement")
    else:
        store.add_relation(ids["jardins"], ids["mairie"], "partenariat")
    store.add_relation(ids["mairie"], ids["fondation"], "financement")
    store.add_relation(ids["jardins"], ids["paris"], "partenariat")
    for tag in ("alimentation", "insertion"):
        store.tag_actor(ids["jardins"], tag)
        store.tag_actor(ids["maraichers"], tag)
    store.journal.clear()
    return Network(store, ids)


def wait_profile(qtbot, page: TerritoryPage) -> None:
    qtbot.waitUntil(
        lambda: page.profile_view.profile is not None and not page.is_busy(), timeout=WAIT_MS
    )


def wait_ecosystem(qtbot, page: TerritoryPage) -> None:
    qtbot.waitUntil(
        lambda: page.ecosystem_view.drawn is not None and not page.is_busy(), timeout=WAIT_MS
    )
