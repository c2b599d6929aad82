"""Links worth making: actors of complementary kinds (``vocabulary.COMPLEMENTARY_KINDS``)
in the same territory, sharing tags or words of their descriptions, not related yet.

No pair of actors is compared unless it shares something: actors are indexed by
(territory, tag) and (territory, word), and only actors found under the same key
become candidates (5,000 actors: a few hundred thousand candidate pairs, not 12
million). The territory is the EPCI (the commune where there is none); a tag or
word weighs more the rarer it is among the actors considered (a word in more than
a fifth of them is ignored), tags twice as much as words, and a pair in the same
commune half as much again. Each suggestion comes with its reason in one line.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.geo import Gazetteer
from companion.i18n import _, ngettext
from companion.insights.db import json_list, snapshot
from companion.insights.places import PlaceIndex, place_index
from companion.insights.vocabulary import COMPLEMENTARY_KINDS, kind_word
from companion.text import fold

if TYPE_CHECKING:
    import networkx as nx

TAG_WEIGHT = 2.0
SAME_COMMUNE = 1.5
MAX_WORD_SHARE = 0.2
MIN_WORD_LENGTH = 4
SHOWN = 3  # tags or words named in a reason
# Frequent words of four letters or more that say nothing of an actor's activity.
STOPWORDS = frozenset(
    fold(word)
    for word in (
        "avec dans pour sans sous leur leurs nous vous elle elles ils sont être était fait font "
        "plus moins tous toute toutes tout aussi ainsi entre vers chez depuis pendant cette "
        "ceux celle celles dont notre votre nos vos autour porte portent propose proposent "
        "association entreprise acteur acteurs local locale locaux locales projet projets"
    ).split()
)
_WORD = re.compile(r"\w+")
_TAGS = """
SELECT at.actor_id, t.name FROM actor_tags at JOIN tags t ON t.id = at.tag_id
WHERE t.deleted = 0 AND at.actor_id IN (SELECT value FROM json_each(:ids))
"""
_DESCRIPTIONS = """
SELECT id, description FROM actors WHERE id IN (SELECT value FROM json_each(:ids))
"""


@dataclass(frozen=True)
class Suggestion:
    first_id: str
    first_name: str
    first_kind: str
    second_id: str
    second_name: str
    second_kind: str
    score: float
    tags: tuple[str, ...]  # shared, rarest first
    words: tuple[str, ...]
    place: str  # the commune, or the EPCI, they share
    reason: str


@dataclass
class _Actor:
    id: str
    name: str
    kind: str
    territory: tuple[str, str]
    commune: str | None
    place: str  # its commune's name (the commune an arrondissement or déléguée is part of)
    area: str  # its territory's name
    features: dict[tuple[str, str], str]  # ("tag" | "word", folded) -> as written


def suggest_links(
    conn: sqlite3.Connection, gazetteer: Gazetteer, graph: nx.Graph, limit: int = 50
) -> list[Suggestion]:
    """The ``limit`` best links to suggest between the actors of ``graph`` (from
    ``graph.build_graph``: its edges are the relations already there), best first."""
    index = place_index(gazetteer)
    kinds = {kind for pair in COMPLEMENTARY_KINDS for kind in pair}
    candidates = [node for node, kind in graph.nodes(data="kind") if kind in kinds]
    ids = json_list(candidates)
    with snapshot(conn):
        tags = conn.execute(_TAGS, {"ids": ids}).fetchall()
        descriptions = dict(conn.execute(_DESCRIPTIONS, {"ids": ids}).fetchall())
    tags_of = defaultdict(list)
    for actor_id, name in tags:
        tags_of[actor_id].append(name)
    areas: dict[tuple[str, str], str | None] = {}
    actors = [
        actor
        for node in candidates
        if (actor := _actor(index, areas, graph, node, tags_of[node], descriptions.get(node) or ""))
    ]
    weights = _weights(actors)
    by_territory: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, actor in enumerate(actors):
        by_territory[actor.territory].append(i)
    found: list[tuple[float, int, int]] = []
    for members in by_territory.values():
        found += _best_pairs(graph, actors, members, weights, limit)
    found.sort()
    return [_suggestion(actors[a], actors[b], weights, -score) for score, a, b in found[:limit]]


def _best_pairs(
    graph: nx.Graph,
    actors: list[_Actor],
    members: list[int],
    weights: dict[tuple[str, str], float],
    limit: int,
) -> list[tuple[float, int, int]]:
    """(-score, a, b) of the best unrelated pairs of complementary kinds among ``members``
    (one territory's actors): a matrix product per pair of kinds, features as columns."""
    import numpy as np

    present = {f for i in members for f in actors[i].features if f in weights}
    columns = {f: c for c, f in enumerate(sorted(present))}
    if not columns:
        return []
    weight = np.array([weights[f] for f in columns])
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i in members:
        by_kind[actors[i].kind].append(i)
    matrices = {}
    for kind, rows in by_kind.items():
        matrix = np.zeros((len(rows), len(columns)))
        for r, i in enumerate(rows):
            matrix[r, [columns[f] for f in actors[i].features if f in columns]] = 1.0
        matrices[kind] = matrix
    found = []
    for pair in COMPLEMENTARY_KINDS:
        first, second = sorted(pair)
        if first not in by_kind or second not in by_kind:
            continue
        rows, cols = by_kind[first], by_kind[second]
        scores = (matrices[first] * weight) @ matrices[second].T
        same = np.equal.outer(_communes(actors, rows), _communes(actors, cols))
        scores[same] *= SAME_COMMUNE
        position = {actors[i].id: c for c, i in enumerate(cols)}
        for r, i in enumerate(rows):  # related already: not a suggestion
            for neighbour in graph[actors[i].id]:
                c = position.get(neighbour)
                if c is not None:
                    scores[r, c] = 0.0
        flat = scores.ravel()
        count = min(limit, int(np.count_nonzero(flat > 0)))
        if count == 0:
            continue
        cut = np.partition(flat, flat.size - count)[flat.size - count]
        for cell in np.flatnonzero(flat >= max(cut, 1e-12)):
            a, b = rows[cell // len(cols)], cols[cell % len(cols)]
            found.append((-round(float(flat[cell]), 9), min(a, b), max(a, b)))
    return found


def _communes(actors: list[_Actor], rows: list[int]) -> list[str]:
    """Each actor's commune code, or its own id where it has none (so it matches no one)."""
    return [actors[i].commune or actors[i].id for i in rows]


def _actor(
    index: PlaceIndex,
    areas: dict[tuple[str, str], str | None],
    graph: nx.Graph,
    node: str,
    tags: list[str],
    description: str,
) -> _Actor | None:
    data = graph.nodes[node]
    location = index.locate(data.get("insee_code"), data.get("departement"))
    if location.epci:
        territory = ("epci", location.epci)
    elif location.commune:
        territory = ("commune", location.commune)
    else:
        return None  # located nowhere: no neighbours to suggest
    place = _name(index, areas, ("commune", location.commune)) if location.commune else None
    features: dict[tuple[str, str], str] = {}
    for tag in tags:
        key = fold(tag)
        if key:
            features.setdefault(("tag", key), tag if tag.isupper() else tag.lower())
    own = set(fold(place or "").split()) | set(fold(data["name"]).split())
    tag_words = {word for kind, key in features for word in key.split()}
    for word in _WORD.findall(description):
        key = fold(word)
        if len(key) >= MIN_WORD_LENGTH and not key.isdigit() and key not in STOPWORDS:
            if key not in own and key not in tag_words:
                features.setdefault(("word", key), word.lower())
    area = _name(index, areas, territory)
    if area is None:
        return None
    return _Actor(
        node, data["name"], data["kind"], territory, location.commune, place or area, area, features
    )


def _name(
    index: PlaceIndex, names: dict[tuple[str, str], str | None], key: tuple[str, str]
) -> str | None:
    """A territory's name, looked up once per call of ``suggest_links``."""
    if key not in names:
        found = index.territory(*key)
        names[key] = found.name if found else None
    return names[key]


def _weights(actors: list[_Actor]) -> dict[tuple[str, str], float]:
    """How much sharing each tag or word tells: rarer is more telling."""
    counts = Counter(feature for actor in actors for feature in actor.features)
    total = len(actors)
    common = max(3, MAX_WORD_SHARE * total)
    weights = {}
    for feature, count in counts.items():
        if count < 2 or (feature[0] == "word" and count > common):
            continue  # shared by no one, or by too many to tell anything
        weight = math.log(1 + total / count)
        weights[feature] = weight * TAG_WEIGHT if feature[0] == "tag" else weight
    return weights


def _suggestion(
    first: _Actor, second: _Actor, weights: dict[tuple[str, str], float], score: float
) -> Suggestion:
    shared = [f for f in first.features if f in second.features and f in weights]
    rarest = sorted(shared, key=lambda f: (-weights[f], f[1]))
    tags = tuple(first.features[f] for f in rarest if f[0] == "tag")
    words = tuple(first.features[f] for f in rarest if f[0] == "word")
    same_commune = first.commune is not None and first.commune == second.commune
    place = first.place if same_commune else first.area
    return Suggestion(
        first_id=first.id,
        first_name=first.name,
        first_kind=first.kind,
        second_id=second.id,
        second_name=second.name,
        second_kind=second.kind,
        score=score,
        tags=tags,
        words=words,
        place=place,
        reason=_reason(first, second, tags, words, same_commune, place),
    )


def _quoted(values: tuple[str, ...]) -> str:
    shown = [_("« {value} »").format(value=value) for value in values[:SHOWN]]
    if len(shown) == 1:
        return shown[0]
    return _("{items} et {last}").format(items=", ".join(shown[:-1]), last=shown[-1])


def _reason(
    first: _Actor,
    second: _Actor,
    tags: tuple[str, ...],
    words: tuple[str, ...],
    same_commune: bool,
    place: str,
) -> str:
    """ "Bravelune (association) et Lumiplast (entreprise) partagent les étiquettes
    « emploi » et « insertion » à Saint-Denis, sans lien entre eux." """
    shared = ""
    if tags:
        text = ngettext("l'étiquette {tags}", "les étiquettes {tags}", min(len(tags), SHOWN))
        shared = text.format(tags=_quoted(tags))
    if words:
        text = ngettext("le mot {words}", "les mots {words}", min(len(words), SHOWN))
        said = text.format(words=_quoted(words))
        shared = _("{tags} et {words}").format(tags=shared, words=said) if shared else said
    where = (
        _("à {commune}").format(commune=place)
        if same_commune
        else _("dans le même territoire ({name})").format(name=place)
    )
    return _(
        "{first} ({first_kind}) et {second} ({second_kind}) partagent {shared} {where}, "
        "sans lien entre eux."
    ).format(
        first=first.name,
        first_kind=kind_word(first.kind),
        second=second.name,
        second_kind=kind_word(second.kind),
        shared=shared,
        where=where,
    )
