"""Directory import: a 100,000-row French Excel CSV, validated and indexed, versus raw inserts.

The file is generated (Windows-1252, ``;``, CRLF, real communes and postcodes,
tags); the import is the app's: detection, a dry run checking every row and
resolving places offline, then one transaction with full-text indexing. The
baseline, in the same run, inserts the same rows with ``sqlite-utils insert_all``
into a fresh store, without validation.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.common import emit
from benchmarks.directory_table import measure as measure_table
from companion.geo import Gazetteer
from companion.io.actor_import import apply_import, plan_import
from companion.store import Store
from companion.store.records import new_id, now_iso
from companion.text import fold

ROWS = 100_000
KINDS = ["Association", "Entreprise", "Collectivité", "Fondation", "Collectif citoyen"]
TAGS = ["Emploi", "Mobilité", "Alimentation", "Économie circulaire", "Culture"]


def _rows(gazetteer: Gazetteer) -> list[dict[str, str]]:
    rng = random.Random(11)
    communes = [c for c in gazetteer.communes() if c.postcodes]
    rows = []
    for i in range(ROWS):
        commune = rng.choice(communes)
        rows.append(
            {
                "name": f"Structure {i} {rng.choice(['Bravelune', 'Tramolin', 'Pulrulac'])}",
                "kind": rng.choice(KINDS),
                "postcode": commune.postcodes[0],
                "commune": commune.name,
                "email": f"contact{i}@structure{i}.example",
                "tags": ", ".join(rng.sample(TAGS, 2)),
                "description": f"Acteur fictif numéro {i}, porte un projet à {commune.name}.",
            }
        )
    return rows


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    lines = ["Nom;Type;Code postal;Ville;Courriel;Étiquettes;Description"]
    lines += [
        f"{r['name']};{r['kind']};{r['postcode']};{r['commune']};{r['email']};{r['tags']};"
        f'"{r["description"]}"'
        for r in rows
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")


def _raw_baseline(folder: Path, rows: list[dict[str, str]]) -> float:
    store = Store.open(folder / "raw.db")
    now = now_iso()
    records = [
        {"id": new_id(), "name": r["name"], "sort_name": fold(r["name"]), "kind": "association",
         "commune": r["commune"], "postcode": r["postcode"], "email": r["email"],
         "description": r["description"], "owner": "", "created_at": now, "updated_at": now}
        for r in rows
    ]  # fmt: skip
    start = time.perf_counter()
    with store.db.atomic():
        store.db["actors"].insert_all(records, batch_size=1000)
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary, Gazetteer.open() as gazetteer:
        folder = Path(temporary)
        rows = _rows(gazetteer)
        source = folder / "acteurs.csv"
        _write_csv(source, rows)
        file_mb = round(source.stat().st_size / 1e6, 1)
        baseline = _raw_baseline(folder, rows)
        store = Store.open(folder / "companion.db")
        start = time.perf_counter()
        plan = plan_import(store, gazetteer, source)
        planned = time.perf_counter()
        report = apply_import(store, plan)
        done = time.perf_counter()
        assert not plan.problems and report.created == ROWS, plan.problems[:3]
        searchable = store.count_actors("bravelune")
        store.close()
        table = measure_table(folder / "companion.db")
    total = done - start
    emit({
        "bench": "directory_import", "rows": ROWS, "file_mb": file_mb,
        "import_s": round(total, 2), "check_s": round(planned - start, 2),
        "write_s": round(done - planned, 2), "searchable_matches": searchable,
        "baseline_raw_insert_all_s": round(baseline, 2), "ratio": round(total / baseline, 2),
        "target_s": 10.0, "target_ratio": 3.0,
    })  # fmt: skip
    emit(table)
