"""vCard 2.1, 3.0 and 4.0 as address books write them: parsing and writing (Qt-free).

Handles folded lines, escaped characters, grouped properties (``item1.EMAIL``),
parameters in both styles (``TYPE=work`` and 2.1's bare ``WORK``), quoted-printable
values with their charset (old phones and Outlook), and several cards per file.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass, field
from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import _
from companion.io.textfile import UnreadableFile, check_size, check_text_bytes, unreadable_reason

_PROPERTY = re.compile(r"^(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", re.S)
# Apple's label of a grouped value: "_$!<Mobile>!$_" (its own) or the user's text.
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


class VCardError(CompanionError):
    """The file is not a readable vCard; the message names the file and line."""


@dataclass
class Card:
    line: int  # where BEGIN:VCARD stands
    uid: str = ""
    first_name: str = ""
    last_name: str = ""
    formatted_name: str = ""
    organisation: str = ""
    title: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    note: str = ""
    categories: list[str] = field(default_factory=list)
    # ("email" or "phone", value) -> its TYPE values as written (work, cell, home…);
    # a value marked pref stands first in its list.
    types: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.formatted_name or f"{self.first_name} {self.last_name}".strip()


def read_cards(path: Path) -> list[Card]:
    """Every card of a .vcf file, in order."""
    try:
        check_size(path)
    except UnreadableFile as error:
        raise VCardError(str(error)) from error
    try:
        raw = Path(path).read_bytes()
        check_text_bytes(path, raw)
    except OSError as error:
        raise VCardError(unreadable_reason(path, error)) from error
    except UnreadableFile as error:
        raise VCardError(str(error)) from error
    text = _decode(raw)
    cards: list[Card] = []
    current: Card | None = None
    grouped: dict[str, tuple[str, str]] = {}  # "item1" -> the card's (kind, value) in it
    for line_number, line in _unfolded(text):
        match = _PROPERTY.match(line)
        if not match:
            if line.strip():
                raise VCardError(
                    _("« {path} », ligne {line} : ligne vCard illisible.").format(
                        path=path, line=line_number
                    )
                )
            continue
        group, name = (match.group(1) or "").lower(), match.group(2).upper()
        params, value = _params(match.group(3)), match.group(4)
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            current = Card(line_number)
            grouped.clear()
        elif name == "END" and current is not None:
            cards.append(current)
            current = None
        elif current is not None and name == "X-ABLABEL" and group in grouped:
            _add_label(current, grouped[group], _unescape(_value(value, params)))
        elif current is not None:
            types = tuple(t for t in params.get("TYPE", "").split(",") if t)
            _apply(current, name, _value(value, params), types)
            if group and name in ("TEL", "EMAIL") and value.strip():
                kind = "phone" if name == "TEL" else "email"
                grouped[group] = (kind, _contact_value(name, _value(value, params)))
    if current is not None:
        raise VCardError(
            _("« {path} », ligne {line} : carte sans END:VCARD.").format(
                path=path, line=current.line
            )
        )
    if not cards:
        raise VCardError(
            _("« {path} » ne contient aucune fiche vCard (BEGIN:VCARD … END:VCARD).").format(
                path=path
            )
        )
    return cards


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _unfolded(text: str) -> list[tuple[int, str]]:
    """Logical lines with the physical line they start on (RFC 6350 folding, 2.1 soft breaks)."""
    lines: list[tuple[int, str]] = []
    for number, physical in enumerate(
        text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1
    ):
        if physical[:1] in (" ", "\t") and lines:
            start, previous = lines[-1]
            lines[-1] = (start, previous + physical[1:])
        elif lines and lines[-1][1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1][1].upper():
            start, previous = lines[-1]  # a quoted-printable soft line break
            lines[-1] = (start, previous[:-1] + physical)
        else:
            lines.append((number, physical))
    return lines


def _params(text: str) -> dict[str, str]:
    """Parameters by name; every TYPE (``TYPE=work,cell``, repeated ``type=``, 2.1's bare
    ``;WORK;VOICE``) joined with commas, and 4.0's ``PREF=1`` as the type ``pref``."""
    params: dict[str, str] = {}
    types: list[str] = []
    for part in filter(None, text.split(";")):
        key, _sep, value = part.partition("=")
        if not _sep:
            types.append(part)  # vCard 2.1: ;WORK;VOICE
        elif key.upper() == "TYPE":
            types += value.strip('"').split(",")
        else:
            params[key.upper()] = value.strip('"')
    if params.get("PREF", "").strip() == "1":
        types.append("pref")
    if types:
        params["TYPE"] = ",".join(t.strip() for t in types if t.strip())
    return params


def _value(value: str, params: dict[str, str]) -> str:
    if params.get("ENCODING", "").upper() in ("QUOTED-PRINTABLE", "QP"):
        charset = params.get("CHARSET", "utf-8")
        try:
            return quopri.decodestring(value.encode("latin-1", "replace")).decode(
                charset, "replace"
            )
        except LookupError:
            return quopri.decodestring(value.encode("latin-1", "replace")).decode(
                "utf-8", "replace"
            )
    return value


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _components(value: str) -> list[str]:
    """Split a structured value on unescaped semicolons."""
    return [_unescape(part) for part in re.split(r"(?<!\\);", value)]


def add_contact(card: Card, kind: str, value: str, types: tuple[str, ...] = ()) -> None:
    """Add an e-mail or phone to ``card`` with its types; one marked pref goes first."""
    values = card.emails if kind == "email" else card.phones
    if value in values:
        return
    if any(t.strip().lower() == "pref" for t in types):
        values.insert(0, value)
    else:
        values.append(value)
    if types:
        card.types[(kind, value)] = types


def _contact_value(name: str, value: str) -> str:
    text = _unescape(value).strip()
    return text.removeprefix("tel:") if name == "TEL" else text


def _add_label(card: Card, contact: tuple[str, str], label: str) -> None:
    """Apple's X-ABLabel of a grouped TEL or EMAIL: its words count as types."""
    text = label.strip()
    apple = _APPLE_LABEL.match(text)
    words = tuple((apple.group(1) if apple else text).lower().split())
    if words:
        card.types[contact] = (*card.types.get(contact, ()), *words)


def _apply(card: Card, name: str, value: str, types: tuple[str, ...] = ()) -> None:
    if name == "N":
        parts = _components(value) + ["", ""]
        card.last_name, card.first_name = parts[0].strip(), parts[1].strip()
    elif name == "FN":
        card.formatted_name = _unescape(value).strip()
    elif name == "ORG":
        card.organisation = " - ".join(p.strip() for p in _components(value) if p.strip())
    elif name == "TITLE":
        card.title = _unescape(value).strip()
    elif name == "EMAIL" and value.strip():
        add_contact(card, "email", _contact_value(name, value), types)
    elif name == "TEL" and value.strip():
        add_contact(card, "phone", _contact_value(name, value), types)
    elif name == "NOTE":
        card.note = _unescape(value).strip()
    elif name == "UID":
        card.uid = _unescape(value).strip().removeprefix("urn:uuid:")
    elif name == "CATEGORIES":
        card.categories = [_unescape(c).strip() for c in re.split(r"(?<!\\),", value) if c.strip()]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace(";", "\\;").replace(",", "\\,")


def _fold(line: str) -> str:
    """Fold at 75 octets as RFC 6350 asks, never inside a UTF-8 character."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def write_card(card: Card, version: str = "4.0") -> str:
    """One card as vCard text (4.0 by default, or 3.0), CRLF line ends."""
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if card.uid:
        lines.append(f"UID:urn:uuid:{card.uid}" if version == "4.0" else f"UID:{card.uid}")
    lines.append(f"FN:{_escape(card.display_name)}")
    lines.append(f"N:{_escape(card.last_name)};{_escape(card.first_name)};;;")
    if card.organisation:
        lines.append(f"ORG:{_escape(card.organisation)}")
    if card.title:
        lines.append(f"TITLE:{_escape(card.title)}")
    for kind, name, values in (("email", "EMAIL", card.emails), ("phone", "TEL", card.phones)):
        for value in values:
            types = card.types.get((kind, value), ())
            params = f";TYPE={','.join(types)}" if types else ""
            lines.append(f"{name}{params}:{_escape(value)}")
    if card.note:
        lines.append(f"NOTE:{_escape(card.note)}")
    if card.categories:
        lines.append("CATEGORIES:" + ",".join(_escape(c) for c in card.categories))
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)
