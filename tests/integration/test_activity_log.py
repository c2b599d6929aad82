"""The log says what the app did (start, imports, exports, backups, syncs, failures) so that
« envoyez-nous le journal » helps, and never a record's values."""

from __future__ import annotations

import logging

import httpx
import pytest
from sync_helpers import FakeHub

from companion.app.importing import ImportRequest, check_with, write_checked
from companion.io import sources
from companion.io.directory_export import export_directory
from companion.io.import_batches import undo_batch
from companion.logs import log_path, setup_logging
from companion.store.backups import IMPORT, make_backup
from companion.sync.client import SyncClient, SyncError

PERSONAL = ("Jardin des Lilas", "lilas@exemple.fr", "06 12 34 56 78", "Fontenay")


@pytest.fixture
def logged(store):
    data_dir = store.path.parent
    setup_logging(data_dir)
    yield log_path(data_dir)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "companion-file":
            root.removeHandler(handler)
            handler.close()


def test_the_day_is_in_the_log_without_personal_values(store, logged, tmp_path):
    source = tmp_path / "acteurs.csv"
    source.write_bytes(
        "Nom;Code postal;Commune;Courriel;Téléphone\r\n"
        "Jardin des Lilas;94120;Fontenay-sous-Bois;lilas@exemple.fr;06 12 34 56 78\r\n"
        "Atelier;94120;Fontenay-sous-Bois;pas-un-courriel;\r\n".encode("cp1252")
    )
    make_backup(store, None, IMPORT)
    checked = check_with(store, ImportRequest(source, sources.TABLE, decisions={3: "skip"}))
    report = write_checked(store, checked)
    export_directory(store, "csv", tmp_path / "export.csv")
    undo_batch(store, report.batch_id)
    hub = FakeHub()
    SyncClient(store, "https://hub.example.org", hub.token, transport=hub.transport()).sync()
    hub.failures = [httpx.ConnectError("refusé")] * 5
    with pytest.raises(SyncError):
        SyncClient(
            store, "https://hub.example.org", hub.token, transport=hub.transport(),
            sleep=lambda _s: None,
        ).sync()  # fmt: skip

    text = logged.read_text(encoding="utf-8")
    assert "backup import" in text
    assert "import: table, 1 created, 0 updated, 0 relations, 1 set aside" in text
    assert f"batch {report.batch_id}" in text
    assert "export: csv, 1 records" in text
    assert f"import batch {report.batch_id} undone: 1 removed" in text
    assert "sync: " in text and " sent, " in text
    assert "sync failed: SyncError" in text
    for value in PERSONAL:
        assert value not in text
