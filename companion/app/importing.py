"""Importing a file into the directory: check it (dry run), then write it after a backup.

The wizard runs each step in a background job that opens its own store on the
database file (SQLite's WAL lets the window keep reading while the import writes);
the command line runs the same steps on its one store.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from companion.i18n import _
from companion.io import sources
from companion.io.import_plan import BLANK, ImportPlan, ImportReport, Problem
from companion.io.people_import import PeoplePlan
from companion.io.textfile import TextFormat
from companion.store import Store

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    kind: str  # one of sources.KINDS
    text_format: TextFormat | None = None  # a CSV's encoding and delimiter; None: detected
    mapping: dict[int, str] | None = None  # a table's column index -> field; None: guessed
    default_kind: str = "autre"  # the kind of actor when the file does not say
    relation_type: str = "autre"  # a map file's lines between actors that do not say
    skip_invalid: bool = False  # import around the rows with problems (kept in a rejects file)
    blank_invalid: bool = False  # and save those that can be without their wrong values
    rejects: Path | None = None  # where they go; None: beside the file (io/rejects.py)
    # The wizard's choices: values typed over a table's cells (line -> field -> text), and
    # per row with problems, SKIP or BLANK (``io/import_plan.py``).
    corrections: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    decisions: Mapping[int, str] = field(default_factory=dict)
    skip_zones: bool = False  # a map file's areas and lines not between actors: not kept


@dataclass
class CheckResult:
    request: ImportRequest
    plan: ImportPlan | PeoplePlan

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems if isinstance(self.plan, ImportPlan) else []

    @property
    def creates(self) -> int:
        return self.plan.creates

    @property
    def updates(self) -> int:
        return self.plan.updates

    @property
    def skippable(self) -> bool:
        """Whether the rows without problems could be imported around the others."""
        return (
            isinstance(self.plan, ImportPlan)
            and bool(self.plan.problems)
            and self.plan.skippable
            and bool(
                self.plan.actors or self.plan.fallbacks or self.plan.zones or self.plan.relations
            )
        )

    def with_decisions(self, decisions: Mapping[int, str]) -> CheckResult:
        """The same check, to be imported around its problems as the user chose, row by row."""
        request = dataclasses.replace(self.request, decisions=dict(decisions))
        return dataclasses.replace(self, request=request)

    @property
    def undecided(self) -> list[int]:
        """The lines with problems the request says nothing about (which bar the import)."""
        request = self.request
        if request.skip_invalid or request.blank_invalid:
            return []
        lines = dict.fromkeys(problem.line for problem in self.problems)
        return [line for line in lines if line not in request.decisions]

    @property
    def around(self) -> bool:
        """Whether the import goes around the problems: every row with one is decided."""
        return bool(self.problems) and self.skippable and not self.undecided

    def kept_lines(self) -> set[int]:
        """The rows with problems to save without their wrong values (where they can be)."""
        if not isinstance(self.plan, ImportPlan):
            return set()
        if self.request.blank_invalid:
            return set(self.plan.fallbacks)
        chosen = self.request.decisions.items()
        return {line for line, choice in chosen if choice == BLANK and line in self.plan.fallbacks}

    @property
    def fallbacks(self) -> int:
        """Rows with problems that can be saved without their wrong values."""
        return len(self.plan.fallbacks) if isinstance(self.plan, ImportPlan) else 0

    @property
    def relations(self) -> int:
        """A map file's lines between actors, to become relations."""
        return len(self.plan.relations) if isinstance(self.plan, ImportPlan) else 0

    @property
    def set_aside(self) -> list[Problem]:
        """What a map file holds that is not imported (noted, never a refusal)."""
        return self.plan.set_aside if isinstance(self.plan, ImportPlan) else []

    @property
    def zones(self) -> int:
        """A map file's areas and lines to keep as zones."""
        return len(self.plan.zones) if isinstance(self.plan, ImportPlan) else 0

    @property
    def skipped_zones(self) -> int:
        """Those the user chose to skip."""
        return self.plan.skipped_zones if isinstance(self.plan, ImportPlan) else 0

    @property
    def is_people(self) -> bool:
        return isinstance(self.plan, PeoplePlan)

    def described_updates(self) -> list[str]:
        """One French line per record the import would update, saying what matched it."""
        reasons = {
            "id": _("même identifiant"),
            "email": _("même e-mail"),
            "siret": _("même SIRET"),
            "name": _("même nom") if self.is_people else _("même nom, même commune"),
        }
        if isinstance(self.plan, PeoplePlan):
            found = [(m.line, m.existing_name, m.match) for m in self.plan.matches]
        else:
            found = [(a.line, a.existing_name, a.match) for a in self.plan.actors if a.update]
        unit = _where(self)
        return [
            _("{where} : mise à jour de « {name} » ({reason})").format(
                where=unit(line), name=name, reason=reasons.get(match, match)
            )
            for line, name, match in found
        ]


def _where(result: CheckResult) -> Callable[[int], str]:
    if result.request.kind in (sources.GEOJSON, sources.GOGOCARTO):
        return lambda number: _("Élément {number}").format(number=number)
    return lambda line: _("Ligne {line}").format(line=line)


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    seconds: float
    backup: Path
    relations: int = 0
    rejected: int = 0  # rows left out, with their problems, in ``rejects``
    rejects: Path | None = None
    actor_ids: tuple[str, ...] = ()  # the actors it wrote: « Afficher les fiches importées »
    kept: int = 0  # rows with problems saved without their wrong values (« À vérifier »)
    batch_id: str = ""  # the import, remembered: shown, or undone, as one
    zones: int = 0  # a map file's areas and lines kept as zones


def check_file(
    database: Path,
    request: ImportRequest,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> CheckResult:
    """The dry run on a store of its own (for a background thread)."""
    store = Store.open(database)
    try:
        return check_with(store, request, progress, cancel)
    finally:
        store.close()


def check_with(
    store: Store,
    request: ImportRequest,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> CheckResult:
    """Read and check the whole file; nothing is written."""
    from companion.geo import Gazetteer

    path = request.path
    if request.kind in sources.PEOPLE_KINDS:
        return CheckResult(request, _plan_people(store, request))
    with Gazetteer.open() as gazetteer:
        if request.kind == sources.GEOJSON:
            from companion.io.geojson_io import plan_geojson

            plan = plan_geojson(
                store,
                gazetteer,
                path,
                request.default_kind,
                progress,
                cancel,
                relation_type=request.relation_type,
                zones=not request.skip_zones,
            )
        elif request.kind == sources.GOGOCARTO:
            from companion.io.gogocarto import plan_gogocarto

            plan = plan_gogocarto(store, gazetteer, path, request.default_kind, progress, cancel)
        else:
            from companion.io.actor_import import plan_import

            plan = plan_import(
                store,
                gazetteer,
                path,
                mapping=request.mapping,
                text_format=request.text_format,
                default_kind=request.default_kind,
                progress=progress,
                cancel=cancel,
                corrections=request.corrections,
            )
    return CheckResult(request, plan)


def _plan_people(store: Store, request: ImportRequest) -> PeoplePlan:
    from companion.io.contacts_csv import read_contacts
    from companion.io.people_import import plan_people
    from companion.io.vcard import read_cards

    if request.kind == sources.VCARD:
        cards = read_cards(request.path)
    else:
        cards = read_contacts(request.path)
    return plan_people(store, cards)


def import_checked(
    database: Path,
    checked: CheckResult,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportOutcome:
    """Back the database up, then write a clean plan in one transaction (on its own store)."""
    from companion.store.backups import IMPORT, make_backup

    store = Store.open(database)
    try:
        started = time.monotonic()
        backup = make_backup(store, None, IMPORT).path
        report = write_checked(store, checked, progress, cancel)
        return ImportOutcome(
            report.created,
            report.updated,
            time.monotonic() - started,
            backup,
            report.relations,
            report.rejected,
            report.rejects,
            report.actor_ids,
            report.kept,
            report.batch_id,
            report.zones,
        )
    finally:
        store.close()


def write_checked(
    store: Store,
    checked: CheckResult,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportReport:
    """Write a checked file; return what it created and updated. All or nothing."""
    report = _write(store, checked, progress, cancel)
    log.info(
        "import: %s, %d created, %d updated, %d relations, %d set aside, %d kept without "
        "wrong values, batch %s",
        checked.request.kind, report.created, report.updated, report.relations,
        report.rejected, report.kept, report.batch_id or "-",
    )  # fmt: skip
    return report


def _write(
    store: Store,
    checked: CheckResult,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> ImportReport:
    if isinstance(checked.plan, PeoplePlan):
        from companion.io.people_import import import_cards

        report = import_cards(store, checked.plan.cards, progress, cancel, checked.request.path)
        return ImportReport(report.created, report.updated, batch_id=report.batch_id)
    from companion.io.actor_import import apply_import

    request, plan = checked.request, checked.plan
    if not checked.around:
        return apply_import(store, plan, progress, cancel)
    from companion.io.rejects import default_rejects_path, write_rejects

    # The rows left out are written first: if that fails, nothing is imported; if the
    # import then fails, their file goes too (the source still holds them).
    rejects = request.rejects or default_rejects_path(request.path)
    kept = checked.kept_lines()
    rejected = write_rejects(plan, rejects, kept=kept)
    try:
        report = apply_import(store, plan, progress, cancel, around=True, kept=kept)
    except BaseException:
        rejects.unlink(missing_ok=True)
        raise
    if not rejected:
        rejects.unlink(missing_ok=True)
    return dataclasses.replace(
        report, rejected=rejected, rejects=rejects if rejected else None, kept=len(kept)
    )
