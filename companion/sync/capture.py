"""Change capture: what to push to the hub, found without the writing code knowing.

Every write path (the app, imports, merges, undo, the CLI) goes through SQLite:

- a new record is found by its ``seq`` (a rowid, so it grows with each insert):
  when a sync starts, :func:`queue_unseen` queues every network record whose
  ``seq`` passed the last one seen, as one outbox row with field ``'*'`` (the
  whole record, expanded to its fields at push time), and :func:`stamp_pending`
  gives it one ``'*'`` clock. Inserts pay nothing (a 100,000-row import stays
  within its budget), and a stamp from the sync rather than the insert loses
  nothing: nobody else can edit a record before it was pushed;
- triggers stamp and queue the fields an UPDATE of a network record changed
  (one stamp per row, in ``sync_field_clocks``, and one outbox row per field),
  ``visibility`` alone when a network record becomes private, the whole record
  (``'*'``) when a private one becomes network, and an actor's ``tags`` when a
  tag is added (inside the search index's trigger: :func:`link_insert_capture`)
  or removed.

The outbox holds no values: they are read from the record at push time, so
repeated edits of one field keep one row. A field's stamp is the larger of its
own clock row and its record's ``'*'`` row (:func:`clock_sql`).

The clock lives in ``sync_state['clock']``: the last stamp issued or received,
whose site part is this laptop's id. Triggers advance it in SQL (:data:`TICK`,
``hlc.Clock.now`` written as an expression), inside the writing transaction:
SQLite lets one connection write at a time, so two connections (the app and an
import job) never issue the same stamp, and any connection captures, even one
that never loaded this module. ``sync_state['capture'] = '0'`` mutes the
triggers within a transaction (:func:`muted`: applying pulled changes).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

# hlc's text format (tests check they agree): imported from there, the dataclass would
# cost this module, loaded at every start-up, a millisecond.
WALL_DIGITS = 16
COUNTER_DIGITS = 5
MAX_COUNTER = 10**COUNTER_DIGITS - 1

# protocol.SYNCED_FIELDS as migration 0008 captures them, frozen with it (a released
# migration never changes): a field added to the protocol needs a migration that runs
# trigger_sql() again. migration_sql() makes the triggers of these tables.
FIRST_CAPTURED_FIELDS: dict[str, tuple[str, ...]] = {
    "actors": (
        "owner", "visibility", "created_at", "deleted", "name", "kind", "description",
        "insee_code", "commune", "departement", "postcode", "address", "latitude",
        "longitude", "website", "email", "phone", "siren", "siret", "rna", "merged_into",
    ),
    "people": (
        "owner", "visibility", "created_at", "deleted", "first_name", "last_name", "email",
        "phone", "notes", "legal_basis", "collected_on", "collection_source", "merged_into",
    ),
    "affiliations": (
        "owner", "visibility", "created_at", "deleted", "person_id", "actor_id", "role",
        "start_date", "end_date",
    ),
    "relations": (
        "owner", "visibility", "created_at", "deleted", "source_id", "target_id", "type",
        "start_date", "end_date", "strength", "notes",
    ),
    "interactions": (
        "owner", "visibility", "created_at", "deleted", "actor_id", "person_id", "kind",
        "date", "title", "notes",
    ),
    "tags": ("owner", "visibility", "created_at", "deleted", "name"),
    "map_views": (
        "owner", "visibility", "created_at", "deleted", "name", "title", "filter", "south",
        "west", "north", "east", "position",
    ),
}  # fmt: skip
# Tables synced since, each captured by its own migration calling trigger_sql() with
# its fields (frozen with that migration; migration_sql() never touches them).
CATALYST_PROFILE_FIELDS = (  # 0010_catalyst_profiles
    "owner", "visibility", "created_at", "deleted", "actor_id", "structure", "metiers",
    "territories", "themes", "public_contact", "missions",
)  # fmt: skip
# Fields added to a table synced before: its triggers remade by the migration adding them.
MAP_VIEW_FIELDS = (  # 0013_map_stories: a story's steps
    "owner", "visibility", "created_at", "deleted", "name", "title", "filter", "south",
    "west", "north", "east", "position", "steps",
)  # fmt: skip
# Every table and field the triggers capture: protocol.SYNCED_FIELDS (tests check).
CAPTURED_FIELDS: dict[str, tuple[str, ...]] = {
    **FIRST_CAPTURED_FIELDS,
    "catalyst_profiles": CATALYST_PROFILE_FIELDS,
    "map_views": MAP_VIEW_FIELDS,
}

ALL_FIELDS = "*"  # an outbox or clock row standing for every field of the record
# Link tables whose rows travel as one field of a record: table -> (link table, column).
LINK_TABLES = {"actors": ("actor_tags", "actor_id")}
LINK_FIELD = {"actors": "tags"}  # protocol.LINK_FIELDS
SEEN = "seen:"  # sync_state key prefix: the last rowid of each table queued

_CAPTURING = "(SELECT value FROM sync_state WHERE key = 'capture') = '1'"
# hlc.Clock.now in SQL: local time (SQLite's 'now' is fixed within one statement)
# plus the offset learned from the hub; the counter orders stamps within a
# millisecond and, full, borrows the next millisecond.
_NOW_MS = (
    "(CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER) + "
    "coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = 'offset_ms'), 0))"
)
_LAST_WALL = f"CAST(substr(value, 1, {WALL_DIGITS}) AS INTEGER)"
_LAST_COUNTER = f"CAST(substr(value, {WALL_DIGITS + 2}, {COUNTER_DIGITS}) AS INTEGER)"
SITE_START = WALL_DIGITS + COUNTER_DIGITS + 3  # where a stamp's site begins (from 1)
_SITE = f"substr(value, {SITE_START})"
_STAMP = f"printf('%0{WALL_DIGITS}d-%0{COUNTER_DIGITS}d-', {{wall}}, {{counter}}) || {_SITE}"
TICK = (
    "UPDATE sync_state SET value = CASE "
    f"WHEN {_NOW_MS} > {_LAST_WALL} THEN {_STAMP.format(wall=_NOW_MS, counter=0)} "
    f"WHEN {_LAST_COUNTER} < {MAX_COUNTER} "
    f"THEN {_STAMP.format(wall=_LAST_WALL, counter=_LAST_COUNTER + ' + 1')} "
    f"ELSE {_STAMP.format(wall=_LAST_WALL + ' + 1', counter=0)} END "
    "WHERE key = 'clock';"
)


def clock_sql(table: str, record: str, field: str) -> str:
    """SQL for the stamp of one field's current value (NULL if it has none).

    ``table``, ``record`` and ``field`` are SQL expressions (columns or parameters).
    """
    return (
        "(SELECT max(hlc) FROM sync_field_clocks "
        f"WHERE tbl = {table} AND id = {record} AND field IN ({field}, '{ALL_FIELDS}'))"
    )


@contextmanager
def muted(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside an open transaction: writes made meanwhile are not captured."""
    if not conn.in_transaction:
        raise RuntimeError("muted() needs an open transaction")
    conn.execute("UPDATE sync_state SET value = '0' WHERE key = 'capture'")
    try:
        yield
    finally:
        conn.execute("UPDATE sync_state SET value = '1' WHERE key = 'capture'")


def queue_unseen(conn: sqlite3.Connection, synced: Iterable[str]) -> None:
    """Inside a transaction: queue what was written since the last call without a trigger.

    The network records inserted meanwhile (``seq`` above the last one seen) are
    queued whole; so are the tags of the older actors that gained a link the
    search-index trigger did not see (a bulk import suspends it; see
    :func:`link_insert_capture`).
    """
    seen: dict[str, int] = {}
    for table in [*synced, *(link for link, _column in LINK_TABLES.values())]:
        key = SEEN + table
        row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        seen[table] = int(row[0]) if row and row[0] else 0
        top = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
        conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, str(top)),
        )
        if top <= seen[table]:
            continue
        if table in synced:
            conn.execute(
                f"INSERT INTO sync_outbox (tbl, id, field) SELECT '{table}', id, '*' "
                f"FROM {table} WHERE seq > ? AND visibility = 'network' ORDER BY seq",
                (seen[table],),
            )
            continue
        owner = next(t for t, (link, _c) in LINK_TABLES.items() if link == table)
        column = LINK_TABLES[owner][1]
        link = LINK_FIELD[owner]
        conn.execute(
            f"INSERT INTO sync_outbox (tbl, id, field, base) SELECT DISTINCT '{owner}', r.id, "
            f"'{link}', {clock_sql(repr(owner), 'r.id', repr(link))} "
            f"FROM {table} l JOIN {owner} r ON r.id = l.{column} "
            "WHERE l.rowid > ? AND r.seq <= ? AND r.visibility = 'network' "
            "ON CONFLICT (tbl, id, field) WHERE field <> '*' DO NOTHING",
            (seen[table], seen.get(owner, 0)),
        )


def mark_seen(conn: sqlite3.Connection, synced: Iterable[str]) -> None:
    """Inside a transaction: what exists now is seen (rows a sync wrote are not queued)."""
    for table in [*synced, *(link for link, _column in LINK_TABLES.values())]:
        conn.execute(
            "INSERT INTO sync_state (key, value) "
            f"SELECT ?, coalesce(max(rowid), 0) FROM {table} WHERE true "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (SEEN + table,),
        )


def stamp_pending(conn: sqlite3.Connection, stamp: str) -> None:
    """Inside a transaction: give the rows queued without a stamp ``stamp``.

    A whole record without a ``'*'`` clock (new, or shared for the first time)
    gets one; a record shared again keeps its own, so its fields keep their
    stamps. A single field gets its clock set.
    """
    conn.execute(
        "INSERT INTO sync_field_clocks (tbl, id, field, hlc) "
        "SELECT DISTINCT tbl, id, field, ? FROM sync_outbox WHERE hlc IS NULL "
        "ORDER BY tbl, id, field "
        "ON CONFLICT (tbl, id, field) DO UPDATE SET hlc = excluded.hlc WHERE field <> '*'",
        (stamp,),
    )
    conn.execute("UPDATE sync_outbox SET hlc = ? WHERE hlc IS NULL", (stamp,))


# -- the triggers (SQL of migration 0008_sync) ------------------------------------


def _stamp_fields(
    table: str, record: str, fields_from: str, condition: str = "", base: bool = True
) -> str:
    """Advance the clock, then queue and stamp the fields selected by ``fields_from``
    (a SELECT giving a column ``f``); each statement only if ``condition`` holds.

    With ``base``, a field's first outbox row keeps the stamp the field had before
    the edit (read before the clock row changes): the value the user edited from,
    which tells the hub whether this edit overwrites one it never saw. Migration
    0008 made the triggers without it (``base=False``); 0009 remade them with it.
    """
    extra = f" AND {condition}" if condition else ""
    statements = [TICK.replace("WHERE key = 'clock';", f"WHERE key = 'clock'{extra};")]
    select = f"SELECT '{table}', {record}, q.f, c.value"
    queue = (
        f"INSERT INTO sync_outbox (tbl, id, field, hlc, base) {select}, "
        f"{clock_sql(repr(table), record, 'q.f')}"
        if base
        else f"INSERT INTO sync_outbox (tbl, id, field, hlc) {select}"
    )
    stamp = f"INSERT INTO sync_field_clocks (tbl, id, field, hlc) {select}"
    steps = [(stamp, "(tbl, id, field)"), (queue, "(tbl, id, field) WHERE field <> '*'")]
    for insert, conflict in reversed(steps) if base else steps:
        statements.append(
            f"{insert} FROM ({fields_from}) AS q, sync_state c "
            f"WHERE c.key = 'clock'{extra} ON CONFLICT {conflict} DO UPDATE SET hlc = excluded.hlc;"
        )
    return "\n    ".join(statements)


def _queue_record(table: str) -> str:
    return f"INSERT INTO sync_outbox (tbl, id, field) VALUES ('{table}', new.id, '{ALL_FIELDS}');"


def _changed(fields: tuple[str, ...]) -> str:
    return " UNION ALL ".join(
        f"SELECT '{name}' AS f WHERE old.{name} IS NOT new.{name}" for name in fields
    )


def _link_condition(table: str, ref: str) -> str:
    column = LINK_TABLES[table][1]
    return (
        f"(SELECT visibility FROM {table} WHERE id = {ref}.{column}) = 'network' AND {_CAPTURING}"
    )


def link_insert_capture(table: str, base: bool = True) -> str:
    """Statements stamping and queuing ``table``'s link field after a link INSERT.

    They go inside the search index's trigger on the link table rather than a
    trigger of their own: a bulk import suspends that one (any trigger on a table
    with foreign keys costs every insert a statement journal: +1 s per 200,000
    links), and :func:`queue_unseen` catches what it missed.
    """
    column = LINK_TABLES[table][1]
    return _stamp_fields(
        table,
        f"new.{column}",
        f"SELECT '{LINK_FIELD[table]}' AS f",
        _link_condition(table, "new"),
        base,
    )


def trigger_sql(synced: Mapping[str, tuple[str, ...]], base: bool = True) -> str:
    """The capture triggers of every synced table (``DROP``-then-``CREATE``, re-runnable);
    a link's insertion is captured by :func:`link_insert_capture`, its removal here."""
    parts = []
    for table, fields in synced.items():
        edited = tuple(name for name in fields if name != "visibility")
        any_changed = " OR ".join(f"old.{name} IS NOT new.{name}" for name in edited)
        visibility = "SELECT 'visibility' AS f"
        parts.append(
            f"""
DROP TRIGGER IF EXISTS sync_{table}_update;
CREATE TRIGGER sync_{table}_update AFTER UPDATE ON {table}
WHEN old.visibility = 'network' AND new.visibility = 'network' AND ({any_changed})
    AND {_CAPTURING}
BEGIN
    {_stamp_fields(table, "new.id", _changed(edited), base=base)}
END;
DROP TRIGGER IF EXISTS sync_{table}_shared;
CREATE TRIGGER sync_{table}_shared AFTER UPDATE OF visibility ON {table}
WHEN old.visibility = 'private' AND new.visibility = 'network' AND {_CAPTURING}
BEGIN
    {_stamp_fields(table, "new.id", visibility, base=base)}
    {_queue_record(table)}
END;
DROP TRIGGER IF EXISTS sync_{table}_unshared;
CREATE TRIGGER sync_{table}_unshared AFTER UPDATE OF visibility ON {table}
WHEN old.visibility = 'network' AND new.visibility = 'private' AND {_CAPTURING}
BEGIN
    {_stamp_fields(table, "new.id", visibility, base=base)}
END;
"""
        )
    for table, (link_table, column) in LINK_TABLES.items():
        parts.append(
            f"""
DROP TRIGGER IF EXISTS sync_{link_table}_delete;
CREATE TRIGGER sync_{link_table}_delete AFTER DELETE ON {link_table}
WHEN {_link_condition(table, "old")}
BEGIN
    {_stamp_fields(table, f"old.{column}", f"SELECT '{LINK_FIELD[table]}' AS f", base=base)}
END;
"""
        )
    return "".join(parts)


def migration_sql(link_insert_triggers: Mapping[str, tuple[str, str]], base: bool = True) -> str:
    """The capture triggers, and the link tables' insert triggers re-created with the
    capture added: ``{table: (trigger name, its current body)}``. Records already
    there are queued by the first sync (their ``seq`` was never seen)."""
    parts = [trigger_sql(FIRST_CAPTURED_FIELDS, base)]
    for table, (name, body) in link_insert_triggers.items():
        link_table = LINK_TABLES[table][0]
        parts.append(
            f"""
DROP TRIGGER IF EXISTS {name};
CREATE TRIGGER {name} AFTER INSERT ON {link_table} BEGIN
    {body}
    {link_insert_capture(table, base)}
END;
"""
        )
    return "".join(parts)
