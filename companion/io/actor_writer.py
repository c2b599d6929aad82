"""Writing planned actors in one transaction (the second half of an import)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from companion.i18n import _
from companion.io.import_plan import ImportRefused, ImportReport, PlannedActor
from companion.store import Store
from companion.store.records import new_id
from companion.text import fold

BATCH = 1000


def write_actors(
    store: Store,
    planned: list[PlannedActor],
    now: str,
    progress: Callable[[int, int, str], None] | None,
    cancel: threading.Event | None,
) -> ImportReport:
    """Insert the new actors, update the matched ones, attach tags; all or nothing."""
    total = len(planned)
    owner = store.member_id
    with store.db.atomic():
        # Tags go in before their actors (checked at commit), so each actor is
        # indexed for search once, with its tags, instead of once per tag.
        store.conn.execute("PRAGMA defer_foreign_keys = ON")
        tag_ids = _ensure_tags(store, {tag for actor in planned for tag in actor.tags}, now)
        for start in range(0, total, BATCH):
            if cancel is not None and cancel.is_set():
                # Raising inside atomic() rolls the whole import back.
                raise ImportRefused(_("Import annulé : rien n'a été enregistré."))
            batch = planned[start : start + BATCH]
            _write_batch(store, batch, tag_ids, now, owner)
            if progress:
                done = min(start + BATCH, total)
                progress(done, total, _("{done} / {total} acteurs").format(done=done, total=total))
    created = sum(1 for actor in planned if not actor.update)
    return ImportReport(created=created, updated=total - created)


def _write_batch(
    store: Store, batch: list[PlannedActor], tag_ids: dict[str, str], now: str, owner: str
) -> None:
    links = [(actor.actor_id, tag_ids[fold(tag)]) for actor in batch for tag in actor.tags]
    if links:
        store.conn.executemany(
            "INSERT OR IGNORE INTO actor_tags (actor_id, tag_id) VALUES (?, ?)", links
        )
    new_rows = []
    for actor in batch:
        values = {**actor.values, "sort_name": fold(actor.values["name"]), "updated_at": now}
        if actor.update:
            assignments = ", ".join(f"{key} = :{key}" for key in values)
            store.db.execute(
                f"UPDATE actors SET {assignments} WHERE id = :id", {**values, "id": actor.actor_id}
            )
        else:
            values.setdefault("visibility", "network")
            new_rows.append({"id": actor.actor_id, "owner": owner, "created_at": now, **values})
    if new_rows:
        store.db["actors"].insert_all(new_rows, batch_size=BATCH)


def _ensure_tags(store: Store, names: set[str], now: str) -> dict[str, str]:
    """Folded tag name -> tag id, creating the tags that do not exist yet."""
    existing = {
        fold(name): tag_id
        for tag_id, name in store.conn.execute("SELECT id, name FROM tags WHERE deleted = 0")
    }
    for name in sorted(names):
        if fold(name) not in existing:
            tag_id = new_id()
            store.db["tags"].insert(
                {
                    "id": tag_id,
                    "name": name,
                    "owner": store.member_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            existing[fold(name)] = tag_id
    return existing
