"""GoGoCarto maps: the public API's export (``/api/elements.json``) imported as actors.

Each element goes through the spreadsheet import's checks, its problems numbered
by element. Its GoGoCarto id becomes a name-based UUID, so importing a newer export
of the same map updates the actors instead of duplicating them. Categories become
tags; the first category that names a kind of actor ("Association", "Collectivité")
sets the kind, else the default the user chose.
"""

from __future__ import annotations

import html
import re
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from companion.geo import Gazetteer
from companion.i18n import _
from companion.io import actor_fields as fields
from companion.io.actor_import import PRELOAD_BYTES, Progress, RowChecker
from companion.io.geojson_io import load_json, report_progress
from companion.io.import_plan import ImportPlan, Problem
from companion.io.places import PlaceResolver
from companion.io.textfile import TextFormat, UnreadableFile
from companion.store import Store
from companion.text import fold

# Fixed forever: the actors' ids are derived from it and the GoGoCarto ids.
NAMESPACE = uuid.UUID("0b6c1f2e-5d3a-4e8f-9a41-7c2d9e6b3f10")
HIDDEN_EMAILS = {"hidden", "private", "prive", "masque", "cache"}  # GoGoCarto hides some
FRANCE = {"", "fr", "fra", "france"}
_TAG = re.compile(r"<[^>]+>")


def is_gogocarto(data: Any) -> bool:
    """Whether parsed JSON is a GoGoCarto export (``{"data": [...]}`` or a bare element list)."""
    if isinstance(data, dict):
        if _text(data.get("ontology")).startswith("gogo"):
            return True
        data = data.get("data")
    if not isinstance(data, list) or not data:
        return False
    first = data[0]
    return isinstance(first, dict) and ("name" in first or "title" in first)


def actor_id_for(element_id: str) -> str:
    """The actor id an element gets; the same GoGoCarto id always gives the same actor."""
    return str(uuid.uuid5(NAMESPACE, f"gogocarto:{element_id}"))


def plan_gogocarto(
    store: Store,
    gazetteer: Gazetteer,
    path: Path,
    default_kind: str = "association",
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportPlan:
    """Check every element of a GoGoCarto export; problems are numbered by element."""
    path = Path(path)
    elements = _elements(load_json(path), path)
    plan = ImportPlan(path, TextFormat("utf-8", ""), [], {})
    checker = RowChecker(
        store,
        gazetteer,
        default_kind,
        preload=path.stat().st_size > PRELOAD_BYTES,
        match_within_file=False,  # two elements are two actors, even with the same name
    )
    for number, element in enumerate(elements, start=1):
        found: list[Problem] = []
        if isinstance(element, dict):
            cells = element_cells(element, checker.places)
            planned = checker.check(number, cells, found)
            if planned is not None:
                planned.tags = categories(element)
                plan.actors.append(planned)
        else:
            found.append(Problem(number, "", _("élément illisible (objet JSON attendu)")))
        plan.problems.extend(replace(problem, unit="feature") for problem in found)
        report_progress(number, len(elements), progress, cancel)
    return plan


def _elements(data: Any, path: Path) -> list[Any]:
    elements = data.get("data") if isinstance(data, dict) else data
    if isinstance(elements, list) and elements:
        return elements
    if isinstance(elements, list):
        raise UnreadableFile(_("« {path} » ne contient aucun élément.").format(path=path))
    raise UnreadableFile(
        _("« {path} » n'est pas un export GoGoCarto (liste d'éléments « data » attendue).").format(
            path=path
        )
    )


def element_cells(element: dict[str, Any], places: PlaceResolver) -> dict[str, str]:
    """An element as the field -> text cells of a spreadsheet row."""
    cells = {
        "name": _text(element.get("name") or element.get("title")),
        "description": "\n\n".join(
            part
            for part in (_plain(element.get("description")), _plain(element.get("descriptionMore")))
            if part
        ),
        "phone": _text(element.get("telephone") or element.get("phone")),
        "website": _text(element.get("website")),
    }
    if element.get("id") not in (None, ""):
        cells["id"] = actor_id_for(_text(element["id"]))
    email = _text(element.get("email"))
    if fold(email) not in HIDDEN_EMAILS:
        cells["email"] = email
    cells.update(_address(element.get("address")))
    point = _point(element)
    if point:
        cells["latitude"], cells["longitude"] = point
        _prefer_point(cells, places)
    kind = next((name for name in categories(element) if _is_kind(name)), "")
    if kind:
        cells["kind"] = kind
    return {key: value.strip() for key, value in cells.items() if value and value.strip()}


def categories(element: dict[str, Any]) -> list[str]:
    """The element's category names (``categories``, else ``categoriesFull``) and tags."""
    raw = element.get("categories")
    names = [item for item in raw if isinstance(item, str)] if isinstance(raw, list) else []
    if not names and isinstance(element.get("categoriesFull"), list):
        names = [
            _text(item.get("name")) for item in element["categoriesFull"] if isinstance(item, dict)
        ]
    if isinstance(element.get("tags"), list):
        names += [item for item in element["tags"] if isinstance(item, str)]
    unique: dict[str, str] = {}
    for name in names:
        if name.strip():
            unique.setdefault(fold(name), name.strip())
    return list(unique.values())


def _address(address: Any) -> dict[str, str]:
    if isinstance(address, str):
        return {"address": address}
    if not isinstance(address, dict):
        return {}
    cells = {"address": _text(address.get("streetAddress") or address.get("customFormatedAddress"))}
    if fold(_text(address.get("addressCountry"))) in FRANCE:
        # The gazetteer knows France only: a Belgian "1000" is not the Ain's 01000.
        cells["postcode"] = _text(address.get("postalCode"))
        cells["commune"] = _text(address.get("addressLocality"))
    return cells


def _point(element: dict[str, Any]) -> tuple[str, str] | None:
    geo = element.get("geo") if isinstance(element.get("geo"), dict) else element
    latitude = geo.get("latitude", geo.get("lat"))
    longitude = geo.get("longitude", geo.get("lng", geo.get("long")))
    if latitude in (None, "") or longitude in (None, ""):
        return None
    return _text(latitude), _text(longitude)


def _prefer_point(cells: dict[str, str], places: PlaceResolver) -> None:
    """GoGoCarto placed the element itself: when its postcode and town name no commune
    (a typo, "Lyon 1er" with 69002), the point finds it, by reverse geocoding."""
    try:
        postcode = fields.parse_postcode(cells["postcode"]) if cells.get("postcode") else ""
        places.resolve("", postcode, cells.get("commune", ""))
    except fields.ValueProblem:
        cells.pop("postcode", None)
        cells.pop("commune", None)


def _is_kind(name: str) -> bool:
    try:
        fields.parse_kind(name)
    except fields.ValueProblem:
        return False
    return True


def _plain(value: Any) -> str:
    """GoGoCarto descriptions may hold HTML: keep the text."""
    text = _text(value)
    if "<" in text:
        text = _TAG.sub(" ", text.replace("<br>", "\n").replace("<br/>", "\n"))
        text = re.sub(r"[ \t]+", " ", text)
    return html.unescape(text).strip()


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)
