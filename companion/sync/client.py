"""The sync client: push the outbox, pull the hub's changes, until both are done.

``SyncClient(store, hub_url, token).sync()`` runs one sync on the store's
connection (call it from a background job with a store of its own) and returns
a ``SyncReport``. See docs/SYNC.md for the protocol and companion/sync/capture.py
for what goes in the outbox.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from companion.i18n import _
from companion.protocol.fields import name_problem
from companion.protocol.messages import (
    MAX_ERASED,
    MAX_REQUEST_BYTES,
    SYNCED_FIELDS,
    Change,
    ProtocolError,
)
from companion.store.records import now_iso
from companion.sync import capture, erasure, outbox, state
from companion.sync.address_sync import chosen_departements, sync_addresses
from companion.sync.apply import apply_changes, take_network_values
from companion.sync.conflicts import (
    conflicts,
    record_conflict,
    record_rejection,
    rejected,
    restore_conflict,
)
from companion.sync.hubapi import HubApi, RequestTooLarge, SyncError, check_hub_url
from companion.sync.toolbox_sync import sync_toolbox

if TYPE_CHECKING:
    from companion.store import Store

__all__ = ["SyncClient", "SyncError", "SyncReport", "conflicts", "rejected", "restore_conflict"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
PULL_LIMIT = 10_000
PULL_CACHE_KIB = -65_536  # 64 MiB while pulling (negative: KiB, SQLite's convention)
MAX_ROUNDS = 5  # push-pull rounds in one sync (a round only repeats after an epoch change)
MIN_BATCH_BYTES = 64 * 1024


@dataclass
class SyncReport:
    hub: str
    pushed: int = 0  # changes the hub answered
    pulled: int = 0  # changes received
    applied: int = 0  # received changes that were newer and written here
    conflicts: int = 0  # local values that lost (kept for the Conflicts view)
    rejected: int = 0  # changes refused (by the hub, or here)
    epoch_reset: bool = False
    toolbox: int = 0  # toolbox items installed or updated from the hub
    addresses: int = 0  # départements' address files indexed from the hub
    duration_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class SyncClient:
    def __init__(
        self,
        store: Store,
        hub_url: str,
        token: str,
        transport: httpx.BaseTransport | None = None,
        allow_insecure: bool = False,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.store = store
        self.conn = store.conn
        self.hub_url = check_hub_url(hub_url, allow_insecure)
        if not token.strip():
            raise SyncError(_("Aucun jeton d'accès au hub."))
        self.token = token.strip()
        self.transport = transport
        self.sleep = sleep
        self.max_bytes = MAX_REQUEST_BYTES // 2

    def sync(
        self, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> SyncReport:
        """Push, then pull, until neither has anything left; raise ``SyncError`` on failure."""
        if self.store.setting("demo_network") == "1":
            raise SyncError(
                _(
                    "Cette base contient le réseau de démonstration, qui ne se synchronise pas : "
                    "créez un dossier de données vide pour rejoindre votre réseau."
                )
            )
        started = time.monotonic()
        report = SyncReport(self.hub_url)
        api = HubApi(self.hub_url, self.token, self.transport, self.sleep, cancel)
        try:
            self._start(api, report)
            for _round in range(MAX_ROUNDS):
                self._push(api, report, progress)
                self._send_erasures(api)
                self._pull(api, report, progress)
                with self._write():
                    outbox.prepare(self.conn)
                if not outbox.pending(self.conn):
                    break
            self._toolbox(api, report, progress)
            self._addresses(api, report, progress)
        except SyncError as error:
            log.warning("sync failed: %s", type(error).__name__)  # its text may quote a value
            with self._write():
                state.put(self.conn, state.LAST_ERROR, str(error))
            raise
        finally:
            api.close()
        report.duration_s = round(time.monotonic() - started, 3)
        log.info(
            "sync: %d sent, %d received, %d applied, %d conflicts, %d refused, %d toolbox, %.1f s",
            report.pushed, report.pulled, report.applied, report.conflicts, report.rejected,
            report.toolbox, report.duration_s,
        )  # fmt: skip
        with self._write():
            state.put(self.conn, state.LAST_SYNC, now_iso())
            state.put(self.conn, state.LAST_ERROR, None)
        return report

    @contextmanager
    def _write(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- status: clock, member, epoch ------------------------------------------------

    def _start(self, api: HubApi, report: SyncReport) -> None:
        status = api.request("GET", "/v1/status")
        member = status.get("member")
        limits = status.get("limits")
        if isinstance(limits, dict) and isinstance(limits.get("max_request_bytes"), int):
            self.max_bytes = max(MIN_BATCH_BYTES, limits["max_request_bytes"] // 2)
        with self._write():
            state.put(self.conn, state.HUB_URL, self.hub_url)
            self._learn_offset(api)
            if isinstance(member, dict) and isinstance(member.get("id"), str):
                self._adopt_member(member["id"])
            self._check_epoch(_text(status, "epoch"), report)

    def _learn_offset(self, api: HubApi) -> None:
        if api.offset_ms is not None:
            state.put(self.conn, state.OFFSET, api.offset_ms)

    def _adopt_member(self, hub_member: str) -> None:
        """The hub's id for this member becomes the owner of what it creates. Records
        made before the first sync carry the laptop's own id: they take the hub's."""
        local = self.store.member_id
        if hub_member != local:
            if state.get(self.conn, state.MEMBER) is None:
                with capture.muted(self.conn):
                    for table in SYNCED_FIELDS:
                        self.conn.execute(
                            f"UPDATE {table} SET owner = ? WHERE owner IN (?, '')",
                            (hub_member, local),
                        )
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES ('member_id', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (hub_member,),
            )
        state.put(self.conn, state.MEMBER, hub_member)

    def _check_epoch(self, epoch: str, report: SyncReport) -> bool:
        """Inside a transaction: a hub with another history than the one we synced with
        gets everything we own again, and is read from its start. True if so."""
        known = state.get(self.conn, state.EPOCH)
        if known == epoch:
            return False
        state.put(self.conn, state.EPOCH, epoch)
        if known is None:
            return False
        state.put(self.conn, state.CURSOR, 0)
        outbox.requeue_owned(self.conn, self.store.member_id)
        report.epoch_reset = True
        return True

    # -- push ----------------------------------------------------------------------

    def _push(self, api: HubApi, report: SyncReport, progress: Progress | None) -> None:
        with self._write():
            outbox.prepare(self.conn)
        total = outbox.pending(self.conn)
        done = 0
        after = 0
        site = state.site(self.conn)
        while True:
            api.check_cancel()
            batch, last = outbox.next_batch(self.conn, after, max_bytes=self.max_bytes)
            if not batch.rows:
                return
            if batch.changes:
                try:
                    answer = self._send(api, site, batch)
                except RequestTooLarge:
                    if self.max_bytes <= MIN_BATCH_BYTES or len(batch.rows) == 1:
                        raise
                    self.max_bytes //= 2
                    continue
            else:
                answer = None
            with self._write():
                outbox.acknowledge(self.conn, batch)
                if answer is not None:
                    self._learn_offset(api)
                    self._answered(batch, answer, report)
                    self._check_epoch(_text(answer, "epoch"), report)
            after = last
            done += len(batch.rows)
            if progress:
                progress(min(done, total), total, _("Modifications envoyées : {count}").format(
                    count=report.pushed))  # fmt: skip

    def _send(self, api: HubApi, site: str, batch: outbox.Batch) -> dict[str, Any]:
        body = {
            "site": site,
            "batch_id": str(uuid.uuid4()),  # the same id on every retry: applied once
            "changes": [change.to_json() for change in batch.changes],
        }
        # 403: every change of the batch was out of this member's scope (see the rejections).
        return api.request("POST", "/v1/push", accept=(200, 403), json=body)

    def _send_erasures(self, api: HubApi) -> None:
        """Once the outbox is pushed (the erased records' blanks with it), name the
        records erased here to the hub, which scrubs the copies it keeps (erasure.py)."""
        records = erasure.pending(self.conn)
        site = state.site(self.conn)
        for start in range(0, len(records), MAX_ERASED):
            api.check_cancel()
            told = records[start : start + MAX_ERASED]
            body = {
                "site": site,
                "batch_id": str(uuid.uuid4()),
                "changes": [],
                "erased": [{"table": table, "id": record_id} for table, record_id in told],
            }
            answer = api.request("POST", "/v1/push", accept=(200, 403), json=body)
            for item in _list(answer, "rejected"):  # another member's: theirs to erase
                log.warning("sync: the hub refused to erase %s", item)
            with self._write():
                self._learn_offset(api)
                erasure.forget(self.conn, told)

    def _answered(self, batch: outbox.Batch, answer: dict[str, Any], report: SyncReport) -> None:
        """Inside a transaction: refused changes and lost values are kept for the user
        (but no value of a record erased here)."""
        report.pushed += len(batch.changes)
        erased = set(erasure.pending(self.conn))
        network: list[Change] = []
        for item in _list(answer, "rejected"):
            if not isinstance(item, dict):
                raise SyncError(_("Réponse illisible du hub (refus mal formé)."))
            table, record_id, name = (item.get(key) for key in ("table", "id", "field"))
            if any(name_problem(text, empty=False) for text in (table, record_id, name)):
                log.warning("sync: a refusal of the hub without a readable name ignored")
                continue
            sent = batch.sent(table, record_id, name)
            record_rejection(
                self.conn, table, record_id, name, str(item.get("reason")),
                sent.value if sent is not None else None,
            )  # fmt: skip
            report.rejected += 1
            current = _change(item.get("current")) if item.get("current") is not None else None
            if current is not None:
                network.append(current)
        take_network_values(self.conn, network)  # what everyone else sees, here too
        site = state.site(self.conn)
        for item in _list(answer, "superseded"):
            winner = _change(item)
            if winner is None or (winner.table, winner.id) in erased:
                continue  # unreadable, or erased here (the notice has the hub blank it)
            sent = batch.sent(winner.table, winner.id, winner.field)
            if sent is None or not sent.hlc.endswith("-" + site) or sent.value == winner.value:
                continue  # not an edit of ours, or the same value: nothing lost
            record_conflict(
                self.conn, winner.table, winner.id, winner.field,
                (sent.value, sent.hlc), (winner.value, winner.hlc),
            )  # fmt: skip
            report.conflicts += 1
        for item in _list(answer, "overwritten"):
            lost = _change(item)  # another laptop's value ours replaced unseen: kept here
            if lost is None or (lost.table, lost.id) in erased:
                continue
            sent = batch.sent(lost.table, lost.id, lost.field)
            if sent is None:
                continue
            record_conflict(
                self.conn, lost.table, lost.id, lost.field,
                (lost.value, lost.hlc), (sent.value, sent.hlc),
            )  # fmt: skip
            report.conflicts += 1

    # -- pull ----------------------------------------------------------------------

    def _pull(self, api: HubApi, report: SyncReport, progress: Progress | None) -> None:
        """Pages from the cursor on, each applied in one transaction; the next page is
        fetched while one is applied (the hub and this laptop work at the same time)."""
        fetcher = ThreadPoolExecutor(1, thread_name_prefix="companion-pull")
        # A first sync inserts records all over the id indexes: a page cache that holds
        # them saves writing the same pages again at each page's commit.
        cache = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = {PULL_CACHE_KIB}")
        try:
            self._pull_pages(api, fetcher, report, progress)
        finally:
            fetcher.shutdown(wait=True, cancel_futures=True)
            self.conn.execute(f"PRAGMA cache_size = {int(cache)}")

    def _pull_pages(
        self,
        api: HubApi,
        fetcher: ThreadPoolExecutor,
        report: SyncReport,
        progress: Progress | None,
    ) -> None:
        ahead = fetcher.submit(_fetch_page, api, state.cursor(self.conn))
        while True:
            api.check_cancel()
            since, page = ahead.result()
            epoch = _text(page, "epoch")
            if epoch != state.get(self.conn, state.EPOCH):
                with self._write():
                    self._check_epoch(epoch, report)
                ahead = fetcher.submit(_fetch_page, api, state.cursor(self.conn))
                continue  # read the new history from its start
            if "records" not in page:
                raise SyncError(_("Réponse illisible du hub (records manquant)."))
            changes, malformed = _pulled_records(_list(page, "records"))
            following = page.get("next")
            if not isinstance(following, int) or following < since:
                raise SyncError(_("Réponse illisible du hub (curseur invalide)."))
            if page.get("more"):
                ahead = fetcher.submit(_fetch_page, api, following)
            with self._write():
                self._learn_offset(api)
            server_ms = page.get("server_time_ms")
            result = apply_changes(
                self.conn,
                changes,
                cursor=following,
                reference_ms=server_ms if isinstance(server_ms, int) else None,
                malformed=malformed,
            )
            report.pulled += len(changes)
            report.applied += result.applied
            report.conflicts += result.conflicts
            report.rejected += result.rejected
            if progress:
                progress(report.pulled, 0, _("Modifications reçues : {count}").format(
                    count=report.pulled))  # fmt: skip
            if not page.get("more"):
                return

    # -- toolbox -------------------------------------------------------------------

    def _toolbox(self, api: HubApi, report: SyncReport, progress: Progress | None) -> None:
        """The hub's toolbox items, after the records; a refused item fails the sync
        (its message says which), once the others are installed."""
        result = sync_toolbox(self.store, api, progress)
        report.toolbox = result.installed
        if result.problems:
            raise SyncError("\n".join(result.problems))

    def _addresses(self, api: HubApi, report: SyncReport, progress: Progress | None) -> None:
        """The address files of the départements chosen in « Adresses », once each."""
        wanted = chosen_departements(self.store)
        if wanted:
            found = sync_addresses(Path(self.store.path).parent, api, wanted, progress)
            report.addresses = len(found.imported)


def _fetch_page(api: HubApi, since: int) -> tuple[int, dict[str, Any]]:
    params = {"since": since, "limit": PULL_LIMIT, "format": "records"}
    return since, api.request("GET", "/v1/pull", params=params)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise SyncError(_("Réponse illisible du hub ({key} manquant).").format(key=key))
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise SyncError(_("Réponse illisible du hub ({key} manquant).").format(key=key))
    return value


def _pulled_records(records: list[Any]) -> tuple[list[Change], list[tuple[str, str]]]:
    """The changes of a page sent by record (``format=records``, see hub/wire.py), and the
    records (table, id) that could not be read, to keep as refused.

    Checked here for shape only: apply checks each change, and refuses (and keeps) one
    it does not know, such as a field of a newer protocol, without stopping the sync.
    A record without a readable table and id cannot be kept: it is skipped (logged).
    """
    changes: list[Change] = []
    malformed: list[tuple[str, str]] = []
    for record in records:
        table = record.get("table") if type(record) is dict else None
        record_id = record.get("id") if type(record) is dict else None
        if name_problem(table, empty=False) or name_problem(record_id, empty=False):
            log.warning("sync: a received record without a readable table and id skipped")
            continue
        values, stamps, common = record.get("fields"), record.get("stamps", {}), record.get("hlc")
        if type(values) is not dict or type(stamps) is not dict:
            malformed.append((table, record_id))  # refused (and logged) by apply_changes
            continue
        changes.extend(
            Change(table, record_id, name, value, stamps.get(name, common))
            for name, value in values.items()
        )
    return changes, malformed


def _change(item: Any) -> Change | None:
    """A change of the hub's answer to a push, or None (logged) for one that breaks the
    protocol or the field schema: it is left out, as it could never be kept here."""
    try:
        return Change.from_json(item)
    except (ProtocolError, KeyError, TypeError, AttributeError) as error:
        log.warning("sync: a change of the hub's answer left out (%s)", type(error).__name__)
        return None
