"""Duplicate scan: 20,000 actors with planted duplicates, versus all-pairs fuzzy comparison.

The directory is generated once (cached): realistic French organisation names
in real communes, with SIRET, e-mail, phone and website on part of them, and
1,000 planted duplicates of six kinds: same SIRET, same e-mail, same phone
written another way, same website, a typo in the name, "Asso." for
"Association" in another commune of the département. The scan is the app's
(``find_duplicates``, blocking then rapidfuzz within blocks); recall is the
share of planted pairs it finds. The baselines, in the same run, compare the
names of every pair of a 2,000-actor sample with rapidfuzz (a Python loop, and
``cdist`` on both cores), extrapolated to 20,000 actors (pairs grow as n²).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.common import CACHE, emit
from companion.demo.generator import FICTION_PHONE_PREFIXES
from companion.demo.names import invented_word
from companion.directory.duplicates import find_duplicates, pair_key
from companion.geo import Gazetteer
from companion.store import Store
from companion.store.records import new_id, now_iso
from companion.text import fold

ACTORS = 20_000
PLANTED = 1_000
SAMPLE = 2_000
SEED = 23
RUNS = 3
KINDS = ["siret", "email", "phone", "website", "typo", "asso"]
PATTERNS = [
    ("association", "Association {w}"),
    ("association", "Association Les Amis de {w}"),
    ("association", "{w} Solidaire"),
    ("association", "Les Jardins de {w}"),
    ("association", "Ressourcerie {w}"),
    ("entreprise", "{w} SARL"),
    ("entreprise", "Établissements {w}"),
    ("entreprise", "{w} {v} Conseil"),
    ("entreprise", "Coopérative {w}"),
    ("fondation", "Fondation {w}"),
    ("reseau", "Réseau {w} {v}"),
    ("collectif", "Collectif citoyen {w}"),
    ("autre", "Tiers-lieu {w}"),
    ("autre", "Atelier {w} {v}"),
]


def _luhn_key(prefix: str) -> str:
    """The digit that makes ``prefix`` + digit pass the Luhn check."""
    for digit in "0123456789":
        total = 0
        for position, char in enumerate(reversed(prefix + digit)):
            n = int(char) * (2 if position % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return digit
    raise AssertionError


def _siret(rng: random.Random) -> str:
    siren = "".join(rng.choices("0123456789", k=8))
    siren += _luhn_key(siren)
    nic = siren + "".join(rng.choices("0123456789", k=4))
    return nic + _luhn_key(nic)


class _Phones:
    """Distinct numbers from the ranges reserved for fiction (no accidental twins)."""

    def __init__(self, rng: random.Random) -> None:
        count = len(FICTION_PHONE_PREFIXES) * 10_000
        self._numbers = iter(rng.sample(range(count), count))

    def next(self) -> str:
        number = next(self._numbers)
        prefix = FICTION_PHONE_PREFIXES[number // 10_000]
        return f"{prefix} {number % 10_000 // 100:02d} {number % 100:02d}"


def _e164(national: str) -> str:
    return "+33" + national.replace(" ", "")[1:]


def _typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard in a letter after the first of a random word."""
    words = name.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5]
    index = rng.choice(candidates) if candidates else len(words) - 1
    word = words[index]
    at = rng.randrange(1, max(2, len(word) - 1))
    operation = rng.choice(["swap", "drop", "double", "replace"])
    if operation == "swap" and at + 1 < len(word):
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif operation == "drop":
        word = word[:at] + word[at + 1 :]
    elif operation == "double":
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[:at] + rng.choice("aeioulnrst") + word[at + 1 :]
    words[index] = word
    return " ".join(words)


def _abbreviate(name: str) -> str:
    for long, short in (("Association ", "Asso. "), ("Établissements ", "Ets ")):
        if name.startswith(long):
            return short + name[len(long) :]
    return "Asso. " + name


def _base_actors(
    rng: random.Random, phones: _Phones, communes: list, weights: list[float]
) -> list[dict]:
    now = now_iso()
    rows = []
    for _ in range(ACTORS - PLANTED):
        kind, pattern = rng.choice(PATTERNS)
        name = pattern.format(w=invented_word(rng), v=invented_word(rng))
        commune = rng.choices(communes, weights=weights)[0]
        domain = fold(name).replace(" ", "-")
        rows.append({
            "id": new_id(), "name": name, "sort_name": fold(name), "kind": kind,
            "insee_code": commune.insee, "commune": commune.name,
            "departement": commune.departement, "postcode": commune.postcodes[0],
            "siret": _siret(rng) if rng.random() < 0.4 else None,
            "email": f"contact@{domain}.example" if rng.random() < 0.7 else None,
            "phone": _e164(phones.next()) if rng.random() < 0.4 else None,
            "website": f"https://www.{domain}.example" if rng.random() < 0.3 else None,
            "owner": "bench", "visibility": "network", "created_at": now, "updated_at": now,
        })  # fmt: skip
    return rows


def _plant(
    rng: random.Random, phones: _Phones, rows: list[dict], by_departement: dict
) -> list[tuple[str, str]]:
    """Add PLANTED duplicates of existing rows; return the (original, copy) id pairs."""
    planted = []
    originals = rng.sample(rows, PLANTED)
    for number, original in enumerate(originals):
        kind = KINDS[number % len(KINDS)]
        copy = {**original, "id": new_id(), "siret": None, "email": None, "phone": None}
        copy["website"] = None
        if kind == "siret":
            original["siret"] = original["siret"] or _siret(rng)
            copy.update(siret=original["siret"], name=_abbreviate(original["name"]))
            _move(rng, copy, by_departement)
        elif kind == "email":
            original["email"] = original["email"] or f"bureau{number}@exemple.example"
            copy.update(email=original["email"].upper(), name=_typo(rng, original["name"]))
        elif kind == "phone":
            national = phones.next()
            original["phone"] = _e164(national)
            copy.update(phone=national, name=original["name"].upper())
        elif kind == "website":
            host = fold(original["name"]).replace(" ", "-")
            original["website"] = f"https://www.{host}.example/"
            copy.update(website=f"http://{host}.example/contact", name="Les " + original["name"])
        elif kind == "typo":
            copy["name"] = _typo(rng, original["name"])
        else:
            copy["name"] = _abbreviate(original["name"])
            _move(rng, copy, by_departement)
        copy["sort_name"] = fold(copy["name"])
        rows.append(copy)
        planted.append((original["id"], copy["id"]))
    return planted


def _move(rng: random.Random, row: dict, by_departement: dict) -> None:
    """To another commune of the same département (a neighbouring town hall, a new office)."""
    commune = rng.choice(by_departement[row["departement"]])
    row.update(insee_code=commune.insee, commune=commune.name, postcode=commune.postcodes[0])


def _build(path: Path, planted_path: Path) -> None:
    rng = random.Random(SEED)
    with Gazetteer.open() as gazetteer:
        communes = [c for c in gazetteer.communes() if c.postcodes and c.kind == "COM"]
    weights = [c.population**0.5 + 1 for c in communes]
    by_departement: dict[str, list] = {}
    for commune in communes:
        by_departement.setdefault(commune.departement, []).append(commune)
    phones = _Phones(rng)
    rows = _base_actors(rng, phones, communes, weights)
    planted = _plant(rng, phones, rows, by_departement)
    rng.shuffle(rows)
    path.unlink(missing_ok=True)
    store = Store.open(path)
    store.bulk_insert("actors", rows)
    store.close()
    planted_path.write_text(json.dumps(planted))


def _directory(cache_dir: Path) -> tuple[Path, list[tuple[str, str]]]:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"duplicates-{ACTORS}-{SEED}.db"
    planted_path = path.with_suffix(".planted.json")
    if not (path.exists() and planted_path.exists()):
        print(f"generating {ACTORS} actors in {path}…", file=sys.stderr)
        _build(path, planted_path)
    return path, [tuple(pair) for pair in json.loads(planted_path.read_text())]


def _naive_loop_s(names: list[str]) -> float:
    from rapidfuzz import fuzz
    from rapidfuzz.utils import default_process

    start = time.perf_counter()
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            fuzz.token_sort_ratio(names[i], names[j], processor=default_process)
    return time.perf_counter() - start


def _naive_cdist_s(names: list[str]) -> float:
    import numpy
    from rapidfuzz import fuzz
    from rapidfuzz.process import cdist
    from rapidfuzz.utils import default_process

    start = time.perf_counter()
    # Its fastest form: two lists (the same one twice is 5 times slower), both cores, bytes.
    cdist(
        names, list(names), scorer=fuzz.token_sort_ratio, processor=default_process,
        score_cutoff=88, dtype=numpy.uint8, workers=-1,
    )  # fmt: skip
    return time.perf_counter() - start


def run(cache_dir: Path = CACHE) -> Iterator[dict]:
    path, planted = _directory(cache_dir)
    store = Store.open(path)
    try:
        timings, pairs = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            pairs = find_duplicates(store, "actors")
            timings.append(time.perf_counter() - start)
        names = [row[0] for row in store.conn.execute(
            "SELECT name FROM actors WHERE deleted = 0 ORDER BY seq LIMIT ?", (SAMPLE,)
        )]  # fmt: skip
    finally:
        store.close()
    found = {pair.key for pair in pairs}
    recalled = [p for p in planted if pair_key(*p) in found]
    scale = (ACTORS * (ACTORS - 1)) / (SAMPLE * (SAMPLE - 1))
    loop_s = _naive_loop_s(names)
    cdist_s = statistics.median(_naive_cdist_s(names) for _ in range(RUNS))
    scan_s = statistics.median(timings)
    yield {
        "bench": "duplicate_scan", "actors": ACTORS, "planted": len(planted),
        "scan_s": round(scan_s, 2), "pairs_found": len(pairs),
        "recall": round(len(recalled) / len(planted), 3),
        "baseline_all_pairs_loop_s": round(loop_s * scale, 1),
        "baseline_all_pairs_cdist_s": round(cdist_s * scale, 1),
        "baseline_sample": SAMPLE, "baseline_sample_loop_s": round(loop_s, 2),
        "baseline_sample_cdist_s": round(cdist_s, 2),
        "ratio": round(cdist_s * scale / scan_s, 1), "target_s": 5.0,
    }  # fmt: skip
    missed: dict[str, int] = {}
    for number, pair in enumerate(planted):
        if pair_key(*pair) not in found:
            kind = KINDS[number % len(KINDS)]
            missed[kind] = missed.get(kind, 0) + 1
    yield {"bench": "duplicate_recall_by_kind", "missed": missed, "per_kind": PLANTED // len(KINDS)}


def main() -> None:
    for record in run(CACHE):
        emit(record)
