"""The local SQLite store (Qt-free): schema, migrations, records and full-text search."""

from companion.store.database import DatabaseCorrupt, SchemaTooNew, StoreError
from companion.store.records import Actor, Interaction, Person, Relation
from companion.store.search import SearchHit
from companion.store.store import Store

__all__ = [
    "Actor",
    "DatabaseCorrupt",
    "Interaction",
    "Person",
    "Relation",
    "SchemaTooNew",
    "SearchHit",
    "Store",
    "StoreError",
]
