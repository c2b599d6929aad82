"""What kind of file is being imported, and a table's first rows (for previews and mappings)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from companion.i18n import N_, _
from companion.io.textfile import Record, TextFormat, UnreadableFile, detect_format, read_records
from companion.io.xlsx import XLSX_SUFFIXES, read_xlsx_records

TABLE, GEOJSON, GOGOCARTO, VCARD, CONTACTS = "table", "geojson", "gogocarto", "vcard", "contacts"
KINDS: dict[str, str] = {
    TABLE: N_("Tableau d'acteurs (CSV, Excel)"),
    GEOJSON: N_("Carte GeoJSON ou uMap"),
    GOGOCARTO: N_("Carte GoGoCarto (JSON)"),
    VCARD: N_("Carnet d'adresses vCard"),
    CONTACTS: N_("Contacts Google ou Outlook (CSV)"),
}
PEOPLE_KINDS = (VCARD, CONTACTS)
JSON_SUFFIXES = (".geojson", ".json", ".umap")
VCARD_SUFFIXES = (".vcf", ".vcard")
SNIFF_BYTES = 64 * 1024


def detect_kind(path: Path) -> str:
    """The kind of file (one of ``KINDS``), from its name and its first bytes."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in VCARD_SUFFIXES:
        return VCARD
    if suffix in JSON_SUFFIXES:
        return _json_kind(path)
    if suffix in XLSX_SUFFIXES:
        return TABLE
    if path.is_file() and _is_contacts_csv(path):
        return CONTACTS
    return TABLE


def _json_kind(path: Path) -> str:
    """GeoJSON names its type near the start; anything else in JSON is read as GoGoCarto."""
    try:
        with path.open("rb") as handle:
            start = handle.read(SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return GEOJSON if path.suffix.lower() in (".geojson", ".umap") else GOGOCARTO
    if '"FeatureCollection"' in start or '"features"' in start or '"umap"' in start:
        return GEOJSON
    if '"ontology"' in start or start.lstrip("\ufeff \r\n\t").startswith("["):
        return GOGOCARTO
    if '"data"' in start:
        return GOGOCARTO
    return GEOJSON if path.suffix.lower() in (".geojson", ".umap") else GOGOCARTO


def _is_contacts_csv(path: Path) -> bool:
    """An address book's CSV export (Google, Outlook) rather than a table of actors."""
    from companion.io.contacts_csv import looks_like_contacts

    if path.suffix.lower() not in (".csv", ".txt"):
        return False
    try:
        header = next(read_records(path, detect_format(path)), None)
    except UnreadableFile:
        return False
    return header is not None and looks_like_contacts(header.cells)


@dataclass(frozen=True)
class TableHead:
    text_format: TextFormat
    headers: list[str]
    rows: list[Record]  # the first data rows


def is_workbook(path: Path) -> bool:
    return Path(path).suffix.lower() in XLSX_SUFFIXES


def open_table(
    path: Path, text_format: TextFormat | None = None
) -> tuple[TextFormat, Record, Iterator[Record]]:
    """A spreadsheet's format, header row and the rows after it (CSV or Excel);
    ``UnreadableFile`` when it has no header."""
    path = Path(path)
    if is_workbook(path):
        text_format = TextFormat("xlsx", "")
        records = read_xlsx_records(path)
    else:
        text_format = text_format or detect_format(path)
        records = read_records(path, text_format)
    header = next(records, None)
    if header is None or not any(cell.strip() for cell in header.cells):
        raise UnreadableFile(_("« {path} » est vide.").format(path=path))
    return text_format, header, records


def read_head(path: Path, text_format: TextFormat | None = None, rows: int = 20) -> TableHead:
    """A table's header and first ``rows`` non-blank rows (CSV in the given format, or Excel)."""
    text_format, header, records = open_table(path, text_format)
    first: list[Record] = []
    for record in records:
        if len(first) >= rows:
            break
        if any(cell.strip() for cell in record.cells):
            first.append(record)
    if hasattr(records, "close"):
        records.close()  # an Excel workbook stays open until its generator is closed
    return TableHead(text_format, [cell.strip() for cell in header.cells], first)


def default_actor_kind(kind: str) -> str:
    """The kind given to actors whose file does not say: GoGoCarto maps list associations."""
    return "association" if kind == GOGOCARTO else "autre"
