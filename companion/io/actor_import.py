"""Importing actors from a spreadsheet: a dry run that lists every problem, then one transaction.

Nothing is written unless the whole file is clean: ``plan_import`` reads and checks
every row (by line and field, in French) and decides, for each, whether it creates
an actor or updates one already there (same id, same e-mail, or same name in the
same commune), so that importing a file twice duplicates nothing. ``apply_import``
then writes the plan in a single transaction, or nothing at all.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.geo import Gazetteer
from companion.i18n import _
from companion.io import actor_fields as fields
from companion.io.actor_writer import write_actors
from companion.io.cells import import_text
from companion.io.import_batches import previous_rows, record_batch
from companion.io.import_plan import (
    ImportPlan,
    ImportRefused,
    ImportReport,
    PlannedActor,
    PlannedRelation,
    Problem,
)
from companion.io.places import PlaceResolver
from companion.io.sources import open_table
from companion.io.textfile import Record, TextFormat
from companion.store import Store
from companion.store.records import new_id, now_iso
from companion.text import fold

if TYPE_CHECKING:
    from companion.geo.addresses import AddressIndex

Progress = Callable[[int, int, str], None]
PRELOAD_BYTES = 256 * 1024  # about 2,000 rows: from there, load the gazetteer's indexes once
PROGRESS_ROWS = 250
# The tag of a record imported without its wrong values: a tag is shared data, and the
# network's tags are French.
REVIEW_TAG = "À vérifier"
PLACE_LABELS = {"Commune", "Code INSEE", "Code postal"}
PLACE_KEYS = ("postcode", "commune", "insee_code")


def plan_import(
    store: Store,
    gazetteer: Gazetteer,
    path: Path,
    mapping: dict[int, str] | None = None,
    text_format: TextFormat | None = None,
    default_kind: str = "autre",
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    corrections: Mapping[int, Mapping[str, str]] | None = None,
) -> ImportPlan:
    """Read and check the whole file; the plan lists what would change and every problem.

    ``progress(done, 0, message)`` is called every few hundred rows (the total is not
    known before the end); a set ``cancel`` stops the check with ``ImportRefused``.
    ``corrections``: line -> field -> text the user typed in the wizard over the file's
    cells (the file itself is never changed).
    """
    path = Path(path)
    text_format, header, records = open_table(path, text_format)
    headers = [cell.strip() for cell in header.cells]
    mapping = fields.guess_mapping(headers) if mapping is None else mapping
    plan = ImportPlan(path, text_format, headers, mapping)
    if "name" not in mapping.values():
        plan.problems.append(
            Problem(
                1, "", _("aucune colonne ne donne le nom des acteurs (colonne « Nom » attendue)")
            )
        )
        return plan
    checker = RowChecker(
        store, gazetteer, default_kind, preload=path.stat().st_size > PRELOAD_BYTES
    )
    checker.addresses = open_addresses(store, gazetteer)
    try:
        _check_rows(plan, checker, records, mapping, progress, cancel, corrections or {})
    finally:
        if checker.addresses is not None:
            checker.addresses.close()
    return plan


def _check_rows(
    plan: ImportPlan,
    checker: RowChecker,
    records: Iterator[Record],
    mapping: dict[int, str],
    progress: Progress | None,
    cancel: threading.Event | None,
    corrections: Mapping[int, Mapping[str, str]],
) -> None:
    for count, record in enumerate(records, start=1):
        if not any(cell.strip() for cell in record.cells):
            continue  # blank lines are common at the end of exported sheets
        cells = _cells_by_field(record.cells, mapping)
        corrected = corrections.get(record.line)
        if corrected:
            cells.update(corrected)
            plan.corrected.add(record.line)
        before = len(plan.problems)
        planned = checker.check(record.line, cells, plan.problems)
        if planned is not None:
            plan.actors.append(planned)
        else:
            plan.cells[record.line] = cells  # shown, to be corrected, in the wizard
            fallback = without_wrong_values(checker, record.line, cells, plan.problems[before:])
            if fallback is not None:
                plan.fallbacks[record.line] = fallback
        if count % PROGRESS_ROWS == 0:
            check_cancel(cancel)
            if progress:
                progress(count, 0, _("{count} lignes vérifiées").format(count=count))


def without_wrong_values(
    checker: RowChecker, line: int, cells: dict[str, str], problems: list[Problem]
) -> PlannedActor | None:
    """The row as it would be saved without the values its problems name, tagged
    « À vérifier »; None when it cannot be (no name, a duplicate, a whole-row problem)."""
    labels = {problem.field for problem in problems}
    if not problems or "" in labels or fields.FIELDS_BY_KEY["name"].label in labels:
        return None
    wrong = {field.key for field in fields.FIELDS if field.label in labels}
    if labels & PLACE_LABELS:  # a place is the postcode, the commune and the INSEE code
        wrong.update(PLACE_KEYS)
    again: list[Problem] = []
    planned = checker.check(line, {k: v for k, v in cells.items() if k not in wrong}, again)
    if planned is None or again:
        return None
    planned.tags.append(REVIEW_TAG)
    return planned


def open_addresses(store: Store, gazetteer: Gazetteer) -> AddressIndex | None:
    """The store's data folder's address index, if one was imported."""
    from companion.geo.addresses import AddressIndex, AddressIndexMissing

    try:
        return AddressIndex.open(Path(store.path).parent, gazetteer)
    except AddressIndexMissing:
        return None


def check_cancel(cancel: threading.Event | None) -> None:
    """Stop a dry run that was cancelled (nothing has been written by then)."""
    if cancel is not None and cancel.is_set():
        raise ImportRefused(_("Vérification annulée."))


def _cells_by_field(cells: list[str], mapping: dict[int, str]) -> dict[str, str]:
    return {key: import_text(cells[index]) for index, key in mapping.items() if index < len(cells)}


class RowReader:
    """Reads one row's values (field -> text), each checked, its place resolved offline;
    with no store: the import wizard re-checks a corrected row with it as the user types."""

    def __init__(self, gazetteer: Gazetteer, default_kind: str, preload: bool = False) -> None:
        self.places = PlaceResolver(gazetteer, preload)
        self.default_kind = default_kind
        # The data folder's street addresses, when imported: an actor is placed at its
        # address rather than its commune's centre (``geo/addresses.py``).
        self.addresses: AddressIndex | None = None

    def problems(self, line: int, cells: dict[str, str]) -> list[Problem]:
        """What is wrong with the row's values (not whether it duplicates another)."""
        found: list[Problem] = []
        self._values(line, cells, found)
        return found

    def _values(self, line: int, cells: dict[str, str], found: list[Problem]) -> dict[str, Any]:
        values: dict[str, Any] = {}

        def parse(key: str, parser: Callable[[str], Any]) -> None:
            text = cells.get(key, "")
            if not text:
                return
            try:
                values[key] = parser(text)
            except fields.ValueProblem as problem:
                found.append(Problem(line, fields.FIELDS_BY_KEY[key].label, str(problem)))

        if not cells.get("name"):
            found.append(Problem(line, fields.FIELDS_BY_KEY["name"].label, _("valeur manquante")))
        else:
            values["name"] = cells["name"]
        values["kind"] = self.default_kind
        parse("kind", fields.parse_kind)
        parse("visibility", fields.parse_visibility)
        for key, parser in fields.CHECKED_PARSERS.items():  # e-mail, phone, SIREN, SIRET, RNA
            parse(key, parser)
        parse("postcode", fields.parse_postcode)
        parse("latitude", lambda text: fields.parse_decimal(text, -90, 90))
        parse("longitude", lambda text: fields.parse_decimal(text, -180, 180))
        for key in ("description", "address", "website"):
            if cells.get(key):
                values[key] = cells[key]
        try:
            fields.complete_legal_ids(values)
        except fields.ValueProblem as problem:
            found.append(Problem(line, fields.FIELDS_BY_KEY["siret"].label, str(problem)))
        self._place(line, cells, values, found)
        return values

    def _place(self, line: int, cells: dict[str, str], values: dict[str, Any], found: list) -> None:
        postcode = values.get("postcode", "")
        if cells.get("postcode") and not postcode:
            return  # already reported as an invalid postcode
        try:
            commune = self.places.resolve(
                cells.get("insee_code", ""), postcode, cells.get("commune", "")
            )
        except fields.ValueProblem as problem:
            label = "Code INSEE" if cells.get("insee_code") else "Commune"
            found.append(Problem(line, label, str(problem)))
            return
        if commune is None and "latitude" in values and "longitude" in values:
            # Only a point (a map export): the commune is found offline from it.
            commune = self.places.gazetteer.reverse(values["latitude"], values["longitude"])
        if commune is None:
            return
        values.update(
            insee_code=commune.insee, commune=commune.name, departement=commune.departement
        )
        if self.addresses is not None and cells.get("address") and "latitude" not in values:
            found = self.addresses.lookup(cells["address"].splitlines()[0], commune.insee)
            if found is not None:
                values.update(latitude=found.latitude, longitude=found.longitude)
        values.setdefault("postcode", commune.postcodes[0] if commune.postcodes else None)
        values.setdefault("latitude", commune.latitude)
        values.setdefault("longitude", commune.longitude)


class RowChecker(RowReader):
    """Checks one row at a time and matches it against the store's actors."""

    def __init__(
        self,
        store: Store,
        gazetteer: Gazetteer,
        default_kind: str,
        preload: bool = False,
        match_within_file: bool = True,
    ) -> None:
        """``match_within_file=False``: rows carry their own ids (a GoGoCarto export), so two
        rows with the same name or e-mail are two actors, not a duplicate."""
        super().__init__(gazetteer, default_kind, preload)
        self.match_within_file = match_within_file
        self.by_id: set[str] = set()
        self.by_email: dict[str, str] = {}  # lower-cased e-mail -> actor id
        self.by_siret: dict[str, str] = {}
        self.by_name_place: dict[tuple[str, str], str] = {}
        self.names: dict[str, str] = {}  # id -> name, of the actors already in the store
        for actor_id, name, email, siret, sort_name, insee in store.conn.execute(
            "SELECT id, name, email, siret, sort_name, coalesce(insee_code, '') "
            "FROM actors WHERE deleted = 0"
        ):
            self.by_id.add(actor_id)
            self.names[actor_id] = name
            if email:
                self.by_email[email.lower()] = actor_id
            if siret:
                self.by_siret[siret] = actor_id
            self.by_name_place[(sort_name, insee)] = actor_id
        self.seen_in_file: dict[str, int] = {}  # actor id -> first line that planned it

    def check(
        self, line: int, cells: dict[str, str], problems: list[Problem]
    ) -> PlannedActor | None:
        found: list[Problem] = []
        values = self._values(line, cells, found)
        if found:
            problems.extend(found)
            return None
        actor_id, match = self._match(values, cells.get("id", ""))
        first = self.seen_in_file.get(actor_id)
        if first is not None:
            problems.append(Problem(line, "", _("doublon de la ligne {line}").format(line=first)))
            return None
        self.seen_in_file[actor_id] = line
        self._remember(actor_id, values)
        tags = fields.parse_tags(cells.get("tags", ""))
        existing = self.names.get(actor_id, "")
        return PlannedActor(line, actor_id, values, tags, bool(match), match, existing)

    def _remember(self, actor_id: str, values: dict[str, Any]) -> None:
        """Later rows of the same file that mean this actor are duplicates, not new actors."""
        self.by_id.add(actor_id)
        if not self.match_within_file:
            return
        if values.get("email"):
            self.by_email[values["email"].lower()] = actor_id
        if values.get("siret"):
            self.by_siret[values["siret"]] = actor_id
        self.by_name_place[(fold(values["name"]), values.get("insee_code", ""))] = actor_id

    def _match(self, values: dict[str, Any], given_id: str) -> tuple[str, str]:
        """The actor's id and what matched it ("id", "siret", "email", "name"; "" if new)."""
        if given_id and given_id in self.by_id:
            return given_id, "id"
        siret = values.get("siret")
        if siret and siret in self.by_siret:
            return self.by_siret[siret], "siret"
        email = (values.get("email") or "").lower()
        if email and email in self.by_email:
            return self.by_email[email], "email"
        key = (fold(values["name"]), values.get("insee_code", ""))
        if key in self.by_name_place:
            return self.by_name_place[key], "name"
        return (given_id if _is_uuid(given_id) else new_id()), ""


def _is_uuid(text: str) -> bool:
    """Only a UUID may become a new actor's id: a row number from a sheet would collide."""
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def apply_import(
    store: Store,
    plan: ImportPlan,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    around: bool = False,
    kept: Collection[int] = (),
) -> ImportReport:
    """Write a clean plan in one transaction; on any problem or cancel, nothing is written.
    ``around``: the rows with problems are left out (``io/rejects.py`` keeps them), but
    for the ``kept`` lines: saved without their wrong values (``plan.fallbacks``), tagged
    « À vérifier ». Never when a problem is the file's own (its header)."""
    if plan.problems and not (around and plan.skippable):
        raise ImportRefused(
            _("« {path} » n'est pas importé : {count} problème(s) à corriger d'abord.").format(
                path=plan.path, count=len(plan.problems)
            )
        )
    actors = plan.actors + [plan.fallbacks[line] for line in kept if line in plan.fallbacks]
    from companion.io.zones import write_zones

    with store.db.atomic():
        # The import is remembered as a batch, in its own transaction (``import_batches``).
        previous = previous_rows(store, (actor.actor_id for actor in actors if actor.update))
        report = write_actors(store, actors, now_iso(), progress, cancel)
        relations = _write_relations(store, plan.relations)
        zones = write_zones(store, plan.zones)
        created = (actor.actor_id for actor in actors if not actor.update)
        batch_id = record_batch(
            store, plan.path, created, previous, relations,
            also_created=[("zones", zone_id) for zone_id in zones],
        )  # fmt: skip
    return dataclasses.replace(
        report, relations=len(relations), batch_id=batch_id, zones=len(zones)
    )


def _write_relations(store: Store, relations: list[PlannedRelation]) -> list[str]:
    """The map file's relations that are not in the directory yet; the ids of those added."""
    from companion.directory.editing import relation_exists

    added = []
    for relation in relations:
        if not relation_exists(store.conn, relation.source_id, relation.target_id, relation.type):
            drawn = store.add_relation(relation.source_id, relation.target_id, relation.type)
            added.append(drawn.id)
    return added
