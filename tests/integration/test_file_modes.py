"""Data folders are their user's alone, on the laptop and on the hub: folders 0700, files
0600 (databases with their -wal/-shm, the log, backups, archives written there, the hub's
files), whatever the umask; looser ones are tightened when the folder is opened. Exports
written elsewhere keep the usual modes. POSIX only: Windows has no such modes."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from needs import has_module

from companion.toolbox.items import bundle_root

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")

UMASK = 0o022  # the usual one: files 0644 and folders 0755 unless asked otherwise


def loose(folder: Path) -> list[str]:
    """Every folder not 0700 and every file not 0600 under ``folder`` (itself included)."""
    found = []
    if Path(folder).stat().st_mode & 0o777 != 0o700:
        found.append(f"{folder} {oct(Path(folder).stat().st_mode & 0o777)}")
    for root, folders, files in os.walk(folder):
        for name in folders:
            mode = os.lstat(Path(root) / name).st_mode & 0o777
            if mode != 0o700:
                found.append(f"{Path(root) / name}/ {oct(mode)}")
        for name in files:
            mode = os.lstat(Path(root) / name).st_mode & 0o777
            if mode != 0o600:
                found.append(f"{Path(root) / name} {oct(mode)}")
    return found


def environment() -> dict[str, str]:
    return {**os.environ, "COMPANION_KEYRING": "0", "COMPANION_LANG": "fr"}


def run(*args: str, module: str = "companion") -> str:
    """A command in a process of its own under ``UMASK``; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        umask=UMASK,
        env=environment(),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, deadline: float = 60.0) -> None:
    limit = time.monotonic() + deadline
    while time.monotonic() < limit:
        assert process.poll() is None, process.stderr.read()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # polling a port: the hub's start-up has no signal to wait on
    raise AssertionError("the hub did not start")


def test_what_the_commands_write_into_data_folders_is_private(tmp_path):
    laptop, other, joined, hub = (tmp_path / n for n in ("portable", "autre", "rejoint", "hub"))
    run("demo", "--catalysts", "12", "--actors", "120", "--data", laptop)
    # Files of the data folder made by hand, with the umask's modes: tightened by the next
    # command, then carried by the archive into another folder, created private there.
    (laptop / "boiteaoutils" / "fiche-1" / "images").mkdir(parents=True)
    (laptop / "boiteaoutils" / "fiche-1" / "images" / "schema.svg").write_text("<svg/>")
    first = json.loads(run("backup", "--data", laptop))["file"]
    source = tmp_path / "acteurs.csv"
    source.write_text("Nom;Type;Commune\nRessourcerie;association;Lyon\n", encoding="utf-8")
    run("import", source, "--data", laptop)
    run("export", "--format", "archive", "--out", laptop / "export.zip", "--data", laptop)
    run("import-archive", laptop / "export.zip", "--data", other)
    run("restore", first, "--data", laptop)
    log = (  # the app's log, as the window sets it up
        "import logging; from pathlib import Path; from companion.logs import setup_logging; "
        f"setup_logging(Path({str(laptop)!r})); logging.getLogger('essai').warning('bonjour')"
    )
    subprocess.run([sys.executable, "-c", log], check=True, umask=UMASK, env=environment())
    if has_module("sqlcipher3"):
        key = tmp_path / "cle.txt"
        key.write_text("phrase de passe des tests\n", encoding="utf-8")
        run("encrypt", "--key-file", key, "--data", laptop)
        run("backup", "--key-file", key, "--data", laptop)

    token = run("member", "add", "Alice", "--data", hub, module="companion.hub.cli")
    token_file = tmp_path / "jeton.txt"
    token_file.write_text(token.strip().splitlines()[-1] + "\n", encoding="utf-8")
    toolbox = tmp_path / "boite"
    shutil.copytree(bundle_root(), toolbox)
    item = toolbox / "items" / "guide-etapes-alliance.md"
    run("toolbox", "publish", item, "--data", hub, module="companion.hub.cli")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "companion.hub.cli", "serve", "--port", str(port), "--data", hub],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        umask=UMASK,
        env=environment(),
    )
    try:
        wait_for_port(port, server)
        url = f"http://127.0.0.1:{port}"
        run("sync", "--hub", url, "--token-file", token_file, "--insecure", "--data", joined)
    finally:
        server.terminate()
        server.wait(timeout=60)
        server.stderr.close()

    assert (laptop / "companion.db").is_file() and (laptop / "export.zip").is_file()
    assert len(list((laptop / "sauvegardes").iterdir())) >= 3
    assert (laptop / "journaux" / "companion.log").is_file()
    assert (other / "boiteaoutils" / "fiche-1" / "images" / "schema.svg").is_file()
    assert (joined / "jeton-hub").is_file() and any((joined / "boiteaoutils").rglob("*.md"))
    assert (hub / "hub.db").is_file() and (hub / "hub-seq.json").is_file()
    assert len(list((hub / "fichiers").iterdir())) == 2
    for folder in (laptop, other, joined, hub):
        assert loose(folder) == [], folder


def test_loose_modes_are_tightened_when_a_folder_is_opened(tmp_path, capsys):
    from companion.cli import main
    from companion.hub.storage import HubStore
    from companion.store import Store, backups

    folder = tmp_path / "donnees"
    folder.mkdir()
    store = Store.open(folder / "companion.db")
    backups.make_backup(store, folder, backups.MANUAL)
    store.close()
    (folder / "journaux").mkdir()
    (folder / "journaux" / "companion.log.1").write_text("ancien\n")
    (folder / "tiles-osm.mbtiles").write_bytes(b"cache")
    mine = folder / "notes-personnelles.txt"  # not Companion's: left as it is
    mine.write_text("à moi\n")
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert main(["search", "x", "--data", str(folder)]) == 0
    mine.chmod(0o600)
    assert loose(folder) == []
    mine.chmod(0o644)
    assert main(["search", "x", "--data", str(folder)]) == 0
    assert mine.stat().st_mode & 0o777 == 0o644

    hub = tmp_path / "hub"
    HubStore.open(hub).close()
    (hub / "fichiers").mkdir()
    (hub / "fichiers" / "abc").write_bytes(b"x")
    for path in [hub, *hub.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    HubStore.open(hub).close()
    assert loose(hub) == []


def test_the_log_and_its_rotated_files_are_private(tmp_path):
    from companion.logs import RotatingFile, setup_logging

    previous = os.umask(UMASK)
    root = logging.getLogger()
    try:
        path = setup_logging(tmp_path)
        logging.getLogger("essai").warning("bonjour")
        rotating = RotatingFile(tmp_path / "journaux" / "petit.log", 200, 2)
        rotating.setFormatter(logging.Formatter("%(message)s"))
        for n in range(20):
            rotating.emit(logging.makeLogRecord({"msg": f"ligne {n} " + "x" * 50}))
        rotating.close()
    finally:
        os.umask(previous)
        for handler in list(root.handlers):
            if handler.get_name() == "companion-file":
                root.removeHandler(handler)
                handler.close()
    assert path.is_file() and (tmp_path / "journaux" / "petit.log.2").is_file()
    assert loose(tmp_path / "journaux") == []


def test_an_archive_written_outside_the_data_folder_keeps_the_usual_modes(tmp_path):
    from companion.app.archive import export_archive
    from companion.store import Store

    folder = tmp_path / "donnees"
    folder.mkdir()
    Store.open(folder / "companion.db").close()
    previous = os.umask(UMASK)
    try:
        documents = export_archive(folder / "companion.db", tmp_path / "Documents" / "a.zip")
        inside = export_archive(folder / "companion.db", folder / "a.zip")
    finally:
        os.umask(previous)
    assert documents.path.stat().st_mode & 0o777 == 0o644
    assert inside.path.stat().st_mode & 0o777 == 0o600
