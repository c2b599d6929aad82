"""Correcting a file's rows in the import wizard, without touching the file.

A problem names a field; ``correctable_key`` says which of the row's cells the user
fixes for it (a commune that cannot be found is fixed as « code postal + commune »,
typed together). ``recheck`` says, as the user types, whether the new value is right,
with the import's own checks (offline: the gazetteer, no store). The corrections then
go to the dry run (``ImportRequest.corrections``), which checks the whole row again.
"""

from __future__ import annotations

import re

from companion.io import actor_fields as fields
from companion.io.actor_import import PLACE_KEYS, PLACE_LABELS, RowReader
from companion.io.import_plan import Problem

PLACE = "place"  # postcode and commune, corrected together
_KEYS_BY_LABEL = {field.label: field.key for field in fields.FIELDS}
_POSTCODE_FIRST = re.compile(r"\s*(\d{4,5})?[\s,]*(.*?)\s*$", re.DOTALL)


def correctable_key(problem: Problem) -> str | None:
    """The cell to correct for ``problem`` (a field key, or ``PLACE``); None when the
    problem is the whole row's (a duplicate) or a map file's feature."""
    if problem.unit != "line" or not problem.field:
        return None
    if problem.field == "Commune":
        return PLACE
    return _KEYS_BY_LABEL.get(problem.field)


def shown_value(cells: dict[str, str], key: str) -> str:
    """What the row holds for the cell, as the user corrects it."""
    if key == PLACE:
        return " ".join(text for text in (cells.get("postcode"), cells.get("commune")) if text)
    return cells.get(key, "")


def corrected_cells(key: str, text: str) -> dict[str, str]:
    """The row's cells the typed ``text`` replaces: « 94130 Nogent-sur-Marne » is a
    postcode and a commune (the INSEE code, if any, no longer holds)."""
    text = text.strip()
    if key != PLACE:
        return {key: text}
    match = _POSTCODE_FIRST.match(text)
    assert match is not None  # every part of the pattern may be empty
    return {"postcode": match.group(1) or "", "commune": match.group(2), "insee_code": ""}


def recheck(reader: RowReader, line: int, cells: dict[str, str], key: str, text: str) -> str:
    """ "" when ``text`` is right for the cell, else what is still wrong with it, in French."""
    labels = _labels(key)
    corrected = {**cells, **corrected_cells(key, text)}
    return " ; ".join(
        problem.message for problem in reader.problems(line, corrected) if problem.field in labels
    )


def _labels(key: str) -> set[str]:
    """The problems' field labels that a correction of ``key`` answers for."""
    if key == PLACE or key in PLACE_KEYS:
        return set(PLACE_LABELS)
    if key in ("siren", "siret"):
        return {fields.FIELDS_BY_KEY["siren"].label, fields.FIELDS_BY_KEY["siret"].label}
    return {fields.FIELDS_BY_KEY[key].label}
