"""What the import wizard's pages have chosen so far, shared between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from companion.app.importing import CheckResult, ImportOutcome, ImportRequest
from companion.io import sources
from companion.io.textfile import TextFormat
from companion.store import Store

FILE, FORMAT, MAPPING, CHECK, IMPORT = range(5)  # the wizard's page ids


@dataclass
class ImportState:
    store: Store
    path: Path | None = None
    kind: str = sources.TABLE
    text_format: TextFormat | None = None  # a CSV's; None for other files
    headers: list[str] = field(default_factory=list)  # a table's, as read on the format page
    mapping: dict[int, str] | None = None
    layout_name: str = ""
    default_kind: str = "autre"
    relation_type: str = "autre"  # a map file's lines that name no type
    corrections: dict[int, dict[str, str]] = field(default_factory=dict)  # typed on the check
    skip_zones: bool = False  # a map file's other lines and areas: not kept as zones
    checked: CheckResult | None = None
    to_import: CheckResult | None = None  # the check, with the choices made for its problems
    outcome: ImportOutcome | None = None

    @property
    def is_actor_table(self) -> bool:
        return self.kind == sources.TABLE

    @property
    def imports_actors(self) -> bool:
        return self.kind not in sources.PEOPLE_KINDS

    def request(self) -> ImportRequest:
        assert self.path is not None
        return ImportRequest(
            self.path,
            self.kind,
            text_format=self.text_format if self.is_actor_table else None,
            mapping=self.mapping if self.is_actor_table else None,
            default_kind=self.default_kind,
            relation_type=self.relation_type,
            corrections=self.corrections if self.is_actor_table else {},
            skip_zones=self.skip_zones,
        )
