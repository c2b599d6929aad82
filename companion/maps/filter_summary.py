"""A map filter said in one line of French, for the title band of a printed map.

« Département : Haute-Savoie (74) · Types : Catalyseur, Association · Recherche : « vélo » »:
what a reader of the sheet needs to know about what it leaves out. Qt-free.
"""

from __future__ import annotations

from companion.domain import ACTOR_KINDS, RELATION_TYPES, label
from companion.i18n import _
from companion.maps import basemap
from companion.maps.filters import MapFilter
from companion.text import sort_key


def _territory_name(code: str, places: list[basemap.Territory]) -> str:
    names = {place.code: place.name for place in places}
    return names.get(code, code)


def _territories(loader) -> list[basemap.Territory]:
    try:
        return loader()
    except basemap.BasemapMissing:  # outlines not built: the code says it
        return []


def describe_filter(spec: MapFilter) -> str:
    """The conditions of ``spec`` that leave actors or lines out, or "" when there is none."""
    parts: list[str] = []
    if spec.departement:
        name = _territory_name(spec.departement, _territories(basemap.departements))
        parts.append(
            _("Département : {name} ({code})").format(name=name, code=spec.departement)
            if name != spec.departement
            else _("Département : {code}").format(code=spec.departement)
        )
    elif spec.region:
        parts.append(
            _("Région : {name}").format(
                name=_territory_name(spec.region, _territories(basemap.regions))
            )
        )
    if spec.kinds is not None:
        kinds = [label(ACTOR_KINDS, code) for code in ACTOR_KINDS if code in spec.kinds]
        parts.append(_("Types : {names}").format(names=", ".join(kinds) or "—"))
    if spec.tags is not None:
        parts.append(
            _("Étiquettes : {names}").format(names=", ".join(sorted(spec.tags, key=sort_key)))
        )
    if spec.visibility == "private":
        parts.append(_("Fiches privées seulement"))
    elif spec.visibility == "network":
        parts.append(_("Fiches du réseau seulement"))
    if spec.text.strip():
        parts.append(_("Recherche : « {text} »").format(text=" ".join(spec.text.split())))
    if spec.relation_types is not None and spec.show_relations:
        types = [
            label(RELATION_TYPES, code) for code in RELATION_TYPES if code in spec.relation_types
        ]
        parts.append(_("Relations : {names}").format(names=", ".join(types) or "—"))
    return " · ".join(parts)
