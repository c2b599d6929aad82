"""Saved map views ("vues"): a named filter and extent, stepped through in workshops.

A view keeps a ``MapFilter`` (stored as JSON), an optional extent (south, west,
north, east in degrees) and its place in the list. Views are synced records
(UUID, owner, visibility, timestamps, tombstone), private unless shared. A record
of the same table whose ``steps`` is set is a story (``maps/stories.py``), never
listed here.
Qt-free: the Carte page, presentation mode and the exports all use this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from companion.i18n import _
from companion.maps.filters import RELATION_MODES, MapFilter
from companion.store.records import new_id, now_iso
from companion.store.store import InvalidRecord
from companion.text import fold

if TYPE_CHECKING:
    from companion.store import Store

Bounds = tuple[float, float, float, float]  # south, west, north, east

_SET_FIELDS = ("kinds", "tags", "relation_types")
_TEXT_FIELDS = ("region", "departement", "visibility", "text")


@dataclass(frozen=True)
class MapView:
    """One saved view, as listed (live views only)."""

    id: str
    name: str
    title: str
    filter: MapFilter
    bounds: Bounds | None
    position: int


# -- the filter as JSON -----------------------------------------------------


def filter_to_data(spec: MapFilter) -> dict[str, Any]:
    """The filter as a JSON-ready object; sets become sorted lists, ``None`` stays ``None``."""
    data: dict[str, Any] = {}
    for name in _SET_FIELDS:
        value = getattr(spec, name)
        data[name] = None if value is None else sorted(value)
    for name in _TEXT_FIELDS:
        data[name] = getattr(spec, name)
    data["relations"] = spec.relations
    data["show_relations"] = spec.show_relations  # what versions before "relations" read
    if not spec.zones:  # only when hidden: the views saved before zones stay as they were
        data["zones"] = False
    return data


def filter_to_json(spec: MapFilter) -> str:
    """The filter as compact JSON (``filter_to_data``, keys sorted)."""
    data = filter_to_data(spec)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def filter_from_json(text: str) -> MapFilter:
    """The filter ``filter_to_json`` wrote; missing keys take their defaults.

    Raises ValueError (French message) when the text is not such a filter.
    """
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise ValueError(_("Filtre de carte illisible : {error}").format(error=error)) from None
    return filter_from_data(data)


def filter_from_data(data: Any) -> MapFilter:
    """The filter ``filter_to_data`` made (parsed JSON); ValueError (French) otherwise."""
    if not isinstance(data, dict):
        raise ValueError(_("Filtre de carte illisible : un objet JSON est attendu."))
    fields: dict[str, Any] = {}
    for name in _SET_FIELDS:
        value = data.get(name)
        if value is None:
            fields[name] = None
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            fields[name] = frozenset(value)
        else:
            raise ValueError(_bad_field(name))
    for name in _TEXT_FIELDS:
        value = data.get(name, "")
        if not isinstance(value, str):
            raise ValueError(_bad_field(name))
        fields[name] = value
    show = data.get("show_relations", True)
    if not isinstance(show, bool):
        raise ValueError(_bad_field("show_relations"))
    relations = data.get("relations", "auto" if show else "none")
    if relations not in RELATION_MODES:
        raise ValueError(_bad_field("relations"))
    zones = data.get("zones", True)
    if not isinstance(zones, bool):
        raise ValueError(_bad_field("zones"))
    return MapFilter(**fields, relations=relations, zones=zones)


def _bad_field(name: str) -> str:
    return _("Filtre de carte illisible : valeur incorrecte pour « {field} ».").format(field=name)


# -- reading ------------------------------------------------------------------

_COLUMNS = "id, name, title, filter, south, west, north, east, position"
# A record with steps is a story (maps/stories.py), not a view.
VIEWS_ONLY = "steps IS NULL"


def _view(row: tuple) -> MapView:
    view_id, name, title, text, south, west, north, east, position = row
    try:
        spec = filter_from_json(text)
    except ValueError:  # a damaged row still lists (and can be fixed or deleted)
        spec = MapFilter()
    bounds = None if south is None else (south, west, north, east)
    return MapView(view_id, name, title or name, spec, bounds, int(position))


def list_views(store: Store) -> list[MapView]:
    """The live views, in the user's order."""
    sql = (
        f"SELECT {_COLUMNS} FROM map_views WHERE deleted = 0 AND {VIEWS_ONLY} "
        "ORDER BY position, name COLLATE NOCASE"
    )
    return [_view(row) for row in store.conn.execute(sql)]


def get_view(store: Store, view_id: str) -> MapView | None:
    """The live view with this id, or None."""
    sql = f"SELECT {_COLUMNS} FROM map_views WHERE id = ? AND deleted = 0 AND {VIEWS_ONLY}"
    row = store.conn.execute(sql, (view_id,)).fetchone()
    return _view(row) if row else None


def _name_key(name: str) -> str:
    """Names equal but for case, accents and punctuation are one name."""
    return fold(name) or name.strip().lower()


def find_view(store: Store, name: str) -> MapView | None:
    """The live view with this name: exact first, else ignoring case and accents."""
    views = list_views(store)
    wanted = " ".join(name.split())
    for view in views:
        if view.name == wanted:
            return view
    for view in views:
        if _name_key(view.name) == _name_key(wanted):
            return view
    return None


# -- writing ------------------------------------------------------------------


def check_bounds(bounds: Any) -> Bounds | None:
    """``bounds`` as four floats (south, west, north, east), or None; InvalidRecord (French)
    when they are not an extent."""
    if bounds is None:
        return None
    try:
        south, west, north, east = (float(value) for value in bounds)
    except (TypeError, ValueError):
        raise InvalidRecord(_("L'emprise de la vue est incorrecte.")) from None
    if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
        raise InvalidRecord(_("L'emprise de la vue est incorrecte."))
    return (south, west, north, east)


def _check_name(store: Store, name: str, view_id: str | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidRecord(_("Le nom de la vue est obligatoire."))
    for view in list_views(store):
        if view.id != view_id and _name_key(view.name) == _name_key(name):
            raise InvalidRecord(_("Une vue s'appelle déjà « {name} ».").format(name=view.name))
    return name


def save_view(
    store: Store,
    name: str,
    title: str,
    spec: MapFilter,
    bounds: Bounds | None,
    view_id: str | None = None,
) -> MapView:
    """Create a view (last in the list) or, with ``view_id``, replace that view's content.

    The title defaults to the name. InvalidRecord (French) for an empty or
    duplicate name, bad bounds or an unknown ``view_id``.
    """
    name = _check_name(store, name, view_id)
    title = " ".join(title.split()) or name
    box = check_bounds(bounds)
    south, west, north, east = box if box is not None else (None, None, None, None)
    values = {
        "name": name,
        "title": title,
        "filter": filter_to_json(spec),
        "south": south,
        "west": west,
        "north": north,
        "east": east,
        "updated_at": now_iso(),
    }
    with store.db.atomic():
        if view_id is None:
            view_id = new_id()
            last = store.conn.execute(
                f"SELECT max(position) FROM map_views WHERE deleted = 0 AND {VIEWS_ONLY}"
            ).fetchone()[0]
            store.db["map_views"].insert(
                {
                    "id": view_id,
                    "owner": store.member_id,
                    "visibility": "private",
                    "created_at": values["updated_at"],
                    "position": 0 if last is None else last + 1,
                    **values,
                }
            )
        else:
            assignments = ", ".join(f"{column} = :{column}" for column in values)
            cursor = store.db.execute(
                f"UPDATE map_views SET {assignments} WHERE id = :id AND deleted = 0 "
                f"AND {VIEWS_ONLY}",
                {**values, "id": view_id},
            )
            if cursor.rowcount == 0:
                raise InvalidRecord(_("Vue introuvable : {id}").format(id=view_id))
    return get_view(store, view_id)  # type: ignore[return-value]


def rename_view(store: Store, view_id: str, name: str, title: str) -> MapView:
    """Change a view's name and title, keeping its filter and extent."""
    view = get_view(store, view_id)
    if view is None:
        raise InvalidRecord(_("Vue introuvable : {id}").format(id=view_id))
    return save_view(store, name, title, view.filter, view.bounds, view_id=view_id)


def delete_view(store: Store, view_id: str) -> None:
    """Tombstone the view: it leaves the list, and the deletion syncs."""
    with store.db.atomic():
        store.db.execute(
            "UPDATE map_views SET deleted = 1, updated_at = ? WHERE id = ? AND deleted = 0",
            (now_iso(), view_id),
        )


def move_view(store: Store, view_id: str, position: int) -> None:
    """Put the view at ``position`` (0 = first, clamped) and number the list 0, 1, 2…"""
    views = list_views(store)
    moving = [view for view in views if view.id == view_id]
    if not moving:
        raise InvalidRecord(_("Vue introuvable : {id}").format(id=view_id))
    order = [view for view in views if view.id != view_id]
    order.insert(max(0, min(position, len(order))), moving[0])
    now = now_iso()
    with store.db.atomic():
        for index, view in enumerate(order):
            if view.position != index or view.id == view_id:
                store.db.execute(
                    "UPDATE map_views SET position = ?, updated_at = ? WHERE id = ?",
                    (index, now, view.id),
                )
