"""How much an import may read: file sizes, zip archives, XML declarations, JSON nesting.

A file handed to Companion may be broken or hostile. Before anything is written:

- a file read whole (CSV, vCard, JSON) is refused past ``MAX_FILE_BYTES``;
- a zip (an .xlsx workbook, a Companion archive) is checked from its directory: number
  of entries, total uncompressed size, and each large entry's compression ratio (a 1 GiB
  run of zeros deflates to about 1 MB, a ratio near 1,000; text, XML and SQLite pages
  stay under 20); the same limits are enforced again while reading (``read_entry``),
  since a directory can lie;
- the XML of a workbook may declare no DTD (``<!DOCTYPE``, ``<!ENTITY``): Excel never
  writes one, and it is the only way to an entity bomb ("billion laughs") or an external
  entity (XXE). openpyxl parses sheets with the standard library's expat, which has no
  such protection of its own unless ``defusedxml`` is installed; this check does not
  depend on it;
- JSON nested too deep for the parser is refused like any unreadable file.

The reasons (``LimitExceeded``) are French and name no file: callers add it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import _

MIB = 1 << 20
GIB = 1 << 30
MAX_FILE_BYTES = 256 * MIB  # a CSV, vCard or JSON file: read whole into memory
RATIO_FLOOR = MIB  # smaller entries are never refused for their ratio
CHUNK = MIB


class LimitExceeded(CompanionError):
    """A file goes past a limit; ``str()`` is the French reason, without the file's name."""


@dataclass(frozen=True)
class ZipLimits:
    entries: int  # files in the zip
    total: int  # bytes once uncompressed, every entry together
    ratio: int  # uncompressed / compressed, for an entry of RATIO_FLOOR bytes or more


# A workbook has a dozen parts; a million rows of 20 columns is about 700 MB of XML.
WORKBOOK = ZipLimits(entries=1_000, total=GIB, ratio=100)
# An archive holds the database, the readable copy, toolbox files and basemaps (MBTiles
# files of several GB are stored, ratio 1).
ARCHIVE = ZipLimits(entries=100_000, total=64 * GIB, ratio=100)


def size_text(size: int) -> str:
    """A size as people read it, in French units (Mo, Go)."""
    if size >= GIB:
        return _("{size} Go").format(size=f"{size / GIB:.1f}".rstrip("0").rstrip("."))
    return _("{size} Mo").format(size=f"{size / MIB:.1f}".rstrip("0").rstrip("."))


def check_file_size(path: Path, limit: int | None = None) -> None:
    """``LimitExceeded`` for a file larger than ``limit`` (``MAX_FILE_BYTES``); a missing
    file passes: its reader explains."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        size = Path(path).stat().st_size
    except OSError:
        return
    if size > limit:
        raise LimitExceeded(
            _("fichier trop volumineux ({size}, au plus {limit})").format(
                size=size_text(size), limit=size_text(limit)
            )
        )


def check_zip_directory(archive: zipfile.ZipFile, limits: ZipLimits) -> None:
    """Refuse a zip whose directory announces too many entries, too many bytes, or an
    entry that expands far more than real content does (a zip bomb)."""
    infos = archive.infolist()
    if len(infos) > limits.entries:
        raise LimitExceeded(
            _("{count} fichiers dans l'archive zip, au plus {limit}").format(
                count=len(infos), limit=limits.entries
            )
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size >= RATIO_FLOOR and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise LimitExceeded(
                _(
                    "« {entry} » se décompresse en {size}, plus de {ratio} fois sa taille "
                    "compressée : c'est une « bombe zip »"
                ).format(entry=info.filename, size=size_text(info.file_size), ratio=limits.ratio)
            )
    if total > limits.total:
        raise LimitExceeded(
            _("son contenu décompressé ferait {size}, au plus {limit}").format(
                size=size_text(total), limit=size_text(limits.total)
            )
        )


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """An entry's bytes in chunks, refused past the size its directory announced (which
    ``check_zip_directory`` accepted): a lying directory is caught while reading."""
    done = 0
    with archive.open(info) as handle:
        while chunk := handle.read(CHUNK):
            done += len(chunk)
            if done > info.file_size:
                raise LimitExceeded(
                    _("« {entry} » est plus gros que ne l'annonce l'archive").format(
                        entry=info.filename
                    )
                )
            yield chunk


# -- XML ---------------------------------------------------------------------------------

_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_OVERLAP = max(len(marker) for marker in _DECLARATIONS)
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
# What expat reads by itself; any other encoding could hide a declaration from the scan.
_KNOWN_ENCODINGS = {b"utf-8", b"utf8", b"utf-16", b"utf16", b"us-ascii", b"ascii", b"iso-8859-1"}


def check_xml_entries(archive: zipfile.ZipFile) -> None:
    """Read every entry (within its announced size) and refuse any that declares a DTD or
    an encoding that expat would have to translate: XML with entities is never parsed."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        tail = b""
        first = True
        for chunk in read_entry(archive, info):
            if first:
                _check_encoding(info.filename, chunk)
                first = False
            window = tail + chunk
            if any(marker in window for marker in _DECLARATIONS):
                raise LimitExceeded(
                    _(
                        "« {entry} » déclare une DTD (<!DOCTYPE ou <!ENTITY) : refusée, "
                        "Excel n'en écrit jamais"
                    ).format(entry=info.filename)
                )
            tail = window[-_OVERLAP:]


def _check_encoding(entry: str, start: bytes) -> None:
    match = _ENCODING.match(start[:1024])
    if match and match.group(1).lower() not in _KNOWN_ENCODINGS:
        raise LimitExceeded(
            _("« {entry} » est dans un encodage XML non pris en charge ({encoding})").format(
                entry=entry, encoding=match.group(1).decode("ascii", "replace")
            )
        )
