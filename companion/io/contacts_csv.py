"""Contact exports from address books as CSV (Google Contacts, Outlook in French or English).

Their columns are turned into the same cards as vCards, so people, e-mails,
phones and organisations are imported, matched and written the same way.
"""

from __future__ import annotations

from pathlib import Path

from companion.i18n import _
from companion.io.cells import import_text
from companion.io.textfile import UnreadableFile, detect_format, read_records
from companion.io.vcard import Card, add_contact
from companion.text import fold

# Folded header -> card field. Numbered Google columns ("E-mail 1 - Value") are
# matched by prefix below.
COLUMNS = {
    "first name": "first_name", "given name": "first_name", "prenom": "first_name",
    "last name": "last_name", "family name": "last_name", "nom": "last_name",
    "name": "formatted_name", "nom complet": "formatted_name",
    "organization name": "organisation", "organization 1 name": "organisation",
    "company": "organisation", "societe": "organisation", "entreprise": "organisation",
    "organization title": "title", "organization 1 title": "title", "job title": "title",
    "fonction": "title", "titre": "title",
    "notes": "note", "note": "note",
    "labels": "categories", "group membership": "categories", "categories": "categories",
    "categorie": "categories",
}  # fmt: skip
EMAIL_PREFIXES = ("e mail", "email", "adresse de messagerie", "adresse e mail", "courriel")
PHONE_PREFIXES = (
    "phone", "telephone", "tel", "mobile", "business phone", "home phone", "portable", "gsm",
    "numero de telephone",
)  # fmt: skip
# Words of a column's header that say what kind of phone or address it holds, as the
# vCard types they stand for (Outlook's "Mobile Phone", « Téléphone (bureau) »…).
HEADER_TYPES = {
    "mobile": "cell", "portable": "cell", "cell": "cell", "gsm": "cell",
    "business": "work", "bureau": "work", "work": "work", "travail": "work", "pro": "work",
    "professionnel": "work", "professionnelle": "work",
    "home": "home", "domicile": "home", "personnel": "home", "personnelle": "home",
    "perso": "home", "other": "other", "autre": "other",
}  # fmt: skip


def looks_like_contacts(headers: list[str]) -> bool:
    """Whether a CSV's header is an address book's (first and last name columns)."""
    fields = {COLUMNS.get(fold(header)) for header in headers}
    return {"first_name", "last_name"} <= fields and not any(
        fold(header) in ("raison sociale", "type", "code postal") for header in headers
    )


def read_contacts(path: Path) -> list[Card]:
    """The cards of a contacts CSV, one per row with a name; ``UnreadableFile`` when no row
    has one."""
    records = read_records(path, detect_format(path))
    header = next(records, None)
    if header is None:
        raise UnreadableFile(_("« {path} » est vide.").format(path=path))
    roles = [_role(cell) for cell in header.cells]
    folded = [fold(cell) for cell in header.cells]
    # Google's "Phone 1 - Label" (or "- Type") column says what "Phone 1 - Value" is.
    label_column = {
        f"{name.rsplit(' ', 1)[0]} value": index
        for index, name in enumerate(folded)
        if name.endswith((" label", " type"))
    }
    header_types = [_header_types(name) for name in folded]
    cards = []
    for record in records:
        card = Card(line=record.line)
        cells = record.cells
        for index, (role, value) in enumerate(zip(roles, cells, strict=False)):
            types = header_types[index]
            paired = label_column.get(folded[index])
            if paired is not None and paired < len(cells):
                types = _label_types(import_text(cells[paired]))
            _apply(card, role, import_text(value), types)
        if card.first_name or card.last_name or card.formatted_name:
            cards.append(card)
    if not cards:
        raise UnreadableFile(
            _("« {path} » ne contient aucun contact (aucune ligne avec un prénom ou un nom).")
            .format(path=path)
        )  # fmt: skip
    return cards


def _role(header: str) -> str | None:
    folded = fold(header)
    if folded in COLUMNS:
        return COLUMNS[folded]
    if folded.endswith(("type", "label")) or "display name" in folded:
        return None  # "E-mail 1 - Type", Outlook's "E-mail Display Name": not an address
    if folded.startswith(EMAIL_PREFIXES):
        return "emails"
    if folded.startswith(PHONE_PREFIXES):
        return "phones"
    return None


def _header_types(folded: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(HEADER_TYPES[w] for w in folded.split() if w in HEADER_TYPES))


def _no_pref(types: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t for t in types if t != "pref")


def _label_types(label: str) -> tuple[str, ...]:
    """Google's label of a value ("* Work", "Mobile", « Domicile »): "*" marks the primary."""
    types = _header_types(fold(label))
    return (*types, "pref") if label.strip().startswith("*") else types


def _apply(card: Card, role: str | None, value: str, types: tuple[str, ...] = ()) -> None:
    if not role or not value:
        return
    if role in ("emails", "phones"):
        # Google joins several values of one kind with " ::: ".
        kind = "email" if role == "emails" else "phone"
        parts = [part.strip() for part in value.split(":::") if part.strip()]
        for number, part in enumerate(parts):
            # A group marked primary: its first value is the primary one.
            add_contact(card, kind, part, types if number == 0 else _no_pref(types))
    elif role == "categories":
        card.categories = [
            part.strip().lstrip("*").strip() for part in value.split(":::") if part.strip()
        ]
    else:
        setattr(card, role, value)
