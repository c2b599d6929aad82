"""Exporting people as vCards (4.0 by default) or as a contacts CSV (Google Contacts'
layout, which Outlook and Thunderbird import too), their first organisation as ORG.

Every phone and e-mail of a person goes out, each with its label (vCard TYPE work, cell,
home; the CSV's « Phone 2 - Label »), the primary one first.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from companion.directory.contact_details import (
    HOME,
    MOBILE,
    OTHER,
    WORK,
    contacts_of,
    label_from_types,
    vcard_types,
)
from companion.directory.validate import format_phone
from companion.io.cells import csv_value
from companion.io.vcard import Card, write_card
from companion.store import Store

# Google's own names of the labels (its import maps them to its kinds; ours reads them).
CSV_LABELS = {WORK: "Work", MOBILE: "Mobile", HOME: "Home", OTHER: "Other"}


def person_cards(store: Store) -> list[Card]:
    """Every live person as a card, by name: all e-mails and phones with their types."""
    # An archive of a database older than migration 0014 is exported as it is.
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(people)")}
    others = "p.other_contacts" if "other_contacts" in columns else "NULL"
    rows = store.conn.execute(
        f"SELECT p.id, p.first_name, p.last_name, p.email, p.phone, {others}, p.notes, "
        "(SELECT a.name FROM affiliations f JOIN actors a ON a.id = f.actor_id "
        " WHERE f.person_id = p.id AND f.deleted = 0 AND a.deleted = 0 ORDER BY f.seq LIMIT 1), "
        "(SELECT f.role FROM affiliations f WHERE f.person_id = p.id AND f.deleted = 0 "
        " ORDER BY f.seq LIMIT 1) "
        "FROM people p WHERE p.deleted = 0 ORDER BY p.last_name, p.first_name"
    ).fetchall()
    cards = []
    for person_id, first, last, email, phone, others, notes, organisation, role in rows:
        emails, phones = contacts_of(email, phone, others)
        card = Card(
            line=0,
            uid=person_id,
            first_name=first,
            last_name=last,
            organisation=organisation or "",
            title=role or "",
            emails=[c.value for c in emails],
            phones=[c.value for c in phones],
            note=notes or "",
        )
        for contact in (*emails, *phones):
            types = vcard_types(contact.label)
            if types:
                card.types[(contact.kind, contact.value)] = tuple(types)
        cards.append(card)
    return cards


def export_vcards(store: Store, path: Path, version: str = "4.0") -> int:
    """Write every live person to ``path`` (atomically); return how many were written."""
    cards = person_cards(store)
    partial = Path(f"{path}.partiel")
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        for card in cards:
            handle.write(write_card(card, version))
    os.replace(partial, path)
    return len(cards)


def export_contacts_csv(store: Store, path: Path) -> int:
    """Write every live person to ``path`` as a contacts CSV (UTF-8, commas, as Google
    writes it), one « E-mail N » / « Phone N » pair of columns per value of the person
    who has most; phones as people write them (06 12 34 56 78); cells a spreadsheet
    would run as formulas are neutralised."""
    cards = person_cards(store)
    most_emails = max((len(card.emails) for card in cards), default=0)
    most_phones = max((len(card.phones) for card in cards), default=0)
    header = ["First Name", "Last Name", "Organization Name", "Organization Title", "Notes"]
    for n in range(1, most_emails + 1):
        header += [f"E-mail {n} - Label", f"E-mail {n} - Value"]
    for n in range(1, most_phones + 1):
        header += [f"Phone {n} - Label", f"Phone {n} - Value"]
    partial = Path(f"{path}.partiel")
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for card in cards:
            row = [card.first_name, card.last_name, card.organisation, card.title, card.note]
            for kind, values, most in (
                ("email", card.emails, most_emails),
                ("phone", card.phones, most_phones),
            ):
                for number in range(most):
                    if number < len(values):
                        value = values[number]
                        shown = format_phone(value) if kind == "phone" else value
                        row += [_csv_label(card, kind, value, number), shown]
                    else:
                        row += ["", ""]
            writer.writerow([csv_value(cell) for cell in row])
    os.replace(partial, path)
    return len(cards)


def _csv_label(card: Card, kind: str, value: str, number: int) -> str:
    """The label cell of a value; "*" marks the primary one, as Google does."""
    label = label_from_types(kind, card.types.get((kind, value), ()))
    text = CSV_LABELS.get(label, "")
    return f"* {text}".strip() if number == 0 else text
