"""The catalysts as the insights see them: their actor, place, métiers and territories.

Profiles live in ``catalyst_profiles`` (migration 0010); an actor's live profile
is the most recently updated of those its owner wrote, as in
``companion.network.profiles``. A
database without the table (or a catalyst without a profile) gives no métiers.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from companion.domain import METIERS
from companion.insights.db import table_exists

_PROFILES = """
SELECT p.actor_id, p.owner, p.structure, p.metiers, p.territories, p.themes
FROM catalyst_profiles p JOIN actors a ON a.id = p.actor_id
WHERE p.deleted = 0 AND p.id = (
    SELECT q.id FROM catalyst_profiles q WHERE q.actor_id = p.actor_id AND q.deleted = 0
    AND (q.owner = a.owner OR a.owner = '') ORDER BY q.updated_at DESC, q.seq DESC LIMIT 1)
"""


@dataclass(frozen=True)
class Catalyst:
    """A live catalyst actor and what its profile says (empty without one)."""

    actor_id: str
    name: str
    owner: str
    insee_code: str | None
    departement: str | None
    commune: str | None
    structure: str = ""
    profile_owner: str = ""
    metiers: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()  # "commune:69123", "departement:69"…
    themes: tuple[str, ...] = ()


def load_catalysts(conn: sqlite3.Connection) -> list[Catalyst]:
    """Every live actor of kind "catalyseur", with its live profile's content."""
    profiles = {}
    if table_exists(conn, "catalyst_profiles"):
        for actor_id, owner, structure, metiers, territories, themes in conn.execute(_PROFILES):
            profiles[actor_id] = {
                "structure": structure or "",
                "profile_owner": owner or "",
                "metiers": tuple(code for code in _strings(metiers) if code in METIERS),
                "territories": _strings(territories),
                "themes": _strings(themes),
            }
    rows = conn.execute(
        "SELECT id, name, owner, insee_code, departement, commune FROM actors "
        "WHERE kind = 'catalyseur' AND deleted = 0 ORDER BY sort_name, seq"
    )
    return [Catalyst(*row, **profiles.get(row[0], {})) for row in rows]


def metiers_by_member(catalysts: list[Catalyst]) -> dict[str, set[str]]:
    """The métiers of each member's own catalyst: the catalyst behind the exchanges and
    relations that member records.

    A member's catalyst is the one whose profile it owns, or else (no profile of its
    own) the one whose actor it owns, as ``companion.network.profiles.own_catalyst``
    says: a catalyst may well record other catalysts' actors in its directory.
    """
    found: dict[str, set[str]] = {}
    for catalyst in catalysts:
        if catalyst.profile_owner:
            found.setdefault(catalyst.profile_owner, set()).update(catalyst.metiers)
    fallback: dict[str, set[str]] = {}
    for catalyst in catalysts:
        if catalyst.owner and catalyst.owner not in found:
            fallback.setdefault(catalyst.owner, set()).update(catalyst.metiers)
    return {**fallback, **found}


def _strings(text: str | None) -> tuple[str, ...]:
    """A stored JSON list of strings; a damaged value reads as empty."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return (
        tuple(str(item) for item in value if isinstance(item, str))
        if isinstance(value, list)
        else ()
    )
