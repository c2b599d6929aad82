"""Generate a believable demo network: catalysts across France, each with its local ecosystem.

The same seed always gives the same database: identifiers, dates and choices
all come from one seeded random generator, never from the clock.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from companion.demo import names
from companion.demo.profiles import profile_rng, profile_row
from companion.geo import Commune, Gazetteer
from companion.store import Store
from companion.text import fold

Progress = Callable[[int, int, str], None]

DEFAULT_ECOSYSTEM = (20, 60)
NEIGHBOURHOOD_KM = 30.0
KIND_WEIGHTS = {
    "association": 34,
    "entreprise": 24,
    "collectivite": 12,
    "fondation": 5,
    "institution": 8,
    "reseau": 5,
    "collectif": 9,
    "autre": 3,
}
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
# Numbers reserved by the French regulator (ARCEP) for fiction: never a real line.
FICTION_PHONE_PREFIXES = ["01 99 00", "02 61 91", "03 53 01", "04 65 71", "05 36 49", "06 39 98"]
DEMO_NOTE = "Acteur fictif (données de démonstration de Companion)."


@dataclass(frozen=True)
class DemoSummary:
    catalysts: int
    actors: int
    people: int
    relations: int
    interactions: int


class _Builder:
    """Accumulates rows for one batch of catalysts, then writes them in one go."""

    def __init__(self, rng: random.Random, store: Store, profiles: random.Random) -> None:
        self.rng = rng
        self.profiles = profiles  # the catalysts' profiles draw from their own generator
        self.store = store
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.totals: dict[str, int] = defaultdict(int)
        self.tag_ids: dict[str, str] = {}
        self.exchanges: list[tuple[str, str, str]] = []  # (member, actor id, actor name)

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def stamp(self) -> str:
        moment = EPOCH + timedelta(minutes=self.rng.randrange(0, 60 * 24 * 900))
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def add(
        self, table: str, owner: str, visibility: str = "network", **fields: Any
    ) -> dict[str, Any]:
        created = self.stamp()
        row = {
            "id": self.new_id(),
            "owner": owner,
            "visibility": visibility,
            "created_at": created,
            "updated_at": created,
            "deleted": 0,
            **fields,
        }
        self.rows[table].append(row)
        self.totals[table] += 1
        return row

    def flush(self) -> None:
        # Parents before children, so foreign keys hold at every insert.
        for table in (
            "tags",
            "actors",
            "catalyst_profiles",
            "people",
            "affiliations",
            "relations",
            "interactions",
            "actor_tags",
        ):
            if self.rows.get(table):
                self.store.bulk_insert(table, self.rows[table])
        self.rows.clear()


def generate(
    store: Store,
    gazetteer: Gazetteer,
    catalysts: int = 350,
    seed: int = 1,
    actors: int | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Fill ``store`` with ``catalysts`` catalysts and their ecosystems.

    ``actors`` sets the approximate total number of actors (for benchmarks);
    by default each catalyst has 20 to 60 actors around it.
    """
    rng = random.Random(seed)
    builder = _Builder(rng, store, profile_rng(seed))
    ecosystem = _ecosystem_range(catalysts, actors)
    communes = gazetteer.communes()
    homes = _catalyst_homes(rng, communes, catalysts)
    for tag in names.THEMES:
        builder.tag_ids[tag] = builder.add("tags", owner="", name=tag)["id"]
    made: list[tuple[str, str]] = []  # (catalyst id, its member)
    for index, home in enumerate(homes, start=1):
        neighbours = gazetteer.near(home.latitude, home.longitude, NEIGHBOURHOOD_KM, limit=150) or [
            home
        ]
        made.append(_build_ecosystem(builder, home, neighbours, rng.randint(*ecosystem)))
        if index % 25 == 0 or index == len(homes):
            builder.flush()
            if progress:
                progress(index, len(homes), f"{index} / {len(homes)}")
    _link_catalysts(builder, made)
    _follow_up(builder, seed)
    builder.flush()
    store.optimize_search_index()
    return DemoSummary(
        catalysts=len(homes),
        actors=builder.totals["actors"],
        people=builder.totals["people"],
        relations=builder.totals["relations"],
        interactions=builder.totals["interactions"],
    )


def _follow_up(builder: _Builder, seed: int) -> None:
    """Catalysts see the same actors again: about half of the first exchanges are followed
    by one to three more (so « acteurs réunis » and « échanges » differ, as in life). Drawn
    from a generator of their own, last: every record made before stays as it was."""
    builder.rng = random.Random(f"{seed}-suivis")
    rng = builder.rng
    for member, actor_id, name in builder.exchanges:
        if rng.random() < 0.45:
            for _ in range(rng.randint(1, 3)):
                kind = rng.choice(list(names.INTERACTION_TITLES))
                builder.add(
                    "interactions",
                    owner=member,
                    actor_id=actor_id,
                    kind=kind,
                    date=builder.stamp()[:10],
                    title=rng.choice(names.INTERACTION_TITLES[kind]),
                    notes=f"Suivi avec {name}.",
                )


def _ecosystem_range(catalysts: int, actors: int | None) -> tuple[int, int]:
    if not actors:
        return DEFAULT_ECOSYSTEM
    mean = max(1, actors // max(1, catalysts) - 1)  # minus the catalyst itself
    return max(1, mean - mean // 2), max(1, mean + mean // 2)


def _catalyst_homes(rng: random.Random, communes: list[Commune], count: int) -> list[Commune]:
    """One catalyst per département first (overseas included), the rest where people live."""
    by_departement: dict[str, list[Commune]] = defaultdict(list)
    for commune in communes:
        by_departement[commune.departement].append(commune)
    departements = sorted(by_departement)
    rng.shuffle(departements)
    homes = [_weighted_commune(rng, by_departement[code]) for code in departements[:count]]
    remaining = count - len(homes)
    if remaining > 0:
        weights = [math.sqrt(c.population + 1) for c in communes]
        homes += rng.choices(communes, weights=weights, k=remaining)
    return homes


def _weighted_commune(rng: random.Random, communes: list[Commune]) -> Commune:
    return rng.choices(communes, weights=[math.sqrt(c.population + 1) for c in communes])[0]


def _place(rng: random.Random, commune: Commune) -> dict[str, Any]:
    # A point near the town hall, so that actors of one commune do not overlap.
    return {
        "insee_code": commune.insee,
        "commune": commune.name,
        "departement": commune.departement,
        "postcode": commune.postcodes[0] if commune.postcodes else None,
        "latitude": round(commune.latitude + rng.uniform(-0.006, 0.006), 6),
        "longitude": round(commune.longitude + rng.uniform(-0.008, 0.008), 6),
    }


def _build_ecosystem(
    builder: _Builder, home: Commune, neighbours: list[Commune], size: int
) -> tuple[str, str]:
    """A catalyst and its ecosystem, all of one member's; the catalyst's id and the member."""
    rng = builder.rng
    member = builder.new_id()
    word = names.invented_word(rng)
    catalyst = _add_actor(
        builder,
        member,
        name=f"Pôle de catalyse {word} ({home.name})",
        kind="catalyseur",
        description=(
            "Catalyseur territorial fictif du réseau de démonstration, "
            f"actif autour de {home.name}."
        ),
        email=f"contact@{fold(word)}.example",
        **_place(rng, home),
    )
    _finish_actor(builder, catalyst, member)
    builder.rows["catalyst_profiles"].append(
        profile_row(builder.profiles, catalyst, home, neighbours, EPOCH)
    )
    weights = [math.sqrt(c.population + 1) for c in neighbours]
    ecosystem = []
    for _ in range(size):
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        commune = rng.choices(neighbours, weights=weights)[0]
        theme = rng.choice(names.THEMES)
        actor = _add_actor(
            builder,
            member,
            visibility="private" if rng.random() < 0.08 else "network",
            name=rng.choice(names.ACTOR_PATTERNS[kind]).format(word=names.invented_word(rng)),
            kind=kind,
            description=f"Porte {names.THEME_ACTIVITY[theme]} à {commune.name}. {DEMO_NOTE}",
            **_place(rng, commune),
        )
        _finish_actor(builder, actor, member, theme)
        ecosystem.append(actor)
    _relate_ecosystem(builder, catalyst, ecosystem, member)
    return catalyst["id"], member


def _add_actor(builder: _Builder, member: str, name: str, **fields: Any) -> dict[str, Any]:
    return builder.add("actors", owner=member, name=name, sort_name=fold(name), **fields)


def _finish_actor(
    builder: _Builder, actor: dict[str, Any], member: str, theme: str | None = None
) -> None:
    rng = builder.rng
    themes = {theme} if theme else set()
    themes.update(rng.sample(names.THEMES, rng.randint(0, 2)))
    for tag in sorted(themes):
        builder.rows["actor_tags"].append({"actor_id": actor["id"], "tag_id": builder.tag_ids[tag]})
    domain = fold(actor["name"]).replace(" ", "-")[:40]
    for _ in range(rng.randint(1, 2)):
        first, last = rng.choice(names.FIRST_NAMES), names.last_name(rng)
        person = builder.add(
            "people",
            owner=member,
            visibility="private" if rng.random() < 0.15 else "network",
            first_name=first,
            last_name=last,
            email=f"{fold(first)}.{fold(last)}@{domain}.example".replace(" ", "-"),
            phone=_fictional_phone(rng),
            notes="",
        )
        builder.add(
            "affiliations",
            owner=member,
            person_id=person["id"],
            actor_id=actor["id"],
            role=rng.choice(names.ROLES[actor["kind"]]),
        )


def _fictional_phone(rng: random.Random) -> str:
    prefix = rng.choice(FICTION_PHONE_PREFIXES)
    return f"{prefix} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def _relate_ecosystem(
    builder: _Builder, catalyst: dict[str, Any], ecosystem: list[dict[str, Any]], member: str
) -> None:
    rng = builder.rng
    for actor in ecosystem:
        if rng.random() < 0.5:
            builder.add(
                "relations",
                owner=member,
                source_id=catalyst["id"],
                target_id=actor["id"],
                type=rng.choice(["accompagnement", "partenariat", "co-construction"]),
                strength=rng.randint(1, 3),
                start_date=builder.stamp()[:10],
                notes="",
            )
            kind = rng.choice(list(names.INTERACTION_TITLES))
            builder.add(
                "interactions",
                owner=member,
                actor_id=actor["id"],
                kind=kind,
                date=builder.stamp()[:10],
                title=rng.choice(names.INTERACTION_TITLES[kind]),
                notes=f"Échange avec {actor['name']} sur les alliances possibles.",
            )
            builder.exchanges.append((member, actor["id"], actor["name"]))
    for _ in range(int(len(ecosystem) * 0.8)):
        source, target = rng.sample(ecosystem, 2) if len(ecosystem) >= 2 else (None, None)
        if source is None:
            break
        builder.add(
            "relations",
            owner=member,
            source_id=source["id"],
            target_id=target["id"],
            type=rng.choice(
                ["partenariat", "financement", "adhesion", "co-construction", "prestation"]
            ),
            strength=rng.randint(1, 3),
            notes="",
        )


def _link_catalysts(builder: _Builder, catalysts: list[tuple[str, str]]) -> None:
    """The network itself: each catalyst knows a few others. An alliance is its source's
    member's (docs/SYNC.md: only the owner of one of its ends may write it)."""
    rng = builder.rng
    if len(catalysts) < 2:
        return
    catalyst_ids = [actor_id for actor_id, _member in catalysts]
    for source, member in catalysts:
        for target in rng.sample(catalyst_ids, min(2, len(catalyst_ids) - 1)):
            if target != source:
                builder.add(
                    "relations",
                    owner=member,
                    source_id=source,
                    target_id=target,
                    type="partenariat",
                    notes="",
                )
