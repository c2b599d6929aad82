"""Extra tile sources declared in ``tile_sources.json`` (data folder), checked field by field.

Format::

    {"sources": [{"id": "ign-plan", "name": "Plan IGN", "attribution": "© IGN",
                  "url": "https://tiles.example.org/{z}/{x}/{y}.png",
                  "max_zoom": 18, "bulk_download_allowed": true}]}

Optional fields: ``min_zoom`` (0), ``max_zoom`` (19), ``bulk_download_allowed`` (false),
``user_agent_required`` (true), ``subdomains`` (needed when the URL holds ``{s}``),
``attribution_url``. Unknown fields are refused, so a misspelt one is not silently ignored.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

from companion.i18n import _
from companion.maps.tiles.errors import TileError
from companion.maps.tiles.sources import MAX_SUPPORTED_ZOOM, SOURCE_ID, TileSource

SOURCES_FILE = "tile_sources.json"
REQUIRED = ("id", "name", "url", "attribution")
OPTIONAL = (
    "min_zoom",
    "max_zoom",
    "bulk_download_allowed",
    "user_agent_required",
    "subdomains",
    "attribution_url",
)


def read_sources_file(path: Path, taken_ids: Collection[str] = ()) -> list[TileSource]:
    """The sources declared in ``path`` (none if it does not exist); raises a French TileError."""
    if not path.exists():
        return []
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise TileError(
            _("{file} : ce n'est pas du JSON valide (ligne {line}, colonne {column}).").format(
                file=path, line=error.lineno, column=error.colno
            )
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise TileError(_("{file} : lecture impossible.").format(file=path)) from error
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        raise TileError(
            _("{file} : le fichier doit contenir un objet avec une liste « sources ».").format(
                file=path
            )
        )
    sources: list[TileSource] = []
    seen = set(taken_ids)
    for index, entry in enumerate(document["sources"]):
        source = _parse_entry(_Checker(path, f"sources[{index}]"), entry)
        if source.id in seen:
            raise _Checker(path, f"sources[{index}]").error("id", _("identifiant déjà utilisé"))
        seen.add(source.id)
        sources.append(source)
    return sources


class _Checker:
    """Builds the French message naming the file and the field at fault."""

    def __init__(self, path: Path, prefix: str) -> None:
        self.path, self.prefix = path, prefix

    def error(self, field: str | None, problem: str) -> TileError:
        name = f"{self.prefix}.{field}" if field else self.prefix
        return TileError(
            _("{file} : champ « {field} » : {problem}.").format(
                file=self.path, field=name, problem=problem
            )
        )


def _parse_entry(check: _Checker, entry: Any) -> TileSource:
    if not isinstance(entry, dict):
        raise check.error(None, _("doit être un objet"))
    for key in entry:
        if key not in REQUIRED and key not in OPTIONAL:
            raise check.error(key, _("champ inconnu"))
    for key in REQUIRED:
        if key not in entry:
            raise check.error(key, _("champ obligatoire manquant"))
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise check.error(key, _("doit être un texte non vide"))
    if not SOURCE_ID.match(entry["id"]):
        raise check.error(
            "id", _("seules les minuscules, les chiffres, « - » et « _ » sont permis")
        )
    url = entry["url"]
    if not url.startswith(("http://", "https://")):
        raise check.error("url", _("doit commencer par http:// ou https://"))
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise check.error("url", _("doit contenir {z}, {x} et {y}"))
    subdomains = entry.get("subdomains", [])
    if not isinstance(subdomains, list) or not all(isinstance(s, str) and s for s in subdomains):
        raise check.error("subdomains", _("doit être une liste de textes"))
    if "{s}" in url and not subdomains:
        raise check.error("subdomains", _("obligatoire quand l'adresse contient {s}"))
    zooms = {}
    for key, default in (("min_zoom", 0), ("max_zoom", 19)):
        value = entry.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise check.error(key, _("doit être un nombre entier"))
        if not 0 <= value <= MAX_SUPPORTED_ZOOM:
            raise check.error(key, _("doit être compris entre 0 et 22"))
        zooms[key] = value
    if zooms["min_zoom"] > zooms["max_zoom"]:
        raise check.error("min_zoom", _("ne peut pas dépasser max_zoom"))
    flags = {}
    for key, default in (("bulk_download_allowed", False), ("user_agent_required", True)):
        flags[key] = entry.get(key, default)
        if not isinstance(flags[key], bool):
            raise check.error(key, _("doit valoir true ou false"))
    attribution_url = entry.get("attribution_url")
    if attribution_url is not None and not isinstance(attribution_url, str):
        raise check.error("attribution_url", _("doit être un texte"))
    return TileSource(
        id=entry["id"],
        name=entry["name"].strip(),
        url=url,
        attribution=entry["attribution"].strip(),
        min_zoom=zooms["min_zoom"],
        max_zoom=zooms["max_zoom"],
        bulk_download_allowed=flags["bulk_download_allowed"],
        user_agent_required=flags["user_agent_required"],
        subdomains=tuple(subdomains),
        attribution_url=attribution_url,
        format=_format_of(url),
    )


def _format_of(url: str) -> str:
    for extension, name in ((".jpg", "jpg"), (".jpeg", "jpg"), (".webp", "webp"), (".pbf", "pbf")):
        if url.split("?")[0].lower().endswith(extension):
            return name
    return "png"
