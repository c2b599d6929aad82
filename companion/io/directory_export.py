"""Exporting the directory in one of the formats people open elsewhere (CLI and UI)."""

from __future__ import annotations

import logging
from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import N_, _
from companion.store import Store

log = logging.getLogger(__name__)

# Format code -> (file suffix, French description of what the file holds).
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "csv": (".csv", N_("Acteurs, tableur CSV (Excel)")),
    "xlsx": (".xlsx", N_("Acteurs, classeur Excel")),
    "geojson": (".geojson", N_("Acteurs, carte GeoJSON (uMap)")),
    "vcard": (".vcf", N_("Personnes, carnet d'adresses vCard")),
    "contacts-csv": (".csv", N_("Personnes, carnet d'adresses CSV (Google, Outlook)")),
    # For the tools peers use (io/peer_exports.py): what is shared with the network only.
    "kumu": (".xlsx", N_("Kumu, classeur Elements et Connections")),
    "gogocarto": (".json", N_("GoGoCarto, éléments JSON")),
    "umap": (".umap", N_("Carte uMap, un calque par type d'acteur")),
}


def format_for_path(path: Path) -> str | None:
    """The export format a file name asks for, from its suffix (the first with it)."""
    suffix = path.suffix.lower()
    return next((code for code, (ext, _label) in EXPORT_FORMATS.items() if ext == suffix), None)


def chosen_format(path: Path, chosen: str | None) -> tuple[str, Path]:
    """The format and file of a save dialog's answer: the chosen type when the name's
    suffix is its own (Kumu's workbook and the spreadsheet are both .xlsx), else the
    type the suffix names, else the chosen type with its suffix added."""
    path = Path(path)
    if chosen in EXPORT_FORMATS and path.suffix.lower() == EXPORT_FORMATS[chosen][0]:
        return chosen, path
    code = format_for_path(path)
    if code is not None:
        return code, path
    code = chosen if chosen in EXPORT_FORMATS else next(iter(EXPORT_FORMATS))
    return code, path.with_suffix(EXPORT_FORMATS[code][0])


PEER_FORMATS = ("kumu", "gogocarto", "umap")


def export_directory(
    store: Store,
    format_code: str,
    path: Path,
    include_private: bool = False,
    include_contacts: bool = False,
) -> int:
    """Write the directory to ``path`` in ``format_code``; return how many records went out.

    The peer formats leave out private records and e-mails and phones unless asked."""
    path = Path(path)
    count = _export(store, format_code, path, include_private, include_contacts)
    log.info("export: %s, %d records", format_code, count)  # never the records' values
    return count


def _export(
    store: Store, format_code: str, path: Path, include_private: bool, include_contacts: bool
) -> int:
    try:
        if format_code in PEER_FORMATS:
            from companion.io import peer_exports

            writers = {
                "kumu": peer_exports.export_kumu,
                "gogocarto": peer_exports.export_gogocarto,
                "umap": peer_exports.export_umap,
            }
            options = peer_exports.Options(include_private, include_contacts)
            return writers[format_code](store, path, options)
        if format_code == "vcard":
            from companion.io.people_export import export_vcards

            return export_vcards(store, path)
        if format_code == "contacts-csv":
            from companion.io.people_export import export_contacts_csv

            return export_contacts_csv(store, path)
        if format_code == "xlsx":
            from companion.io.actor_export import export_actors_xlsx

            return export_actors_xlsx(store, path)
        if format_code == "geojson":
            from companion.io.geojson_io import export_geojson

            return export_geojson(store, path)
        if format_code == "csv":
            from companion.io.actor_export import export_actors_csv

            return export_actors_csv(store, path)
    except OSError as error:
        raise CompanionError(
            _("Impossible d'écrire « {path} » : {reason}").format(
                path=path, reason=error.strerror or error
            )
        ) from error
    raise ValueError(f"unknown export format: {format_code}")
