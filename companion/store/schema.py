"""The SQL of each named migration, oldest first. Never edit a released one: add a new one."""

from __future__ import annotations

from companion.store.sync_triggers import (
    CATALYST_PROFILES_TRIGGERS,
    CONTACT_DETAILS_TRIGGERS,
    MAP_STORIES_TRIGGERS,
    SYNC_BASE_TRIGGERS,
    SYNC_TRIGGERS,
)

# Every synced table: a UUID `id` (the identity that travels), an owner, a
# visibility, timestamps and a tombstone. `seq` is a local, stable row number
# (an INTEGER PRIMARY KEY survives VACUUM) that the search index points at.
_COMMON = """
    owner TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL DEFAULT 'network' CHECK (visibility IN ('private', 'network')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
"""

INITIAL = f"""
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE actors (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (name <> ''),
    sort_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    insee_code TEXT,
    commune TEXT,
    departement TEXT,
    postcode TEXT,
    address TEXT,
    latitude REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
    longitude REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
    website TEXT,
    email TEXT,
    phone TEXT,
    {_COMMON}
);
CREATE INDEX actors_by_name ON actors (sort_name) WHERE deleted = 0;
CREATE INDEX actors_by_kind ON actors (kind, sort_name) WHERE deleted = 0;
CREATE INDEX actors_by_commune ON actors (commune, sort_name) WHERE deleted = 0;
CREATE INDEX actors_by_departement ON actors (departement, sort_name) WHERE deleted = 0;
CREATE INDEX actors_by_update ON actors (updated_at) WHERE deleted = 0;

CREATE TABLE people (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT,
    phone TEXT,
    notes TEXT NOT NULL DEFAULT '',
    {_COMMON},
    CHECK (first_name <> '' OR last_name <> '')
);

CREATE TABLE affiliations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL REFERENCES people (id),
    actor_id TEXT NOT NULL REFERENCES actors (id),
    role TEXT NOT NULL DEFAULT '',
    start_date TEXT,
    end_date TEXT,
    {_COMMON}
);
CREATE INDEX affiliations_by_actor ON affiliations (actor_id);
CREATE INDEX affiliations_by_person ON affiliations (person_id);

CREATE TABLE relations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source_id TEXT NOT NULL REFERENCES actors (id),
    target_id TEXT NOT NULL REFERENCES actors (id),
    type TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT,
    strength INTEGER CHECK (strength IS NULL OR strength BETWEEN 1 AND 3),
    notes TEXT NOT NULL DEFAULT '',
    {_COMMON},
    CHECK (source_id <> target_id)
);
CREATE INDEX relations_by_source ON relations (source_id);
CREATE INDEX relations_by_target ON relations (target_id);

CREATE TABLE interactions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    actor_id TEXT REFERENCES actors (id),
    person_id TEXT REFERENCES people (id),
    kind TEXT NOT NULL,
    date TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    {_COMMON}
);
CREATE INDEX interactions_by_actor ON interactions (actor_id, date);
CREATE INDEX interactions_by_person ON interactions (person_id, date);

CREATE TABLE tags (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    {_COMMON}
);

CREATE TABLE actor_tags (
    actor_id TEXT NOT NULL REFERENCES actors (id),
    tag_id TEXT NOT NULL REFERENCES tags (id),
    PRIMARY KEY (actor_id, tag_id)
);
CREATE INDEX actor_tags_by_tag ON actor_tags (tag_id);
"""

# Case- and accent-insensitive, prefix-friendly full-text index kept in sync by
# triggers, so every write path (app, import, sync) updates it.
_TOKENIZER = "unicode61 remove_diacritics 2"

_ACTOR_TAGS = (
    "(SELECT group_concat(t.name, ' ') FROM actor_tags at JOIN tags t ON t.id = at.tag_id "
    "WHERE at.actor_id = {ref}.id AND t.deleted = 0)"
)


def actor_index_insert(ref: str) -> str:
    """The INSERT ... SELECT that indexes actors aliased ``ref`` (a FROM clause follows)."""
    return (
        "INSERT INTO actors_fts (rowid, name, description, place, tags) "
        f"SELECT {ref}.seq, {ref}.name, {ref}.description, "
        f"coalesce({ref}.commune, '') || ' ' || coalesce({ref}.postcode, ''), "
        f"coalesce({_ACTOR_TAGS.format(ref=ref)}, '') "
    )


SEARCH_INDEX = f"""
CREATE VIRTUAL TABLE actors_fts USING fts5 (
    name, description, place, tags, tokenize = '{_TOKENIZER}', prefix = '2 3'
);
CREATE VIRTUAL TABLE people_fts USING fts5 (
    name, email, notes, tokenize = '{_TOKENIZER}', prefix = '2 3'
);
CREATE VIRTUAL TABLE interactions_fts USING fts5 (
    title, notes, tokenize = '{_TOKENIZER}', prefix = '2 3'
);

CREATE TRIGGER actors_fts_insert AFTER INSERT ON actors WHEN new.deleted = 0 BEGIN
    {actor_index_insert("new")} ;
END;
CREATE TRIGGER actors_fts_update AFTER UPDATE ON actors BEGIN
    DELETE FROM actors_fts WHERE rowid = old.seq;
    {actor_index_insert("new")} WHERE new.deleted = 0;
END;
CREATE TRIGGER actors_fts_delete AFTER DELETE ON actors BEGIN
    DELETE FROM actors_fts WHERE rowid = old.seq;
END;

CREATE TRIGGER actor_tags_fts_insert AFTER INSERT ON actor_tags BEGIN
    DELETE FROM actors_fts WHERE rowid = (SELECT seq FROM actors WHERE id = new.actor_id);
    {actor_index_insert("a")} FROM actors a WHERE a.id = new.actor_id AND a.deleted = 0;
END;
CREATE TRIGGER actor_tags_fts_delete AFTER DELETE ON actor_tags BEGIN
    DELETE FROM actors_fts WHERE rowid = (SELECT seq FROM actors WHERE id = old.actor_id);
    {actor_index_insert("a")} FROM actors a WHERE a.id = old.actor_id AND a.deleted = 0;
END;
CREATE TRIGGER tags_fts_update AFTER UPDATE OF name, deleted ON tags BEGIN
    DELETE FROM actors_fts WHERE rowid IN (
        SELECT a.seq FROM actors a JOIN actor_tags at ON at.actor_id = a.id
        WHERE at.tag_id = new.id);
    {actor_index_insert("a")} FROM actors a JOIN actor_tags at2 ON at2.actor_id = a.id
        WHERE at2.tag_id = new.id AND a.deleted = 0;
END;

CREATE TRIGGER people_fts_insert AFTER INSERT ON people WHEN new.deleted = 0 BEGIN
    INSERT INTO people_fts (rowid, name, email, notes)
    VALUES (new.seq, new.first_name || ' ' || new.last_name, coalesce(new.email, ''), new.notes);
END;
CREATE TRIGGER people_fts_update AFTER UPDATE ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.seq;
    INSERT INTO people_fts (rowid, name, email, notes)
    SELECT new.seq, new.first_name || ' ' || new.last_name, coalesce(new.email, ''), new.notes
    WHERE new.deleted = 0;
END;
CREATE TRIGGER people_fts_delete AFTER DELETE ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.seq;
END;

CREATE TRIGGER interactions_fts_insert AFTER INSERT ON interactions WHEN new.deleted = 0 BEGIN
    INSERT INTO interactions_fts (rowid, title, notes) VALUES (new.seq, new.title, new.notes);
END;
CREATE TRIGGER interactions_fts_update AFTER UPDATE ON interactions BEGIN
    DELETE FROM interactions_fts WHERE rowid = old.seq;
    INSERT INTO interactions_fts (rowid, title, notes)
    SELECT new.seq, new.title, new.notes WHERE new.deleted = 0;
END;
CREATE TRIGGER interactions_fts_delete AFTER DELETE ON interactions BEGIN
    DELETE FROM interactions_fts WHERE rowid = old.seq;
END;

-- Index what existed before this migration.
{actor_index_insert("a")} FROM actors a WHERE a.deleted = 0;
INSERT INTO people_fts (rowid, name, email, notes)
    SELECT seq, first_name || ' ' || last_name, coalesce(email, ''), notes
    FROM people WHERE deleted = 0;
INSERT INTO interactions_fts (rowid, title, notes)
    SELECT seq, title, notes FROM interactions WHERE deleted = 0;
"""

# Indexes over live records: the people list sorted by name, relations by type
# (map filters), and cheap counts of both for the status bar.
LIVE_RECORD_INDEXES = """
CREATE INDEX people_by_name ON people (last_name, first_name) WHERE deleted = 0;
CREATE INDEX relations_by_type ON relations (type) WHERE deleted = 0;
"""

# Saved map views ("vues"): a filter (JSON of maps.filters.MapFilter) and an
# extent, in the order the user gave them. Synced records like the others, but
# private unless shared. Names are unique among live views in the code, not by
# an index: a view synced from another laptop may bring a homonym.
_PRIVATE_COMMON = _COMMON.replace("DEFAULT 'network'", "DEFAULT 'private'")

MAP_VIEWS = f"""
CREATE TABLE map_views (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (name <> ''),
    title TEXT NOT NULL DEFAULT '',
    filter TEXT NOT NULL DEFAULT '{{}}',
    south REAL CHECK (south IS NULL OR south BETWEEN -90 AND 90),
    west REAL CHECK (west IS NULL OR west BETWEEN -180 AND 180),
    north REAL CHECK (north IS NULL OR north BETWEEN -90 AND 90),
    east REAL CHECK (east IS NULL OR east BETWEEN -180 AND 180),
    position INTEGER NOT NULL DEFAULT 0,
    {_PRIVATE_COMMON},
    CHECK ((south IS NULL) = (west IS NULL) AND (west IS NULL) = (north IS NULL)
           AND (north IS NULL) = (east IS NULL))
);
CREATE INDEX map_views_by_position ON map_views (position, name) WHERE deleted = 0;
"""

# The map's kind filter reads only this index (seq is every index's row id):
# 16,000 of 50,000 actors in 7 ms instead of 30 ms through the table.
MAP_KIND_INDEX = """
CREATE INDEX actors_on_map ON actors (kind, latitude, longitude) WHERE deleted = 0;
"""

# The directory's details: legal identifiers of actors (SIREN, SIRET, RNA),
# the RGPD record of each person (legal basis, date and source of collection),
# and where a merged record went, so a merge travels as data (the loser is a
# tombstone pointing at the survivor).
DIRECTORY_DETAILS = """
ALTER TABLE actors ADD COLUMN siren TEXT;
ALTER TABLE actors ADD COLUMN siret TEXT;
ALTER TABLE actors ADD COLUMN rna TEXT;
ALTER TABLE actors ADD COLUMN merged_into TEXT;
ALTER TABLE people ADD COLUMN legal_basis TEXT;
ALTER TABLE people ADD COLUMN collected_on TEXT;
ALTER TABLE people ADD COLUMN collection_source TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN merged_into TEXT;
CREATE INDEX actors_by_siret ON actors (siret) WHERE siret IS NOT NULL AND deleted = 0;
CREATE INDEX actors_by_siren ON actors (siren) WHERE siren IS NOT NULL AND deleted = 0;
CREATE INDEX people_by_email ON people (email) WHERE email IS NOT NULL AND deleted = 0;
CREATE INDEX interactions_by_date ON interactions (date) WHERE deleted = 0;
"""

# The toolbox ("boîte à outils"): the network's guides, fiches, modèles,
# checklists and kits. An item keeps its stable UUID across versions; `seq` is
# the local row id the search index points at. `body` is the Markdown the
# reader renders, `body_text` its plain text, which is what gets indexed (no
# link targets or markup in snippets). Files (the item file and its images)
# are known by SHA-256, so the hub can publish them content-addressed.
# Favourites, recent and notes are local only and never synced; they hold no
# foreign key, so they outlive an item being replaced by a newer version.
TOOLBOX = f"""
CREATE TABLE toolbox_items (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    theme TEXT NOT NULL,
    type TEXT NOT NULL,
    audience TEXT NOT NULL DEFAULT '[]',
    duration TEXT,
    level TEXT,
    date TEXT NOT NULL,
    authors TEXT NOT NULL DEFAULT '[]',
    license TEXT NOT NULL DEFAULT '',
    related TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL CHECK (source IN ('bundled', 'hub')),
    path TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    -- The long texts last: reading a column walks the overflow pages of those before it.
    body_text TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX toolbox_items_by_theme ON toolbox_items (theme, type, title);
CREATE INDEX toolbox_items_by_type ON toolbox_items (type, title);

CREATE TABLE toolbox_files (
    item_id TEXT NOT NULL REFERENCES toolbox_items (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (item_id, path)
);

CREATE VIRTUAL TABLE toolbox_fts USING fts5 (
    title, summary, body_text,
    content = 'toolbox_items', content_rowid = 'seq',
    tokenize = '{_TOKENIZER}', prefix = '2 3'
);
-- A match in the title counts most, then the summary.
INSERT INTO toolbox_fts (toolbox_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)');

CREATE TRIGGER toolbox_fts_insert AFTER INSERT ON toolbox_items BEGIN
    INSERT INTO toolbox_fts (rowid, title, summary, body_text)
    VALUES (new.seq, new.title, new.summary, new.body_text);
END;
CREATE TRIGGER toolbox_fts_update AFTER UPDATE OF title, summary, body_text ON toolbox_items
BEGIN
    INSERT INTO toolbox_fts (toolbox_fts, rowid, title, summary, body_text)
    VALUES ('delete', old.seq, old.title, old.summary, old.body_text);
    INSERT INTO toolbox_fts (rowid, title, summary, body_text)
    VALUES (new.seq, new.title, new.summary, new.body_text);
END;
CREATE TRIGGER toolbox_fts_delete AFTER DELETE ON toolbox_items BEGIN
    INSERT INTO toolbox_fts (toolbox_fts, rowid, title, summary, body_text)
    VALUES ('delete', old.seq, old.title, old.summary, old.body_text);
END;

CREATE TABLE toolbox_favourites (
    item_id TEXT PRIMARY KEY,
    added_at TEXT NOT NULL
);
CREATE TABLE toolbox_recent (
    item_id TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL,
    position INTEGER NOT NULL  -- grows with each opening: clocks can tie
);
CREATE INDEX toolbox_recent_by_position ON toolbox_recent (position);
CREATE TABLE toolbox_notes (
    item_id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

# Sync with the hub (docs/SYNC.md), local only, never synced themselves:
# `sync_state` (this laptop's site id and clock, the hub's url, epoch and
# cursor, the clock offset, the last sync and its error); the outbox of fields
# to push, whose values are read at push time, so one row per field however
# often it changes (field '*' = the whole record: one appended row per new
# record, stamped when a sync starts); the stamp of each field's current value
# (WITHOUT ROWID: the key is the row); the losing values of concurrent edits;
# the changes the hub refused. The capture triggers (store/sync_triggers.py) were
# generated by companion.sync.capture and are frozen there as released (changing
# protocol.SYNCED_FIELDS needs a migration with triggers generated again); an
# actor's tags are captured inside the search index's actor_tags trigger, which
# bulk imports suspend.
SYNC = """
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT
);
INSERT INTO sync_state (key, value) VALUES
    ('site', lower(hex(randomblob(8)))),
    ('capture', '1'),
    ('offset_ms', '0'),
    ('cursor', '0');
INSERT INTO sync_state (key, value)
    SELECT 'clock', '0000000000000000-00000-' || value FROM sync_state WHERE key = 'site';

CREATE TABLE sync_outbox (
    n INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    id TEXT NOT NULL,
    field TEXT NOT NULL,
    hlc TEXT  -- NULL: a whole record not stamped yet
);
CREATE UNIQUE INDEX sync_outbox_fields ON sync_outbox (tbl, id, field) WHERE field <> '*';

CREATE TABLE sync_field_clocks (
    tbl TEXT NOT NULL,
    id TEXT NOT NULL,
    field TEXT NOT NULL,
    hlc TEXT NOT NULL,
    PRIMARY KEY (tbl, id, field)
) WITHOUT ROWID;

CREATE TABLE sync_conflicts (
    id INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    local_value TEXT,  -- JSON
    local_hlc TEXT NOT NULL,
    remote_value TEXT,  -- JSON
    remote_hlc TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved INTEGER NOT NULL DEFAULT 0 CHECK (resolved IN (0, 1))
);
CREATE INDEX sync_conflicts_open ON sync_conflicts (detected_at) WHERE resolved = 0;

CREATE TABLE sync_rejected (
    n INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
"""
SYNC += SYNC_TRIGGERS

# Each outbox row of a field keeps the stamp the field had before the first edit
# it stands for (`base`): the hub tells whether the edit overwrote a value this
# laptop never saw, and returns that value to be kept as a conflict (docs/SYNC.md).
SYNC_BASE = "ALTER TABLE sync_outbox ADD COLUMN base TEXT;\n" + SYNC_BASE_TRIGGERS

# Catalysts' public profiles (the Réseau section, companion/network/profiles.py):
# the hosting structure, the métiers practised (JSON list of domain.METIERS
# codes), the territory of action (JSON list of "commune:<insee>", "epci:<siren>",
# "departement:<code>", "region:<code>"), themes (JSON list of strings), a public
# contact and the missions. Synced records like the others; one live profile per
# catalyst actor is the code's rule, not an index's: two laptops may each create
# one offline, and the most recently updated is the one shown.
CATALYST_PROFILES = f"""
CREATE TABLE catalyst_profiles (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    actor_id TEXT NOT NULL REFERENCES actors (id),
    structure TEXT NOT NULL DEFAULT '',
    metiers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(metiers)),
    territories TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(territories)),
    themes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(themes)),
    public_contact TEXT NOT NULL DEFAULT '',
    missions TEXT NOT NULL DEFAULT '',
    {_COMMON}
);
CREATE INDEX catalyst_profiles_by_actor ON catalyst_profiles (actor_id) WHERE deleted = 0;
"""
CATALYST_PROFILES += CATALYST_PROFILES_TRIGGERS

# Territory profiles (companion.insights) count live actors by place and kind from
# this index alone, and find a territory's actors by INSEE code: a région of 50,000
# actors in about 25 ms instead of 50 ms for a table scan and a sort.
INSIGHTS_INDEXES = """
CREATE INDEX actors_by_place ON actors (insee_code, departement, kind) WHERE deleted = 0;
"""

# Stories (« récits », maps/stories.py): a map view record whose ``steps`` holds a
# JSON list of steps (each its title, text, filter, extent and highlighted actors)
# is a story; NULL for the views. The capture triggers of map_views are remade with
# the new field (capture.MAP_VIEW_FIELDS).
MAP_STORIES = """
ALTER TABLE map_views ADD COLUMN steps TEXT CHECK (steps IS NULL OR json_valid(steps));
"""
MAP_STORIES += MAP_STORIES_TRIGGERS

# The value a refused change carried (JSON; NULL for older refusals), shown beside the
# refusal: the laptop takes the network's value instead (docs/SYNC.md, "Scope").
SYNC_REFUSED_VALUES = """
ALTER TABLE sync_rejected ADD COLUMN value TEXT;
"""

# What each import wrote, kept on this laptop only (never synced): the directory shows an
# import's records, and undoes it as one step (``io/import_batches.py``). ``previous``
# holds an updated record's row as it was before (JSON), NULL for a record the import
# created.
IMPORT_BATCHES = """
CREATE TABLE import_batches (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    relations INTEGER NOT NULL DEFAULT 0,
    undone_at TEXT
);
CREATE TABLE import_batch_records (
    batch_id TEXT NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    tbl TEXT NOT NULL CHECK (tbl IN ('actors', 'people', 'affiliations', 'relations', 'zones')),
    record_id TEXT NOT NULL,
    previous TEXT CHECK (previous IS NULL OR json_valid(previous)),
    PRIMARY KEY (batch_id, tbl, record_id)
) WITHOUT ROWID;
"""
# A person's other phones and e-mails (directory/contact_details.py): a JSON list of
# {"kind": "phone"|"email", "label": "travail"|"mobile"|"domicile"|"autre", "value"},
# NULL when there are none; `email` and `phone` stay the primary ones (search,
# duplicates, older laptops). It syncs as one field: people's capture triggers are
# remade with it. The search index's `email` column now holds every e-mail and phone
# (French numbers also as 0XXXXXXXXX, as people type them), reindexed here.
_PEOPLE_CONTACT_TEXT = (
    "coalesce({ref}.email, '') || ' ' || coalesce({ref}.phone, '') || ' ' || "
    "CASE WHEN {ref}.phone LIKE '+33%' THEN '0' || substr({ref}.phone, 4) ELSE '' END || ' ' || "
    "coalesce((SELECT group_concat(CASE WHEN json_extract(c.value, '$.value') LIKE '+33%' "
    "THEN json_extract(c.value, '$.value') || ' 0' || substr(json_extract(c.value, '$.value'), 4) "
    "ELSE json_extract(c.value, '$.value') END, ' ') "
    "FROM json_each({ref}.other_contacts) c), '')"
)
CONTACT_DETAILS = f"""
ALTER TABLE people ADD COLUMN other_contacts TEXT
    CHECK (other_contacts IS NULL OR json_valid(other_contacts));

DROP TRIGGER people_fts_insert;
CREATE TRIGGER people_fts_insert AFTER INSERT ON people WHEN new.deleted = 0 BEGIN
    INSERT INTO people_fts (rowid, name, email, notes)
    VALUES (new.seq, new.first_name || ' ' || new.last_name,
            {_PEOPLE_CONTACT_TEXT.format(ref="new")}, new.notes);
END;
DROP TRIGGER people_fts_update;
CREATE TRIGGER people_fts_update AFTER UPDATE ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.seq;
    INSERT INTO people_fts (rowid, name, email, notes)
    SELECT new.seq, new.first_name || ' ' || new.last_name,
           {_PEOPLE_CONTACT_TEXT.format(ref="new")}, new.notes
    WHERE new.deleted = 0;
END;
DELETE FROM people_fts;
INSERT INTO people_fts (rowid, name, email, notes)
    SELECT p.seq, p.first_name || ' ' || p.last_name,
           {_PEOPLE_CONTACT_TEXT.format(ref="p")}, p.notes
    FROM people p WHERE p.deleted = 0;
"""
CONTACT_DETAILS += CONTACT_DETAILS_TRIGGERS
# Zones (io/zones.py): named areas and lines a map file brought (a perimeter, a quartier
# prioritaire, a project's area), drawn under the actors. Kept on this laptop only: no
# owner, no visibility, no capture triggers (docs/SYNC.md). ``geometry`` is a GeoJSON
# (Multi)LineString or (Multi)Polygon, ``style`` uMap's options (colour, weight…) as JSON.
ZONES = """
CREATE TABLE zones (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (name <> ''),
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    geometry TEXT NOT NULL CHECK (json_valid(geometry)),
    style TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(style)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
);
"""
