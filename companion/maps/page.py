"""The map page: a small HTML skeleton over local assets, started by our own script.

The page loads Leaflet and makes the map; everything dynamic (basemap,
actors, relations, filters) is done by ``companion/resources/map/map.js`` from data
the page fetches after load. The page holds no data, only a small configuration
(URLs, colours, translated labels) embedded as script-safe JSON.
"""

from __future__ import annotations

import html
import threading
from functools import cache
from typing import Any

from companion.domain import ACTOR_KINDS, RELATION_TYPES, label
from companion.geo.outlines import COMMUNE_ZOOM, EPCI_ZOOM
from companion.i18n import _, current_language
from companion.maps import assets
from companion.maps.escape import script_json
from companion.maps.extents import METROPOLE
from companion.maps.glyphs import font_file, kind_glyphs
from companion.maps.style import BASEMAP, KIND_COLOURS, RELATION_STYLES
from companion.store.zones import ZONE_COLOUR

CENTRE = (46.6, 2.4)  # metropolitan France
START_ZOOM = 6
MIN_ZOOM = 3
MAX_ZOOM = 14  # the outlines have no detail beyond; the highest levels cost clustering most
REGION_LABELS_ZOOM = 5
DEPARTEMENT_LABELS_ZOOM = 7

_BUILDING = threading.Lock()
DATA_URLS = {
    "actors": assets.url("data/actors.json"),  # columns: see payload.actors_columns
    "relations": assets.url("data/relations.json"),
    "zones": assets.url("data/zones.json"),  # GeoJSON: see store/zones.zones_geojson
    "labels": assets.url("data/labels.geojson"),
    "france": assets.url("boundaries/france.geojson"),
    "regions": assets.url("boundaries/regions.geojson"),
    "departements": assets.url("boundaries/departements.geojson"),
    "neighbours": assets.url("boundaries/neighbours.geojson"),
}
TAGS_URL = assets.url("data/tags.json")  # columns: see payload.actor_tag_columns


# The communes' and intercommunalités' outlines, asked for the viewport (map.js, "local
# basemap"): cells of a fixed grid per answer's zoom, names of communes from a
# population that lowers as the map zooms in.
LOCAL_BASEMAP = {
    "url": assets.url(assets.OUTLINES_PATH),
    "territoryUrl": assets.url(assets.TERRITORY_PATH),
    "epciZoom": EPCI_ZOOM,
    "communeZoom": COMMUNE_ZOOM,
    "epciGrid": 6,  # a cell of zoom 6 is four screens' tiles wide at zoom 8
    "communeGrid": 9,
    # Whose names are tried, by zoom (up to 12): from this population (none if absent); the
    # page tries the 150 largest in view at most, so a rural view names its small towns.
    "namePopulation": {
        "epci": {"8": 50_000, "9": 10_000, "10": 0, "11": 0, "12": 0},
        "commune": {"9": 2_000, "10": 500, "11": 0, "12": 0},
    },
}


def page_config() -> dict[str, Any]:
    """What the page's script needs: data URLs, colours and labels in the current language."""
    return {
        "urls": DATA_URLS,
        "tagsUrl": TAGS_URL,  # the actors' tags, asked once they are drawn
        "kindColours": KIND_COLOURS,
        "kindGlyphs": kind_glyphs(),
        "glyphFont": _glyph_font_url(),
        "kindLabels": {code: label(ACTOR_KINDS, code) for code in ACTOR_KINDS},
        "relationStyles": RELATION_STYLES,
        "relationLabels": {code: label(RELATION_TYPES, code) for code in RELATION_TYPES},
        "relations": "auto",  # until the app sends its filter (see maps/filters.py)
        "zoneColour": ZONE_COLOUR,
        "metropole": list(METROPOLE),
        "basemap": BASEMAP,
        "localBasemap": LOCAL_BASEMAP,
        "zoom": {
            "regionLabels": REGION_LABELS_ZOOM,
            "departementLabels": DEPARTEMENT_LABELS_ZOOM,
        },
        "labels": {
            "legend": _("Types d'acteurs"),
            "private": _("Privé"),
            "openInDirectory": _("Voir dans l'annuaire"),
            "catalystProfile": _("Profil du catalyseur"),
            "territoryProfile": _("Fiche territoire"),
            "placeOnMap": _("Placer sur la carte"),
            "placeHint": _(
                "Glissez le repère là où se trouve « {name} », ou cliquez à cet endroit "
                "(Échap pour annuler)."
            ),
            "approximate": _("Emplacement approximatif : le centre de sa commune."),
            "contacts": _("Coordonnées"),
            "loadingContacts": _("Chargement des coordonnées…"),
            "noContacts": _("Aucune coordonnée enregistrée."),
            "relationsLegend": _("Relations"),
            "zonesLegend": _("Zones"),
            "flowsLegend": _("Entre départements (épaisseur : nombre de relations)"),
            "secondDegree": _("Liens de 2e degré"),
            "firstDegree": _("Liens directs seulement"),
            # One and several (the page picks): lines across the ocean are not drawn.
            "insetTitle": [
                _("{name} : {n} acteur — cliquez pour y aller"),
                _("{name} : {n} acteurs — cliquez pour y aller"),
            ],
            "overseasNotDrawn": [
                _("{n} relation avec l'outre-mer n'est pas tracée"),
                _("{n} relations avec l'outre-mer ne sont pas tracées"),
            ],
        },
    }


def _glyph_font_url() -> str | None:
    font = font_file()
    return assets.url(f"vendor/fonts/{font.name}") if font else None


def build_page() -> str:
    """The HTML of the map page in the current language (cached per language, thread-safe)."""
    with _BUILDING:
        return _build_page(current_language())


# Leaflet's own option names, as the page's L.map takes them.
MAP_OPTIONS = {
    "center": list(CENTRE),
    "zoom": START_ZOOM,
    "minZoom": MIN_ZOOM,
    "maxZoom": MAX_ZOOM,
    "preferCanvas": True,
    # Quarter steps: a fit fills the window (France on a projector), + and - still whole.
    "zoomSnap": 0.25,
    "zoomControl": True,
    "attributionControl": False,
    "worldCopyJump": False,
}

_PAGE = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
{styles}
{scripts}
<style>html, body, #map {{ width: 100%; height: 100%; margin: 0; padding: 0; }}
.leaflet-container {{ font-size: 1rem; }}</style>
</head>
<body>
<div id="map"></div>
<script>
companionMap.start(L.map("map", {options}), {config});
</script>
</body>
</html>
"""


@cache
def _build_page(language: str) -> str:
    """A page of our own (no template engine to import: the map starts sooner), loading
    only the app's own URLs; its configuration is script-safe JSON."""
    styles = "\n".join(
        f'<link rel="stylesheet" href="{html.escape(url)}">' for _name, url in assets.PAGE_CSS
    )
    scripts = "\n".join(
        f'<script src="{html.escape(url)}"></script>' for _name, url in assets.PAGE_JS
    )
    return _PAGE.format(
        language=html.escape(language),
        title=html.escape(_("Carte des acteurs")),
        styles=styles,
        scripts=scripts,
        options=script_json(MAP_OPTIONS),
        config=script_json(page_config()),
    )
