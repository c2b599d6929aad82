"""Reading delimited text files as people's spreadsheets really write them.

French Excel writes CSV with ``;``, Windows-1252 and CRLF; LibreOffice and Google
write UTF-8 (sometimes with a BOM) and ``,``. Cells may be quoted and span lines.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import _

DELIMITERS = (";", ",", "\t", "|")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "iso-8859-15")  # what a user may choose instead
SAMPLE_BYTES = 64 * 1024


class UnreadableFile(CompanionError):
    """The file cannot be read as a table; the message names the file."""


@dataclass(frozen=True)
class TextFormat:
    encoding: str  # "utf-8-sig", "utf-8" or "cp1252"
    delimiter: str

    @property
    def description(self) -> str:
        if not self.delimiter:  # not a delimited file (GeoJSON)
            return self.encoding
        names = {";": _("point-virgule"), ",": _("virgule"), "\t": _("tabulation"), "|": "|"}
        return f"{self.encoding}, {names.get(self.delimiter, self.delimiter)}"


@dataclass(frozen=True)
class Record:
    line: int  # the physical line where the record starts (1 = the header)
    cells: list[str]


def unreadable_reason(path: Path | str, error: OSError) -> str:
    """Why a file could not be read, in French (the system's own text is English)."""
    if isinstance(error, FileNotFoundError):
        reason = _("fichier introuvable")
    elif isinstance(error, PermissionError):
        reason = _("accès refusé")
    elif isinstance(error, IsADirectoryError):
        reason = _("c'est un dossier, pas un fichier")
    else:
        reason = error.strerror or str(error)
    return _("Impossible de lire « {path} » : {reason}").format(path=path, reason=reason)


def check_size(path: Path) -> None:
    """``UnreadableFile`` for a file too large to be read whole (``io/limits.py``)."""
    from companion.io.limits import LimitExceeded, check_file_size

    try:
        check_file_size(path)
    except LimitExceeded as error:
        raise UnreadableFile(
            _("« {path} » est refusé : {reason}.").format(path=path, reason=error)
        ) from error


def check_text_bytes(path: Path, content: bytes) -> None:
    """``UnreadableFile`` for bytes no text file holds: NUL bytes are a binary or damaged
    file, or UTF-16/UTF-32 ("Texte Unicode" of Excel), which is read as neither."""
    position = content.find(b"\x00")
    if position >= 0:
        line = content.count(b"\n", 0, position) + 1
        raise UnreadableFile(
            _(
                "« {path} », ligne {line} : octet nul, ce n'est pas un fichier texte lisible "
                "(fichier binaire, endommagé, ou enregistré en UTF-16 : enregistrez-le en "
                "CSV UTF-8)."
            ).format(path=path, line=line)
        )


def detect_format(path: Path) -> TextFormat:
    """Guess the encoding (BOM, else UTF-8 if it decodes, else Windows-1252) and delimiter."""
    check_size(path)
    try:
        content = Path(path).read_bytes()
    except OSError as error:
        raise UnreadableFile(unreadable_reason(path, error)) from error
    check_text_bytes(path, content)
    if content.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        # The whole file: an accent first met on line 90,000 decides as much as one on line 2.
        try:
            content.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    text = content[:SAMPLE_BYTES].decode(encoding, errors="replace")
    return TextFormat(encoding, _guess_delimiter(text))


def _guess_delimiter(text: str) -> str:
    first_line = text.splitlines()[0] if text else ""
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ";"


def read_records(path: Path, text_format: TextFormat) -> Iterator[Record]:
    """The file's records with their line numbers; the first is the header."""
    try:
        handle = open(path, encoding=text_format.encoding, newline="")  # noqa: SIM115
    except OSError as error:
        raise UnreadableFile(unreadable_reason(path, error)) from error
    with handle:
        reader = csv.reader(handle, delimiter=text_format.delimiter)
        next_line = 1
        try:
            for cells in reader:
                yield Record(next_line, cells)
                next_line = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as error:
            raise UnreadableFile(
                _("« {path} », ligne {line} : fichier illisible ({reason}).").format(
                    path=path, line=next_line, reason=error
                )
            ) from error
