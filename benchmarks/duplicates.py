"""Duplicate scan: 20,000 and 100,000 actors with planted duplicates and hard
negatives, versus all-pairs fuzzy comparison.

Each directory is generated once (cached): realistic French organisation names
in real communes, with SIRET, e-mail, phone and website on part of them, and 5 %
planted duplicates of six kinds: same SIRET, same e-mail, same phone written
another way, same website, a typo in the name, "Asso." for "Association" in
another commune of the département; one copy in four is also given another kind
(an association entered as a collectif). Half as many hard negatives are
planted: a namesake of another kind in the same commune ("Bravelune SARL" beside
"Ressourcerie Bravelune"), an unrelated actor 300 km away or more sharing an
e-mail address, the very same name 300 km away or more. The scan is the app's
(``find_duplicates`` at the default threshold); recall is the share of planted
duplicates it finds, precision the share of the pairs it proposes that are
planted duplicates (any other pair counts as wrong, so this is a lower bound).
The baselines, in the same run, compare the names of every pair of a
2,000-actor sample with rapidfuzz (a Python loop, and ``cdist`` on both cores),
extrapolated to the directory's size (pairs grow as n²).
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
from companion.directory.duplicates import DEFAULT_THRESHOLD, find_duplicates, pair_key
from companion.geo import Gazetteer
from companion.geo.gazetteer import haversine_km
from companion.store import Store
from companion.store.records import new_id, now_iso
from companion.text import fold

SIZES = {20_000: 5.0, 100_000: 20.0}  # actors: target seconds
PLANTED_SHARE = 0.05  # planted duplicates, and half as many hard negatives
SAMPLE = 2_000
SEED = 23
RUNS = 3
VERSION = 3  # bump when the generated directory changes
KINDS = ["siret", "email", "phone", "website", "typo", "asso"]
NEGATIVES = ["namesake_other_kind", "email_far", "homonym_far"]
FAR_KM = 300
OTHER_KIND = {
    "association": "collectif", "collectif": "association", "entreprise": "autre",
    "fondation": "association", "reseau": "association", "autre": "entreprise",
}  # fmt: skip
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


class _DistinctWords:
    """Invented words no two of which are one typo apart: the generator's own near
    collisions ("Galouse", "Palouse") would count as errors of the scan."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def next(self) -> str:
        for _attempt in range(100):
            word = invented_word(self.rng)
            folded = fold(word)
            keys = {folded} | {folded[:i] + folded[i + 1 :] for i in range(len(folded))}
            if not keys & self.seen:
                break
        self.seen |= keys
        return word


def _base_actors(
    rng: random.Random, phones: _Phones, communes: list, weights: list[float], count: int
) -> list[dict]:
    now = now_iso()
    rows = []
    words = _DistinctWords(rng)
    for _ in range(count):
        kind, pattern = rng.choice(PATTERNS)
        word = words.next()
        name = pattern.format(w=word, v=words.next())
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
            "_word": word,
        })  # fmt: skip
    return rows


def _plant(
    rng: random.Random, phones: _Phones, rows: list[dict], by_departement: dict, count: int
) -> list[tuple[str, str]]:
    """Add ``count`` duplicates of existing rows; return the (original, copy) id pairs."""
    planted = []
    originals = rng.sample(rows, count)
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
        if number % 4 == 3:
            copy["kind"] = OTHER_KIND[copy["kind"]]  # typed differently
        copy["sort_name"] = fold(copy["name"])
        rows.append(copy)
        planted.append((original["id"], copy["id"]))
    return planted


def _plant_negatives(
    rng: random.Random, rows: list[dict], communes: list, count: int
) -> list[tuple[str, str]]:
    """Add ``count`` records that look like an existing one but are another actor."""
    negatives = []
    originals = rng.sample(rows, count)
    for number, original in enumerate(originals):
        kind = NEGATIVES[number % len(NEGATIVES)]
        other = {**original, "id": new_id(), "siret": None, "email": None, "phone": None}
        other["website"] = None
        if kind == "namesake_other_kind":
            other_kind, pattern = rng.choice(
                [p for p in PATTERNS if p[0] != original["kind"] and "{v}" not in p[1]]
            )
            other.update(kind=other_kind, name=pattern.format(w=original["_word"]))
        elif kind == "email_far":
            original["email"] = f"contact@reseau-{number}.example"  # a network's address
            _, pattern = rng.choice(PATTERNS)
            name = pattern.format(w=invented_word(rng), v=invented_word(rng))
            other.update(name=name, email=original["email"])
            _move_far(rng, other, original, communes)
        else:
            _move_far(rng, other, original, communes)
        other["sort_name"] = fold(other["name"])
        rows.append(other)
        negatives.append((original["id"], other["id"]))
    return negatives


def _move_far(rng: random.Random, row: dict, origin: dict, communes: list) -> None:
    """To a commune at least FAR_KM from ``origin``'s."""
    here = origin["_point"]
    while True:
        commune = rng.choice(communes)
        if haversine_km(*here, commune.latitude, commune.longitude) >= FAR_KM:
            break
    row.update(
        insee_code=commune.insee, commune=commune.name, departement=commune.departement,
        postcode=commune.postcodes[0],
    )  # fmt: skip


def _move(rng: random.Random, row: dict, by_departement: dict) -> None:
    """To another commune of the same département (a neighbouring town hall, a new office)."""
    commune = rng.choice(by_departement[row["departement"]])
    row.update(insee_code=commune.insee, commune=commune.name, postcode=commune.postcodes[0])


def _build(actors: int, path: Path, planted_path: Path) -> None:
    rng = random.Random(SEED)
    with Gazetteer.open() as gazetteer:
        communes = [c for c in gazetteer.communes() if c.postcodes and c.kind == "COM"]
    weights = [c.population**0.5 + 1 for c in communes]
    by_departement: dict[str, list] = {}
    for commune in communes:
        by_departement.setdefault(commune.departement, []).append(commune)
    points = {c.insee: (c.latitude, c.longitude) for c in communes}
    phones = _Phones(rng)
    planted_count = round(actors * PLANTED_SHARE)
    negative_count = planted_count // 2
    rows = _base_actors(rng, phones, communes, weights, actors - planted_count - negative_count)
    planted = _plant(rng, phones, rows, by_departement, planted_count)
    for row in rows:
        row["_point"] = points[row["insee_code"]]
    negatives = _plant_negatives(rng, rows, communes, negative_count)
    for row in rows:
        del row["_word"], row["_point"]
    rng.shuffle(rows)
    path.unlink(missing_ok=True)
    store = Store.open(path)
    store.bulk_insert("actors", rows)
    store.close()
    planted_path.write_text(json.dumps({"planted": planted, "negatives": negatives}))


def _directory(actors: int, cache_dir: Path) -> tuple[Path, dict[str, list]]:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"duplicates-{actors}-{SEED}-v{VERSION}.db"
    planted_path = path.with_suffix(".planted.json")
    if not (path.exists() and planted_path.exists()):
        print(f"generating {actors} actors in {path}…", file=sys.stderr)
        _build(actors, path, planted_path)
    return path, json.loads(planted_path.read_text())


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
    for actors, target_s in SIZES.items():
        yield from _run_size(actors, target_s, cache_dir)


def _run_size(actors: int, target_s: float, cache_dir: Path) -> Iterator[dict]:
    path, truth = _directory(actors, cache_dir)
    planted, negatives = truth["planted"], truth["negatives"]
    store = Store.open(path)
    try:
        timings, pairs = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            pairs = find_duplicates(store, "actors", min_score=DEFAULT_THRESHOLD)
            timings.append(time.perf_counter() - start)
        names = [row[0] for row in store.conn.execute(
            "SELECT name FROM actors WHERE deleted = 0 ORDER BY seq LIMIT ?", (SAMPLE,)
        )]  # fmt: skip
    finally:
        store.close()
    found = {pair.key for pair in pairs}
    true_keys = {pair_key(*p) for p in planted}
    recalled = found & true_keys
    scale = (actors * (actors - 1)) / (SAMPLE * (SAMPLE - 1))
    loop_s = _naive_loop_s(names)
    cdist_s = statistics.median(_naive_cdist_s(names) for _ in range(RUNS))
    scan_s = statistics.median(timings)
    missed: dict[str, int] = {}
    for number, pair in enumerate(planted):
        if pair_key(*pair) not in found:
            kind = KINDS[number % len(KINDS)] + ("_retyped" if number % 4 == 3 else "")
            missed[kind] = missed.get(kind, 0) + 1
    proposed: dict[str, int] = {}
    for number, pair in enumerate(negatives):
        if pair_key(*pair) in found:
            kind = NEGATIVES[number % len(NEGATIVES)]
            proposed[kind] = proposed.get(kind, 0) + 1
    yield {
        "bench": "duplicate_scan", "actors": actors, "planted": len(planted),
        "hard_negatives": len(negatives), "threshold": DEFAULT_THRESHOLD,
        "scan_s": round(scan_s, 2), "pairs_found": len(pairs),
        "precision": round(len(recalled) / max(1, len(found)), 3),
        "recall": round(len(recalled) / len(planted), 3),
        "missed_by_kind": missed, "hard_negatives_proposed": proposed,
        "other_false_pairs": len(found - true_keys) - sum(proposed.values()),
        "baseline_all_pairs_loop_s": round(loop_s * scale, 1),
        "baseline_all_pairs_cdist_s": round(cdist_s * scale, 1),
        "baseline_sample": SAMPLE, "baseline_sample_loop_s": round(loop_s, 2),
        "baseline_sample_cdist_s": round(cdist_s, 2),
        "ratio": round(cdist_s * scale / scan_s, 1), "target_s": target_s,
    }  # fmt: skip


def main() -> None:
    for record in run(CACHE):
        emit(record)
