"""Hub test helpers: an HTTP client for the hub, a throwaway PostgreSQL cluster."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from needs import require, require_module

from companion.protocol.messages import PROTOCOL, PROTOCOL_HEADER


def client(base_url: str, token: str | None, protocol: str | None = str(PROTOCOL)):
    headers = {}
    if protocol is not None:
        headers[PROTOCOL_HEADER] = protocol
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=base_url, headers=headers, timeout=30)


# -- PostgreSQL ------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The folder of initdb/pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<v>/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Unavailable(Exception):
    """PostgreSQL cannot run here."""


def start_postgres() -> Cluster:
    """A throwaway cluster; where PostgreSQL cannot run, the test is skipped (or fails
    under COMPANION_TESTS_STRICT=1, see tests/needs.py)."""
    bin_dir = postgres_bin()
    require(
        bin_dir is not None,
        "PostgreSQL not installed (no initdb on PATH nor in /usr/lib/postgresql/*/bin); "
        "scripts/install-system-deps.sh installs it",
    )
    require_module("psycopg", "psycopg not installed (pip install 'psycopg[binary]')")
    try:
        return Cluster.start(bin_dir)
    except Unavailable as problem:
        require(False, f"PostgreSQL cannot run here: {problem}")
        raise  # not reached: require skipped or failed


@dataclass
class Cluster:
    """A PostgreSQL cluster in a temporary folder, trust auth on loopback only."""

    bin: Path
    folder: Path
    port: int
    as_user: list[str]

    @classmethod
    def start(cls, bin_dir: Path) -> Cluster:
        as_user: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root: run it as "postgres"
            runuser = shutil.which("runuser")
            if runuser is None or not _user_exists("postgres"):
                raise Unavailable("running as root, and no runuser or no 'postgres' user")
            as_user = [runuser, "-u", "postgres", "--"]
        folder = Path(tempfile.mkdtemp(prefix="companion-pg-"))
        if as_user:
            shutil.chown(folder, "postgres")
        cluster = cls(bin_dir, folder, _free_port(), as_user)
        cluster._run("initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                     "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        options = f"-p {cluster.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        cluster._run("pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "log"),
                     "-o", options, "-w", "start")  # fmt: skip
        return cluster

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.bin / program), *args],
            capture_output=True, text=True, cwd=self.folder,
        )  # fmt: skip
        if done.returncode:
            log = self.folder / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr}{done.stdout}{tail}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = "hub_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return name

    def copy_database(self, source: str, target: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {target} TEMPLATE {source}")

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
