"""What an import would do: the planned actors and every problem found, by line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.errors import CompanionError
from companion.i18n import _
from companion.io.textfile import TextFormat

if TYPE_CHECKING:
    from companion.io.zones import PlannedZone


class ImportRefused(CompanionError):
    """The import cannot go ahead (problems in the file, or cancelled); nothing was written."""


@dataclass(frozen=True)
class Problem:
    line: int  # or the feature's number in a GeoJSON file (unit "feature")
    field: str  # the field's French label, or "" for the whole line
    message: str
    unit: str = "line"

    def __str__(self) -> str:
        if self.unit == "feature":
            if self.field:
                return _("Élément {number}, {field} : {message}").format(
                    number=self.line, field=_(self.field), message=self.message
                )
            return _("Élément {number} : {message}").format(number=self.line, message=self.message)
        if self.field:
            return _("Ligne {line}, {field} : {message}").format(
                line=self.line, field=_(self.field), message=self.message
            )
        return _("Ligne {line} : {message}").format(line=self.line, message=self.message)


@dataclass
class PlannedActor:
    line: int
    actor_id: str
    values: dict[str, Any]
    tags: list[str]
    update: bool  # False: a new actor
    match: str = ""  # what matched an existing actor: "id", "siret", "email" or "name"
    existing_name: str = ""  # the matched actor's name as it is in the directory


# What the user chose for a row with problems (the import wizard, or a command's option).
SKIP = "skip"  # left out, into the rejects file
BLANK = "blank"  # saved without its wrong values, tagged « À vérifier »


@dataclass(frozen=True)
class PlannedRelation:
    line: int  # the feature's number in a map file
    source_id: str
    target_id: str
    type: str


@dataclass
class ImportPlan:
    path: Path
    text_format: TextFormat
    headers: list[str]
    mapping: dict[int, str]
    actors: list[PlannedActor] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # A map file's lines between actors (io/geo_features.py), and what it set aside: noted,
    # never a reason to refuse the file.
    relations: list[PlannedRelation] = field(default_factory=list)
    set_aside: list[Problem] = field(default_factory=list)
    # Its other lines and areas, kept as zones (io/zones.py), or how many were skipped.
    zones: list[PlannedZone] = field(default_factory=list)
    skipped_zones: int = 0
    # A row with problems, as it would be saved without its wrong values (tagged
    # « À vérifier »), by line: what an import around the problems may keep.
    fallbacks: dict[int, PlannedActor] = field(default_factory=dict)
    # The cells (field -> text) of each row with problems, as checked: the wizard shows
    # them to be corrected; and the lines the user's corrections changed.
    cells: dict[int, dict[str, str]] = field(default_factory=dict)
    corrected: set[int] = field(default_factory=set)

    @property
    def creates(self) -> int:
        return sum(1 for actor in self.actors if not actor.update)

    @property
    def skippable(self) -> bool:
        """Whether every problem is a row's, so the rows without one can be imported (a
        file whose header is wrong cannot be imported around it)."""
        return all(problem.line > 1 or problem.unit == "feature" for problem in self.problems)

    @property
    def updates(self) -> int:
        return sum(1 for actor in self.actors if actor.update)


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    relations: int = 0  # drawn as lines in a map file
    rejected: int = 0  # rows left out with their problems (an import around them)
    rejects: Path | None = None  # the file holding them
    actor_ids: tuple[str, ...] = ()  # the actors written (created or updated)
    kept: int = 0  # rows with problems saved without their wrong values (« À vérifier »)
    batch_id: str = ""  # what it wrote, remembered (``io/import_batches.py``)
    zones: int = 0  # a map file's areas and lines kept as zones
