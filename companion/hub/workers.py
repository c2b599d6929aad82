"""Several hub processes over one database (``companion-hub serve --workers N``).

uvicorn starts each worker in a fresh process and builds its app by calling
:func:`worker_app`, which reads the serving options the parent left in the
environment (a worker cannot be handed objects). Every worker opens its own
store; what keeps them consistent is the database: the sequence counter is read
under a write lock (SQLite: ``BEGIN IMMEDIATE``, across processes; PostgreSQL:
``SELECT … FOR UPDATE``), so changes are numbered, and become visible, in order
whichever process accepted them. Hub instances on several machines serving one
PostgreSQL database work the same way (docs/SYNC.md, "Several processes").
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from starlette.types import ASGIApp

CONFIG_ENV = "COMPANION_HUB_WORKER_CONFIG"


@dataclass(frozen=True)
class WorkerConfig:
    """What each worker needs to build the same app as the others."""

    data: str
    database_url: str | None
    push_rate: float
    push_burst: int

    def export(self) -> None:
        """Leave the options where the workers (child processes) will read them."""
        os.environ[CONFIG_ENV] = json.dumps(asdict(self))


def worker_app() -> ASGIApp:
    """The app of one worker process (uvicorn calls it: ``factory=True``)."""
    from companion.hub.app import create_app
    from companion.hub.limits import Limits
    from companion.hub.storage import HubStore

    config = WorkerConfig(**json.loads(os.environ[CONFIG_ENV]))
    # The parent opened the database first: schema, and the restored-backup check.
    store = HubStore.open(Path(config.data), config.database_url, check_restored=False)
    return create_app(store, Limits(push_burst=config.push_burst, push_rate=config.push_rate))
