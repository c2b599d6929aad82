"""Exporting the directory in one of the formats people open elsewhere (CLI and UI)."""

from __future__ import annotations

from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import N_, _
from companion.store import Store

# Format code -> (file suffix, French description of what the file holds).
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "csv": (".csv", N_("Acteurs, tableur CSV (Excel)")),
    "xlsx": (".xlsx", N_("Acteurs, classeur Excel")),
    "geojson": (".geojson", N_("Acteurs, carte GeoJSON (uMap)")),
    "vcard": (".vcf", N_("Personnes, carnet d'adresses vCard")),
}


def format_for_path(path: Path) -> str | None:
    """The export format a file name asks for, from its suffix."""
    suffix = path.suffix.lower()
    return next((code for code, (ext, _label) in EXPORT_FORMATS.items() if ext == suffix), None)


def export_directory(store: Store, format_code: str, path: Path) -> int:
    """Write the directory to ``path`` in ``format_code``; return how many records went out."""
    path = Path(path)
    try:
        if format_code == "vcard":
            from companion.io.people_export import export_vcards

            return export_vcards(store, path)
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
