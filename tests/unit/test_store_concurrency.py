"""A user's write never fails because a background job committed meanwhile."""

from __future__ import annotations

import sqlite3

from companion.store import Store


def test_a_write_after_another_connection_committed_waits_instead_of_failing(tmp_path):
    store = Store.open(tmp_path / "companion.db")
    other = sqlite3.connect(tmp_path / "companion.db", isolation_level=None)
    try:
        with store.db.atomic():
            # A read first (sqlite-utils reads the schema before inserting): with a deferred
            # transaction the snapshot is taken here...
            store.conn.execute("SELECT count(*) FROM actors").fetchone()
            # ...a background job commits meanwhile (it waits for our lock: time out fast)...
            other.execute("PRAGMA busy_timeout = 50")
            try:
                other.execute("INSERT INTO settings (key, value) VALUES ('job', '1')")
                committed = True
            except sqlite3.OperationalError:
                committed = False  # our transaction already holds the write lock
            # ...and the write must still go through.
            store.conn.execute("INSERT INTO settings (key, value) VALUES ('user', '1')")
        assert not committed  # IMMEDIATE: the lock was ours from the start
        assert store.setting("user") == "1"
        with store.db.atomic():
            with store.db.atomic():  # nested blocks are savepoints
                store.add_actor("Bravelune", "association")
        assert store.count_actors() == 1
    finally:
        other.close()
        store.close()
