"""Exporting people as vCards (4.0 by default), their first organisation as ORG."""

from __future__ import annotations

import os
from pathlib import Path

from companion.io.vcard import Card, write_card
from companion.store import Store


def export_vcards(store: Store, path: Path, version: str = "4.0") -> int:
    """Write every live person to ``path`` (atomically); return how many were written."""
    rows = store.conn.execute(
        "SELECT p.id, p.first_name, p.last_name, p.email, p.phone, p.notes, "
        "(SELECT a.name FROM affiliations f JOIN actors a ON a.id = f.actor_id "
        " WHERE f.person_id = p.id AND f.deleted = 0 AND a.deleted = 0 ORDER BY f.seq LIMIT 1), "
        "(SELECT f.role FROM affiliations f WHERE f.person_id = p.id AND f.deleted = 0 "
        " ORDER BY f.seq LIMIT 1) "
        "FROM people p WHERE p.deleted = 0 ORDER BY p.last_name, p.first_name"
    ).fetchall()
    partial = Path(f"{path}.partiel")
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        for person_id, first, last, email, phone, notes, organisation, role in rows:
            card = Card(
                line=0,
                uid=person_id,
                first_name=first,
                last_name=last,
                organisation=organisation or "",
                title=role or "",
                emails=[email] if email else [],
                phones=[phone] if phone else [],
                note=notes or "",
            )
            handle.write(write_card(card, version))
    os.replace(partial, path)
    return len(rows)
