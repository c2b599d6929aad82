"""Stories (« récits »): a workshop told as a sequence of steps on the map.

Each step is a saved map (a ``MapFilter``, an extent, the actors it highlights)
with a title and a few lines of text shown on screen. A story is a record of
``map_views`` whose ``steps`` column holds its steps as JSON (NULL for a view,
migration 0013): it syncs like the views (UUID, owner, visibility, timestamps,
tombstone), private unless shared, and its steps travel as one field, checked
against ``protocol.fields.story_steps`` at both ends. Highlighted actors are kept by
UUID (what travels); the page gets their local keys (``step_highlight``).
Qt-free: the Carte page, presentation mode and the handout use this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from companion.i18n import _
from companion.maps.filters import MapFilter, visible_actor_keys
from companion.maps.views import Bounds, check_bounds, filter_from_data, filter_to_data
from companion.protocol.fields import MAX_STEP_ACTORS, MAX_STEPS, STEP_TEXT_CHARS, STEP_TITLE_CHARS
from companion.store.records import new_id, now_iso
from companion.store.store import InvalidRecord
from companion.text import fold

if TYPE_CHECKING:
    import sqlite3

    from companion.store import Store


@dataclass(frozen=True)
class StoryStep:
    """One step: what the map shows, and the words said over it."""

    title: str = ""
    text: str = ""
    filter: MapFilter = field(default_factory=MapFilter)
    bounds: Bounds | None = None
    actors: tuple[str, ...] = ()  # highlighted actors' UUIDs


Steps = tuple[StoryStep, ...] | list[StoryStep]


@dataclass(frozen=True)
class Story:
    """A live story, as listed."""

    id: str
    name: str
    steps: tuple[StoryStep, ...]
    position: int
    shared: bool  # visibility "network": it goes to the hub at the next sync


# -- the steps as JSON ------------------------------------------------------------


def steps_to_json(steps: Steps) -> str:
    """The steps as compact JSON (the shape ``protocol.fields.story_steps`` checks)."""
    data = [
        {
            "title": step.title,
            "text": step.text,
            "filter": filter_to_data(step.filter),
            "bounds": None if step.bounds is None else list(step.bounds),
            "actors": list(step.actors),
        }
        for step in steps
    ]
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def steps_from_json(text: str) -> tuple[StoryStep, ...]:
    """The steps ``steps_to_json`` wrote. A step's part that cannot be read takes its
    default (a step synced from a newer version still shows); ValueError (French) when
    the text is not a list of steps at all."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise ValueError(_("Récit illisible : {error}").format(error=error)) from None
    if not isinstance(data, list):
        raise ValueError(_("Récit illisible : une liste d'étapes est attendue."))
    return tuple(_step(item) for item in data if isinstance(item, dict))


def _step(data: dict[str, Any]) -> StoryStep:
    title, text = data.get("title"), data.get("text")
    try:
        spec = filter_from_data(data.get("filter", {}))
    except ValueError:
        spec = MapFilter()
    try:
        bounds = check_bounds(data.get("bounds"))
    except InvalidRecord:
        bounds = None
    actors = data.get("actors")
    return StoryStep(
        title=title if isinstance(title, str) else "",
        text=text if isinstance(text, str) else "",
        filter=spec,
        bounds=bounds,
        actors=tuple(a for a in actors if isinstance(a, str)) if isinstance(actors, list) else (),
    )


def clean_step(step: StoryStep) -> StoryStep:
    """The step as it is saved: title on one line, text without trailing blanks, each
    highlighted actor once. InvalidRecord (French) past the limits the hub takes."""
    title = " ".join(step.title.split())
    text = "\n".join(line.rstrip() for line in step.text.strip().splitlines())
    if len(title) > STEP_TITLE_CHARS:
        raise InvalidRecord(
            _("Le titre d'une étape tient en {n} caractères.").format(n=STEP_TITLE_CHARS)
        )
    if len(text) > STEP_TEXT_CHARS:
        raise InvalidRecord(
            _("Le texte d'une étape tient en {n} caractères.").format(n=STEP_TEXT_CHARS)
        )
    actors = tuple(dict.fromkeys(step.actors))
    if len(actors) > MAX_STEP_ACTORS:
        raise InvalidRecord(
            _("Une étape met en évidence au plus {n} acteurs.").format(n=MAX_STEP_ACTORS)
        )
    return replace(step, title=title, text=text, bounds=check_bounds(step.bounds), actors=actors)


# -- reading ----------------------------------------------------------------------

_COLUMNS = "id, name, steps, position, visibility"
_STORIES_ONLY = "deleted = 0 AND steps IS NOT NULL"


def _story(row: tuple) -> Story:
    story_id, name, text, position, visibility = row
    try:
        steps = steps_from_json(text)
    except ValueError:  # a damaged row still lists (and can be fixed or deleted)
        steps = ()
    return Story(story_id, name, steps, int(position), visibility == "network")


def list_stories(store: Store) -> list[Story]:
    """The live stories, in the user's order."""
    sql = (
        f"SELECT {_COLUMNS} FROM map_views WHERE {_STORIES_ONLY} "
        "ORDER BY position, name COLLATE NOCASE"
    )
    return [_story(row) for row in store.conn.execute(sql)]


def get_story(store: Store, story_id: str) -> Story | None:
    """The live story with this id, or None."""
    sql = f"SELECT {_COLUMNS} FROM map_views WHERE id = ? AND {_STORIES_ONLY}"
    row = store.conn.execute(sql, (story_id,)).fetchone()
    return _story(row) if row else None


def _existing(store: Store, story_id: str) -> Story:
    story = get_story(store, story_id)
    if story is None:
        raise InvalidRecord(_("Récit introuvable : {id}").format(id=story_id))
    return story


# -- writing ----------------------------------------------------------------------


def _check_name(store: Store, name: str, story_id: str | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidRecord(_("Le nom du récit est obligatoire."))
    for story in list_stories(store):
        if story.id != story_id and (fold(story.name) or story.name) == (fold(name) or name):
            raise InvalidRecord(_("Un récit s'appelle déjà « {name} ».").format(name=story.name))
    return name


def create_story(store: Store, name: str) -> Story:
    """A new story without steps, last in the list, private."""
    name = _check_name(store, name, None)
    now = now_iso()
    story_id = new_id()
    with store.db.atomic():
        last = store.conn.execute(
            f"SELECT max(position) FROM map_views WHERE {_STORIES_ONLY}"
        ).fetchone()[0]
        store.db["map_views"].insert(
            {
                "id": story_id,
                "name": name,
                "title": name,
                "steps": "[]",
                "position": 0 if last is None else last + 1,
                "owner": store.member_id,
                "visibility": "private",
                "created_at": now,
                "updated_at": now,
            }
        )
    return _existing(store, story_id)


def _write(store: Store, story_id: str, **values: Any) -> None:
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    with store.db.atomic():
        cursor = store.db.execute(
            f"UPDATE map_views SET {assignments}, updated_at = :updated_at "
            f"WHERE id = :id AND {_STORIES_ONLY}",
            {**values, "updated_at": now_iso(), "id": story_id},
        )
        if cursor.rowcount == 0:
            raise InvalidRecord(_("Récit introuvable : {id}").format(id=story_id))


def _update(store: Store, story_id: str, **values: Any) -> Story:
    _write(store, story_id, **values)
    return _existing(store, story_id)


def rename_story(store: Store, story_id: str, name: str) -> Story:
    name = _check_name(store, name, story_id)
    return _update(store, story_id, name=name, title=name)


def share_story(store: Store, story_id: str, shared: bool) -> Story:
    """Shared: the story goes to the network at the next sync; else it stays here."""
    return _update(store, story_id, visibility="network" if shared else "private")


def delete_story(store: Store, story_id: str) -> None:
    """Tombstone the story: it leaves the list, and the deletion syncs."""
    _write(store, story_id, deleted=1)


def save_steps(store: Store, story_id: str, steps: Steps) -> Story:
    """Replace the story's steps (each cleaned and checked, see ``clean_step``)."""
    if len(steps) > MAX_STEPS:
        raise InvalidRecord(_("Un récit compte au plus {n} étapes.").format(n=MAX_STEPS))
    cleaned = tuple(clean_step(step) for step in steps)
    return _update(store, story_id, steps=steps_to_json(cleaned))


def add_step(store: Store, story_id: str, step: StoryStep, index: int | None = None) -> Story:
    """Insert ``step`` at ``index`` (at the end by default)."""
    steps = list(_existing(store, story_id).steps)
    steps.insert(len(steps) if index is None else max(0, min(index, len(steps))), step)
    return save_steps(store, story_id, steps)


def update_step(store: Store, story_id: str, index: int, step: StoryStep) -> Story:
    steps = list(_existing(store, story_id).steps)
    if not 0 <= index < len(steps):
        raise InvalidRecord(_("Étape introuvable : {n}").format(n=index + 1))
    steps[index] = step
    return save_steps(store, story_id, steps)


def move_step(store: Store, story_id: str, index: int, to: int) -> Story:
    """Put step ``index`` at position ``to`` (clamped)."""
    steps = list(_existing(store, story_id).steps)
    if not 0 <= index < len(steps):
        raise InvalidRecord(_("Étape introuvable : {n}").format(n=index + 1))
    step = steps.pop(index)
    steps.insert(max(0, min(to, len(steps))), step)
    return save_steps(store, story_id, steps)


def remove_step(store: Store, story_id: str, index: int) -> Story:
    steps = list(_existing(store, story_id).steps)
    if not 0 <= index < len(steps):
        raise InvalidRecord(_("Étape introuvable : {n}").format(n=index + 1))
    del steps[index]
    return save_steps(store, story_id, steps)


# -- on the map -------------------------------------------------------------------

_LINKS_SQL = """
SELECT s.seq, t.seq, r.type FROM relations r
JOIN actors s ON s.id = r.source_id
JOIN actors t ON t.id = r.target_id
WHERE r.deleted = 0 AND s.deleted = 0 AND t.deleted = 0
  AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL
  AND t.latitude IS NOT NULL AND t.longitude IS NOT NULL
  AND (r.source_id IN (SELECT value FROM json_each(:ids))
       OR r.target_id IN (SELECT value FROM json_each(:ids)))
ORDER BY r.seq
"""


def step_highlight(conn: sqlite3.Connection, step: StoryStep) -> dict[str, Any]:
    """What the page draws above the map for a step: the highlighted actors' keys
    (``actors``, those with a place that the step's filter shows) and their links to
    other actors shown (``links``: [source key, target key, relation type], the filter's
    relation types only)."""
    visible = visible_actor_keys(conn, step.filter)
    shown = None if visible is None else set(visible)
    ids = json.dumps(list(step.actors))
    rows = conn.execute(
        "SELECT seq FROM actors WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0"
        " AND latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY seq",
        (ids,),
    ).fetchall()
    keys = [row[0] for row in rows if shown is None or row[0] in shown]
    types = step.filter.relation_types
    links = []
    if keys:
        for source, target, kind in conn.execute(_LINKS_SQL, {"ids": ids}):
            if shown is not None and not (source in shown and target in shown):
                continue
            if types is not None and kind not in types:
                continue
            links.append([source, target, kind])
    return {"actors": keys, "links": links}


def step_counter(index: int, count: int) -> str:
    """« 2 / 5 »: where a step is in its story."""
    return _("{n} / {total}").format(n=index + 1, total=count)
