"""The directory in the files the tools peers use read: Kumu, GoGoCarto and uMap.

- Kumu: a workbook with an « Elements » sheet (ID, Label, Type, Description, Tags,
  then our fields) and a « Connections » sheet (ID, From, To, Type, Strength, dates),
  as Kumu's spreadsheet import reads them: several tags in one cell separated by ``|``,
  From and To naming elements by their ID (the actor's UUID, so that importing a newer
  export updates the map instead of duplicating it). Text cells never run as formulas.
- GoGoCarto: ``{"ontology": "gogofull", "data": [element, ...]}``, each element with
  ``id``, ``name``, ``geo``, ``address``, ``categories`` (the kind), ``tags`` and an HTML
  ``description``: the shape ``io/gogocarto.py`` imports.
- uMap: a ``.umap`` file (``type: "umap"``, the map's ``properties`` and its ``layers``,
  each a FeatureCollection whose ``_umap_options`` give its name and colour): one layer of
  points per kind of actor, in the map's colour of that kind, and one of lines for the
  relations, each in its type's colour and dashes.

These files are made to leave: only what is shared with the network goes out. Private
actors and relations stay home unless asked for (``include_private``), so do the actors'
e-mails and phones (``include_contacts``); people never leave this way. A relation goes
out when both its actors do. GoGoCarto and uMap need a position: actors
without one are left out of them.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.directory.validate import format_phone
from companion.domain import ACTOR_KINDS, KIND_COLOURS, RELATION_STYLES, RELATION_TYPES, label
from companion.i18n import _
from companion.store import Store
from companion.store.zones import ZONE_COLOUR, Zone, list_zones
from companion.text import fold

KUMU_TAG_SEPARATOR = "|"
ELEMENTS_HEADER = [
    "ID", "Label", "Type", "Description", "Tags", "Adresse", "Code postal", "Commune",
    "Code INSEE", "Département", "Site web", "Latitude", "Longitude",
]  # fmt: skip
CONTACT_COLUMNS = ["Courriel", "Téléphone"]
CONNECTIONS_HEADER = ["ID", "From", "To", "Type", "Strength", "Début", "Fin"]
GOGOCARTO_ONTOLOGY = "gogofull"
UMAP_RELATIONS_COLOUR = RELATION_STYLES["autre"][0]


@dataclass
class SharedActor:
    id: str
    name: str
    kind: str
    description: str
    address: str
    postcode: str
    commune: str
    insee_code: str
    departement: str
    website: str
    email: str
    phone: str
    latitude: float | None
    longitude: float | None
    tags: list[str] = field(default_factory=list)

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass
class SharedRelation:
    id: str
    source_id: str
    target_id: str
    type: str
    strength: int | None
    start_date: str
    end_date: str


@dataclass(frozen=True)
class Options:
    include_private: bool = False  # private actors and relations too
    include_contacts: bool = False  # the actors' e-mails and phones


def shared_actors(store: Store, options: Options = Options()) -> list[SharedActor]:
    """The live actors shared with the network (all, ``include_private``), by name, with
    their live tags; e-mails and phones empty unless ``include_contacts``."""
    shared = "" if options.include_private else " AND visibility = 'network'"
    rows = store.conn.execute(
        "SELECT id, name, kind, description, address, postcode, commune, insee_code, "
        "departement, website, email, phone, latitude, longitude FROM actors "
        f"WHERE deleted = 0{shared} ORDER BY sort_name, id"
    ).fetchall()
    actors = [
        SharedActor(*(value or "" for value in row[:12]), latitude=row[12], longitude=row[13])
        for row in rows
    ]
    if not options.include_contacts:
        for actor in actors:
            actor.email = actor.phone = ""
    by_id = {actor.id: actor for actor in actors}
    for actor_id, name in store.conn.execute(
        "SELECT at.actor_id, t.name FROM actor_tags at JOIN tags t ON t.id = at.tag_id "
        "WHERE t.deleted = 0"
    ):
        if actor_id in by_id:
            by_id[actor_id].tags.append(name)
    for actor in actors:
        actor.tags.sort(key=fold)  # as people read them: « Économie » before « Réemploi »
    return actors


def shared_relations(
    store: Store, actor_ids: Iterable[str], options: Options = Options()
) -> list[SharedRelation]:
    """The live relations shared with the network (all, ``include_private``) whose two
    actors are in ``actor_ids``."""
    kept = set(actor_ids)
    shared = "" if options.include_private else " AND visibility = 'network'"
    rows = store.conn.execute(
        "SELECT id, source_id, target_id, type, strength, start_date, end_date FROM relations "
        f"WHERE deleted = 0{shared} ORDER BY seq"
    ).fetchall()
    return [
        SharedRelation(rid, source, target, kind, strength, start or "", end or "")
        for rid, source, target, kind, strength, start, end in rows
        if source in kept and target in kept
    ]


# -- Kumu ---------------------------------------------------------------------------


def export_kumu(store: Store, path: Path, options: Options = Options()) -> int:
    """Write Kumu's workbook (Elements, Connections); return how many actors went out."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from companion.io.cells import xlsx_row

    actors = shared_actors(store, options)
    relations = shared_relations(store, (actor.id for actor in actors), options)
    header = ELEMENTS_HEADER + (CONTACT_COLUMNS if options.include_contacts else [])
    workbook = Workbook()
    elements = workbook.active
    elements.title = "Elements"
    connections = workbook.create_sheet("Connections")
    rows = {
        elements: (header, [_element_row(actor, header) for actor in actors]),
        connections: (CONNECTIONS_HEADER, [_connection_row(rel) for rel in relations]),
    }
    for sheet, (header, values) in rows.items():
        sheet.append(xlsx_row(sheet, header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in values:
            sheet.append(xlsx_row(sheet, row))
        sheet.freeze_panes = "A2"
    partial = Path(f"{path}.partiel")
    workbook.save(partial)
    os.replace(partial, path)
    return len(actors)


def _element_row(actor: SharedActor, header: list[str]) -> list[Any]:
    # Kumu splits a cell on "|": a tag that holds one would become two.
    tags = KUMU_TAG_SEPARATOR.join(tag.replace(KUMU_TAG_SEPARATOR, "/") for tag in actor.tags)
    row = [
        actor.id, actor.name, label(ACTOR_KINDS, actor.kind), actor.description, tags,
        actor.address, actor.postcode, actor.commune, actor.insee_code, actor.departement,
        actor.website, actor.latitude, actor.longitude,
    ]  # fmt: skip
    if len(header) > len(row):  # the contacts, asked for
        row += [actor.email, format_phone(actor.phone)]
    return row


def _connection_row(relation: SharedRelation) -> list[Any]:
    return [
        relation.id, relation.source_id, relation.target_id,
        label(RELATION_TYPES, relation.type), relation.strength, relation.start_date,
        relation.end_date,
    ]  # fmt: skip


# -- GoGoCarto ----------------------------------------------------------------------


def export_gogocarto(store: Store, path: Path, options: Options = Options()) -> int:
    """Write the located actors as GoGoCarto elements; return how many went out."""
    actors = shared_actors(store, options)
    elements = [_gogocarto_element(actor) for actor in actors if actor.located]
    _write_json(path, {"ontology": GOGOCARTO_ONTOLOGY, "data": elements})
    return len(elements)


def _gogocarto_element(actor: SharedActor) -> dict[str, Any]:
    element: dict[str, Any] = {
        "id": actor.id,
        "name": actor.name,
        "geo": {"latitude": actor.latitude, "longitude": actor.longitude},
        "address": {
            "streetAddress": actor.address,
            "postalCode": actor.postcode,
            "addressLocality": actor.commune,
            "addressCountry": "FR",
        },
        "categories": [label(ACTOR_KINDS, actor.kind)],
        "tags": actor.tags,
    }
    if actor.description:
        # GoGoCarto shows descriptions as HTML: the text escaped, its line breaks kept.
        element["description"] = html.escape(actor.description).replace("\n", "<br>")
    for key, value in (
        ("website", actor.website),
        ("email", actor.email),
        ("telephone", format_phone(actor.phone)),
    ):
        if value:
            element[key] = value
    return element


# -- uMap ---------------------------------------------------------------------------


def export_umap(store: Store, path: Path, options: Options = Options()) -> int:
    """Write a uMap map: a layer per kind, one for the relations; return how many actors."""
    actors = [actor for actor in shared_actors(store, options) if actor.located]
    relations = shared_relations(store, (actor.id for actor in actors), options)
    layers = [
        _layer(
            label(ACTOR_KINDS, kind),
            KIND_COLOURS.get(kind, KIND_COLOURS["autre"]),
            [_umap_point(actor) for actor in actors if actor.kind == kind],
        )
        for kind in [*ACTOR_KINDS, *sorted({a.kind for a in actors} - set(ACTOR_KINDS))]
        if any(actor.kind == kind for actor in actors)
    ]
    by_id = {actor.id: actor for actor in actors}
    lines = [_umap_line(relation, by_id) for relation in relations]
    layers.append(_layer(_("Relations"), UMAP_RELATIONS_COLOUR, lines))
    layers.extend(zone_layers(store))
    _write_json(
        path,
        {
            "type": "umap",
            "properties": {
                "name": _("Acteurs du réseau"),
                "description": _("Exporté de Companion : un calque par type d'acteur."),
                "zoom": _zoom(actors),
                "datalayersControl": True,
            },
            "geometry": {"type": "Point", "coordinates": _centre(actors)},
            "layers": layers,
        },
    )
    return len(actors)


def _layer(name: str, colour: str, features: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": features,
        "_umap_options": {"name": name, "color": colour, "displayOnLoad": True},
    }


def zone_layers(store: Store) -> list[dict[str, Any]]:
    """The zones (store/zones.py), a layer per category (uMap layer they came from, else
    « Zones »), each zone in its own style: what the import reads back as the same zones."""
    layers: dict[str, list[dict[str, Any]]] = {}
    for zone in list_zones(store.conn):
        layers.setdefault(zone.category or _("Zones"), []).append(zone_feature(zone))
    return [_layer(name, ZONE_COLOUR, features) for name, features in layers.items()]


def zone_feature(zone: Zone) -> dict[str, Any]:
    """A zone as a GeoJSON feature with uMap's options (its style)."""
    properties: dict[str, Any] = {"name": zone.name}
    if zone.description:
        properties["description"] = zone.description
    if zone.style:
        properties["_umap_options"] = zone.style
    return {"type": "Feature", "geometry": zone.geometry, "properties": properties}


def _umap_point(actor: SharedActor) -> dict[str, Any]:
    properties = {
        "name": actor.name,
        "description": actor.description,
        "id": actor.id,
        "type": label(ACTOR_KINDS, actor.kind),
        "adresse": actor.address,
        "code postal": actor.postcode,
        "commune": actor.commune,
        "code insee": actor.insee_code,
        "site web": actor.website,
        "courriel": actor.email,
        "telephone": format_phone(actor.phone),
        "etiquettes": ", ".join(actor.tags),
    }
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [actor.longitude, actor.latitude]},
        "properties": {key: value for key, value in properties.items() if value},
    }


def _umap_line(relation: SharedRelation, by_id: dict[str, SharedActor]) -> dict[str, Any]:
    source, target = by_id[relation.source_id], by_id[relation.target_id]
    colour, dashes = RELATION_STYLES.get(relation.type, RELATION_STYLES["autre"])
    style = {"color": colour, "weight": 2 + (relation.strength or 1)}
    if dashes:
        style["dashArray"] = ",".join(dashes.split())
    kind = label(RELATION_TYPES, relation.type)
    return {
        "type": "Feature",
        "geometry": {
            "type": "LineString",
            "coordinates": [
                [source.longitude, source.latitude],
                [target.longitude, target.latitude],
            ],
        },
        "properties": {
            "name": f"{source.name} → {target.name}",
            "description": kind,
            "type": kind,
            "_umap_options": style,
        },
    }


def _centre(actors: list[SharedActor]) -> list[float]:
    """The middle of where the actors are; metropolitan France's without any."""
    if not actors:
        return [2.5, 46.6]
    west, south, east, north = _extent(actors)
    return [round((west + east) / 2, 5), round((south + north) / 2, 5)]


def _zoom(actors: list[SharedActor]) -> int:
    """A zoom that shows where the actors are on a screen about 1,000 pixels wide
    (a 256-pixel tile covers 360° at zoom 0); uMap opens the map there."""
    if not actors:
        return 6
    west, south, east, north = _extent(actors)
    span = max(east - west, 2 * (north - south), 0.01)
    return max(2, min(14, math.floor(math.log2(360 / span)) + 2))


def _extent(actors: list[SharedActor]) -> tuple[float, float, float, float]:
    """West, south, east, north of the actors but the outermost 2 % on each side: a
    few actors overseas would otherwise open the map on the whole Atlantic."""
    lons = sorted(float(actor.longitude or 0) for actor in actors)
    lats = sorted(float(actor.latitude or 0) for actor in actors)
    cut = len(actors) // 50
    last = len(actors) - 1 - cut
    return lons[cut], lats[cut], lons[last], lats[last]


def _write_json(path: Path, data: Any) -> None:
    partial = Path(f"{path}.partiel")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)
