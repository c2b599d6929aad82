"""The map's data as GeoJSON, built by SQLite itself (fast for tens of thousands of rows).

Only what the map shows goes in: name, kind, commune, département, tags and a
private flag. Personal data (e-mail, phone, people, notes) never does.
Each feature's ``id`` is the actor's local row number (``seq``): compact, and
what the page's filters refer to; ``properties.actor_id`` is the UUID.
"""

from __future__ import annotations

import json
import sqlite3

# Coordinates rounded to 5 decimals (about 1 m): smaller payload, same picture.
_ACTOR_FEATURE = """
json_object(
    'type', 'Feature',
    'id', a.seq,
    'geometry', json_object(
        'type', 'Point',
        'coordinates', json_array(round(a.longitude, 5), round(a.latitude, 5))
    ),
    'properties', json_object(
        'actor_id', a.id,
        'name', a.name,
        'kind', a.kind,
        'commune', coalesce(a.commune, ''),
        'departement', coalesce(a.departement, ''),
        'private', json(CASE a.visibility WHEN 'private' THEN 'true' ELSE 'false' END),
        'approximate', json(CASE WHEN EXISTS (
            SELECT 1 FROM temp.commune_centres c WHERE c.insee = a.insee_code
            AND abs(c.latitude - a.latitude) < 1e-5 AND abs(c.longitude - a.longitude) < 1e-5
        ) THEN 'true' ELSE 'false' END),
        'tags', json(coalesce((
            SELECT json_group_array(t.name) FROM actor_tags at JOIN tags t ON t.id = at.tag_id
            WHERE at.actor_id = a.id AND t.deleted = 0
        ), '[]'))
    )
)
"""
ACTORS_SQL = f"""
SELECT {_ACTOR_FEATURE} FROM actors a
WHERE a.deleted = 0 AND a.latitude IS NOT NULL AND a.longitude IS NOT NULL
ORDER BY a.seq
"""

RELATIONS_SQL = """
SELECT json_object(
    'type', 'Feature',
    'id', r.seq,
    'geometry', json_object(
        'type', 'LineString',
        'coordinates', json_array(
            json_array(round(s.longitude, 5), round(s.latitude, 5)),
            json_array(round(t.longitude, 5), round(t.latitude, 5))
        )
    ),
    'properties', json_object(
        'type', r.type, 'source', s.seq, 'target', t.seq, 'strength', r.strength
    )
)
FROM relations r
JOIN actors s ON s.id = r.source_id
JOIN actors t ON t.id = r.target_id
WHERE r.deleted = 0 AND s.deleted = 0 AND t.deleted = 0
  AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL
  AND t.latitude IS NOT NULL AND t.longitude IS NOT NULL
ORDER BY r.seq
"""


def _collection(conn: sqlite3.Connection, sql: str) -> bytes:
    features = ",".join(row[0] for row in conn.execute(sql))
    return ('{"type":"FeatureCollection","features":[' + features + "]}").encode("utf-8")


def actors_geojson(conn: sqlite3.Connection) -> bytes:
    """Every live actor that has coordinates, as a UTF-8 GeoJSON FeatureCollection of points.

    ``approximate``: the actor sits at its commune's centre (where an import or the form
    put it), not where it really is (placed on the map, or from an address)."""
    _commune_centres(conn)
    return _collection(conn, ACTORS_SQL)


def _commune_centres(conn: sqlite3.Connection) -> None:
    """``temp.commune_centres``: the gazetteer's centre of each commune the actors name
    (a read-only store keeps a writable temp schema); empty without the gazetteer."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS commune_centres "
        "(insee TEXT PRIMARY KEY, latitude REAL, longitude REAL) WITHOUT ROWID"
    )
    conn.execute("DELETE FROM temp.commune_centres")
    from companion.geo import Gazetteer, GazetteerMissing

    codes = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT insee_code FROM actors WHERE insee_code IS NOT NULL AND deleted = 0"
        )
    ]
    try:
        gazetteer = Gazetteer.open()
    except GazetteerMissing:
        return
    with gazetteer:
        centres = gazetteer.centres(codes)
    conn.executemany("INSERT INTO temp.commune_centres VALUES (?, ?, ?)", centres)


def relations_geojson(conn: sqlite3.Connection) -> bytes:
    """Every live relation between two located actors, as GeoJSON line strings.

    ``properties.source``/``target`` are the two actors' feature ids, so the page
    hides a line when either end is filtered out.
    """
    return _collection(conn, RELATIONS_SQL)


_LIVE = "a.deleted = 0 AND a.latitude IS NOT NULL AND a.longitude IS NOT NULL"

# The live page's actor columns: name, SQL. Coordinates in 1e-5 degrees (about 1 m).
_ACTOR_COLUMNS = (
    ("seq", "a.seq"),
    ("id", "a.id"),
    ("name", "a.name"),
    ("kind", "a.kind"),
    ("commune", "coalesce(a.commune, '')"),
    ("departement", "coalesce(a.departement, '')"),
    ("flags", "(a.visibility = 'private') + 2 * (c.insee IS NOT NULL)"),
    ("lat", "CAST(round(a.latitude * 1e5) AS INTEGER)"),
    ("lon", "CAST(round(a.longitude * 1e5) AS INTEGER)"),
)


def _json_columns(
    conn: sqlite3.Connection, names: list[str], rows_sql: str, **fields: str
) -> bytes:
    """One JSON object of arrays, each made by SQLite (``json_group_array``: no Python
    object a row, and the lock on Python released meanwhile) over ``rows_sql``'s
    ordered rows, whose columns are called ``names``."""
    aggregates = ", ".join(f"json_group_array({name})" for name in names)
    row = conn.execute(f"SELECT {aggregates} FROM ({rows_sql})").fetchone()
    parts = [f'"{name}":{value}' for name, value in zip(names, row, strict=True)]
    parts += [f'"{name}":{value}' for name, value in fields.items()]
    return ('{"format":"columns",' + ",".join(parts) + "}").encode("utf-8")


def actors_columns(conn: sqlite3.Connection) -> bytes:
    """The same actors as ``actors_geojson`` but their tags, as columns: what the live
    page loads first (its tags come next, see ``actor_tag_columns``).

    A third of GeoJSON's size, parsed in a fraction of its time and built by SQLite in
    a fraction of Python's (100,000 actors: about 12 MB, 0.3 s); ``flags`` holds 1 for
    private, 2 for approximate; ``lat`` and ``lon`` are in 1e-5 degrees. The page makes
    the same features of it (``map.js``)."""
    _commune_centres(conn)
    selects = ", ".join(f"{sql} AS {name}" for name, sql in _ACTOR_COLUMNS)
    rows = f"""
        SELECT {selects} FROM actors a
        LEFT JOIN temp.commune_centres c ON c.insee = a.insee_code
            AND abs(c.latitude - a.latitude) < 1e-5 AND abs(c.longitude - a.longitude) < 1e-5
        WHERE {_LIVE} ORDER BY a.seq
    """
    return _json_columns(conn, [name for name, _ in _ACTOR_COLUMNS], rows)


def actor_tag_columns(conn: sqlite3.Connection) -> bytes:
    """The located actors' tags, for the live page once its actors are drawn: the tags'
    names by their row number, and one (actor's key, tag's row number) pair per tag an
    actor has (a row number is what the tag's id leads to at once: no second lookup)."""
    names = conn.execute(
        "SELECT json_group_object(rowid, name) FROM tags WHERE deleted = 0"
    ).fetchone()[0]
    rows = f"""
        SELECT a.seq AS seq, t.rowid AS tag FROM actors a
        JOIN actor_tags at ON at.actor_id = a.id
        JOIN tags t ON t.id = at.tag_id
        WHERE {_LIVE} AND t.deleted = 0
    """
    return _json_columns(conn, ["seq", "tag"], rows, tagNames=names)


_RELATION_COLUMNS = (("seq", "r.seq"), ("type", "r.type"), ("source", "s.seq"), ("target", "t.seq"))


def relations_columns(conn: sqlite3.Connection) -> bytes:
    """The same relations as ``relations_geojson``, as columns of the two ends' keys
    (the page has their places): about a fifth of its size."""
    selects = ", ".join(f"{sql} AS {name}" for name, sql in _RELATION_COLUMNS)
    rows = f"""
        SELECT {selects} FROM relations r
        JOIN actors s ON s.id = r.source_id
        JOIN actors t ON t.id = r.target_id
        WHERE r.deleted = 0 AND s.deleted = 0 AND t.deleted = 0
          AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL
          AND t.latitude IS NOT NULL AND t.longitude IS NOT NULL
        ORDER BY r.seq
    """
    return _json_columns(conn, [name for name, _ in _RELATION_COLUMNS], rows)


def actor_keys(conn: sqlite3.Connection, actor_ids: list[str]) -> list[int]:
    """The page's keys (local ``seq``, the features' ids) of those live actors that have a
    place on the map."""
    rows = conn.execute(
        "SELECT seq FROM actors WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0"
        " AND latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY seq",
        (json.dumps(actor_ids),),
    ).fetchall()
    return [int(row[0]) for row in rows]
