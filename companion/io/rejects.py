"""The rows an import skipped, in a file of their own: the source's format and encoding,
plus a « Problème » column, ready to be fixed and imported again.

A CSV file keeps its encoding and delimiter, an Excel workbook stays a workbook, a map
(GeoJSON, uMap) becomes a feature collection and a GoGoCarto export stays a list of
elements, each rejected one carrying a « Problème » property. Cells are written as the
import read them, never as formulas (``io/cells.py``), so the fixed file reads the same.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from companion import filemodes
from companion.i18n import _
from companion.io.cells import import_text, quote_formula, xlsx_row
from companion.io.geojson_io import layered_features, load_json
from companion.io.import_plan import ImportPlan, Problem
from companion.io.sources import is_workbook, open_table


def skipped_lines(plan: ImportPlan, kept: Collection[int] = ()) -> dict[int, list[Problem]]:
    """The problems of each row (or feature) an import around them leaves out: all but
    the ``kept`` lines, saved without their wrong values (``plan.fallbacks``)."""
    kept = {line for line in kept if line in plan.fallbacks}
    skipped: dict[int, list[Problem]] = {}
    for problem in plan.problems:
        if problem.line not in kept:
            skipped.setdefault(problem.line, []).append(problem)
    return skipped


def default_rejects_path(source: Path) -> Path:
    """``acteurs.csv`` -> ``acteurs-rejets.csv``, beside the source (never over a file:
    ``-rejets-2``, ``-rejets-3``… when taken)."""
    source = Path(source)
    candidate = source.with_name(f"{source.stem}-rejets{source.suffix}")
    number = 2
    while candidate.exists():
        candidate = source.with_name(f"{source.stem}-rejets-{number}{source.suffix}")
        number += 1
    return candidate


def write_rejects(plan: ImportPlan, path: Path, kept: Collection[int] = ()) -> int:
    """Write the rows with problems to ``path`` (not those ``kept`` without their wrong
    values); return how many."""
    skipped = skipped_lines(plan, kept)
    if not skipped:
        return 0
    path = Path(path)
    partial = path.with_name(path.name + ".partiel")
    if plan.text_format.delimiter == "" and not is_workbook(plan.path):
        count = _write_features(plan.path, skipped, partial)
    else:
        count = _write_table(plan, skipped, partial)
    os.replace(partial, path)
    return count


def _problem_text(problems: list[Problem]) -> str:
    """« Courriel : adresse invalide ; Commune : code postal inconnu »."""
    return " ; ".join(
        f"{_(problem.field)} : {problem.message}" if problem.field else problem.message
        for problem in problems
    )


def _write_table(plan: ImportPlan, skipped: dict[int, list[Problem]], partial: Path) -> int:
    workbook = is_workbook(plan.path)
    _format, header, records = open_table(plan.path, None if workbook else plan.text_format)
    heading = [import_text(cell) for cell in header.cells] + [_("Problème")]
    rows = [
        [import_text(cell) for cell in record.cells] + [_problem_text(skipped[record.line])]
        for record in records
        if record.line in skipped
    ]
    if hasattr(records, "close"):
        records.close()
    if workbook:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        for values in [heading, *rows]:
            sheet.append(xlsx_row(sheet, values))
        book.save(filemodes.private_file(partial))  # its rows are personal data
    else:
        text_format = plan.text_format
        # UTF-8 without its mark is how LibreOffice writes, but also how an all-ASCII file
        # reads: the mark makes Excel read the accents of « Problème » right, and changes
        # nothing for LibreOffice or the import.
        encoding = "utf-8-sig" if text_format.encoding == "utf-8" else text_format.encoding
        with filemodes.open_private(
            partial, "w", encoding=encoding, errors="replace", newline=""
        ) as handle:
            writer = csv.writer(handle, delimiter=text_format.delimiter, lineterminator="\r\n")
            for values in [heading, *rows]:
                writer.writerow([quote_formula(value) for value in values])
    return len(rows)


def _write_features(source: Path, skipped: dict[int, list[Problem]], partial: Path) -> int:
    """A map's rejected features as a GeoJSON collection, a GoGoCarto export's rejected
    elements as a GoGoCarto export; each with a « Problème » property."""
    data: Any = load_json(source)
    map_file = isinstance(data, dict) and ("features" in data or data.get("type") == "umap")
    rejected = []
    for number, item in _numbered_items(data):
        if number in skipped and isinstance(item, dict):
            problem = _problem_text(skipped[number])
            if map_file:
                properties = item.get("properties")
                properties = dict(properties) if isinstance(properties, dict) else {}
                rejected.append({**item, "properties": {**properties, _("Problème"): problem}})
            else:
                rejected.append({**item, _("Problème"): problem})
    content = {"type": "FeatureCollection", "features": rejected} if map_file else rejected
    with filemodes.open_private(partial, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(content, ensure_ascii=False))
    return len(rejected)


def _numbered_items(data: Any) -> list[tuple[int, Any]]:
    """The features or elements as the import numbered them (a uMap file's layers one
    after another)."""
    features = layered_features(data)
    if features is not None:
        every: Any = [feature for feature, _layer in features]
    elif isinstance(data, dict):
        every = data.get("data")
    else:
        every = data
    return list(enumerate(every, start=1)) if isinstance(every, list) else []
