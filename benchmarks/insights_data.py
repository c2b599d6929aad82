"""Deterministic databases for the insights benchmark (generated once, cached).

- A région (Auvergne-Rhône-Alpes) holding 50,000 actors in its real communes,
  500 more elsewhere in France and 100,000 relations: most within a
  département, some across the région, a few leaving it; a few "popular" actors
  draw many relations, as catalysts and local authorities do.
- A département (Rhône) ecosystem of 5,000 actors and 10,000 relations with
  tags and descriptions drawn from the demo's themes, relations mostly within an
  EPCI, so the graph has clusters, hubs, bridges and isolated actors.

Catalyst profiles are added when the database has the ``catalyst_profiles`` table.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

from companion.demo import names
from companion.geo import Commune, Gazetteer
from companion.store import Store
from companion.text import fold

REGION = "84"
REGION_ACTORS = 50_000
OUTSIDE_ACTORS = 500
REGION_RELATIONS = 100_000
DEPARTEMENT = "69"
ECOSYSTEM_ACTORS = 5_000
ECOSYSTEM_RELATIONS = 10_000
CATALYSTS = 60
KINDS = {
    "association": 34, "entreprise": 24, "collectivite": 12, "fondation": 5, "institution": 8,
    "reseau": 5, "collectif": 9, "autre": 3,
}  # fmt: skip
RELATION_TYPES = ["partenariat", "financement", "adhesion", "co-construction", "prestation"]
METIERS = ["dialogue", "experimentation", "accompagnement", "lieu"]
STAMP = "2025-03-01T09:00:00.000Z"
VERSION = "v1"  # change it when the generation changes: the cached files are rebuilt


class _Rows:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def actor(self, commune: Commune, kind: str, theme: str | None = None) -> dict:
        word = names.invented_word(self.rng)
        pattern = "Pôle de catalyse {word}" if kind == "catalyseur" else None
        name = (pattern or self.rng.choice(names.ACTOR_PATTERNS[kind])).format(word=word)
        activity = names.THEME_ACTIVITY[theme] if theme else "des projets locaux"
        return {
            "id": self.new_id(), "name": name, "sort_name": fold(name), "kind": kind,
            "description": f"Porte {activity} à {commune.name}.",
            "insee_code": commune.insee, "commune": commune.name,
            "departement": commune.departement, "postcode": (commune.postcodes or (None,))[0],
            "owner": "bench", "visibility": "network", "created_at": STAMP, "updated_at": STAMP,
        }  # fmt: skip

    def relation(self, source: str, target: str) -> dict:
        return {
            "id": self.new_id(), "source_id": source, "target_id": target,
            "type": self.rng.choice(RELATION_TYPES), "strength": self.rng.randint(1, 3),
            "start_date": f"202{self.rng.randint(2, 5)}-0{self.rng.randint(1, 9)}-15",
            "notes": "", "owner": "bench", "visibility": "network",
            "created_at": STAMP, "updated_at": STAMP,
        }  # fmt: skip

    def kind(self) -> str:
        return self.rng.choices(list(KINDS), weights=list(KINDS.values()))[0]


def _communes(gazetteer: Gazetteer, keep) -> tuple[list[Commune], list[float]]:
    communes = [c for c in gazetteer.communes() if keep(c)]
    return communes, [math.sqrt(c.population + 1) for c in communes]


def _write(path: Path, tables: dict[str, list[dict]]) -> None:
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    store = Store.open(partial)
    try:
        with store.db.atomic(), store.deferred_actor_indexing():
            for table in ("tags", "actors", "relations", "actor_tags"):
                if tables.get(table):
                    store.db[table].insert_all(tables[table], batch_size=1000)
            _add_profiles(store, tables.get("catalyst_profiles", []))
    finally:
        store.close()
    partial.replace(path)


def _add_profiles(store: Store, profiles: list[dict]) -> None:
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(catalyst_profiles)")}
    if columns and profiles:
        store.db["catalyst_profiles"].insert_all(
            [{k: v for k, v in row.items() if k in columns} for row in profiles]
        )


def _profile(rows: _Rows, actor: dict, territories: list[str]) -> dict:
    rng = rows.rng
    return {
        "id": rows.new_id(), "actor_id": actor["id"], "owner": "bench",
        "visibility": "network", "deleted": 0, "structure": actor["name"],
        "metiers": json.dumps(sorted(rng.sample(METIERS, rng.randint(1, 3)))),
        "territories": json.dumps(territories),
        "themes": json.dumps(rng.sample(names.THEMES, 2)), "public_contact": "",
        "missions": "", "created_at": STAMP, "updated_at": STAMP,
    }  # fmt: skip


def region_database(cache: Path) -> Path:
    """50,000 actors in the région's communes, 500 outside, 100,000 relations."""
    path = cache / f"insights-region-{REGION}-{REGION_ACTORS}-{REGION_RELATIONS}-{VERSION}.db"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    print(f"generating {path}…", file=sys.stderr)
    start = time.perf_counter()
    rows = _Rows(41)
    rng = rows.rng
    with Gazetteer.open() as gazetteer:
        inside, weights = _communes(gazetteer, lambda c: c.region == REGION)
        outside, _ = _communes(gazetteer, lambda c: c.region != REGION)
    actors = [
        rows.actor(c, "catalyseur" if i < CATALYSTS else rows.kind())
        for i, c in enumerate(rng.choices(inside, weights=weights, k=REGION_ACTORS))
    ]
    actors += [rows.actor(c, rows.kind()) for c in rng.sample(outside, OUTSIDE_ACTORS)]
    by_departement: dict[str, list[str]] = defaultdict(list)
    for actor in actors[:REGION_ACTORS]:
        by_departement[actor["departement"]].append(actor["id"])
    ids = [a["id"] for a in actors]
    popularity = [rng.paretovariate(1.2) for _ in range(REGION_ACTORS)]
    cumulative = list(itertools.accumulate(popularity))
    departement_of = {a["id"]: a["departement"] for a in actors}
    relations = []
    while len(relations) < REGION_RELATIONS:
        source = rng.choices(ids[:REGION_ACTORS], cum_weights=cumulative)[0]
        draw = rng.random()
        if draw < 0.6:
            target = rng.choice(by_departement[departement_of[source]])
        elif draw < 0.95:
            target = rng.choice(ids[:REGION_ACTORS])
        else:
            target = rng.choice(ids[REGION_ACTORS:])
        if target != source:
            relations.append(rows.relation(source, target))
    profiles = [
        _profile(rows, actor, [f"departement:{actor['departement']}"])
        for actor in actors[:CATALYSTS]
    ]
    _write(path, {"actors": actors, "relations": relations, "catalyst_profiles": profiles})
    print(f"generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return path


def ecosystem_database(cache: Path) -> Path:
    """A département's 5,000 actors and 10,000 relations, clustered by EPCI, with tags."""
    name = f"insights-ecosystem-{DEPARTEMENT}-{ECOSYSTEM_ACTORS}-{ECOSYSTEM_RELATIONS}-{VERSION}"
    path = cache / f"{name}.db"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    print(f"generating {path}…", file=sys.stderr)
    rows = _Rows(43)
    rng = rows.rng
    with Gazetteer.open() as gazetteer:
        communes, weights = _communes(gazetteer, lambda c: c.departement == DEPARTEMENT)
    tags = {
        theme: {"id": rows.new_id(), "name": theme, "owner": "", "visibility": "network",
                "created_at": STAMP, "updated_at": STAMP}
        for theme in names.THEMES
    }  # fmt: skip
    actors, actor_tags = [], []
    for i, commune in enumerate(rng.choices(communes, weights=weights, k=ECOSYSTEM_ACTORS)):
        theme = rng.choice(names.THEMES)
        actor = rows.actor(commune, "catalyseur" if i < 8 else rows.kind(), theme)
        actors.append(actor)
        for tag in {theme, *rng.sample(names.THEMES, rng.randint(0, 2))}:
            actor_tags.append({"actor_id": actor["id"], "tag_id": tags[tag]["id"]})
    by_epci: dict[str, list[str]] = defaultdict(list)
    epci_of = {}
    commune_of = {c.insee: c for c in communes}
    for actor in actors:
        epci = commune_of[actor["insee_code"]].epci or actor["insee_code"]
        by_epci[epci].append(actor["id"])
        epci_of[actor["id"]] = epci
    ids = [a["id"] for a in actors]
    popularity = list(itertools.accumulate(rng.paretovariate(1.5) for _ in ids))
    relations, seen = [], set()
    while len(relations) < ECOSYSTEM_RELATIONS:
        popular = rng.random() < 0.5
        source = rng.choices(ids, cum_weights=popularity)[0] if popular else rng.choice(ids)
        local = rng.random() < 0.75
        target = rng.choice(by_epci[epci_of[source]]) if local else rng.choice(ids)
        pair = (min(source, target), max(source, target))
        if source != target and pair not in seen:
            seen.add(pair)
            relations.append(rows.relation(source, target))
    profiles = [_profile(rows, actor, [f"departement:{DEPARTEMENT}"]) for actor in actors[:8]]
    _write(path, {
        "tags": list(tags.values()), "actors": actors, "relations": relations,
        "actor_tags": actor_tags, "catalyst_profiles": profiles,
    })  # fmt: skip
    return path
