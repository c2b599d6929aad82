"""The Conflicts view tells a change the hub refused from one refused here as it came."""

from __future__ import annotations

from companion.protocol.hlc import Timestamp, physical_ms
from companion.protocol.messages import Change
from companion.store import Store
from companion.sync.apply import apply_changes
from companion.sync.conflicts import record_rejection
from companion.ui.sync.conflicts_view import ConflictsView
from tests.french import fr


def test_refusals_say_who_refused(qtbot, store: Store) -> None:
    actor = store.add_actor("Atelier Vélo", "association")
    with store.db.atomic():  # the hub refused this laptop's edit of another member's actor
        record_rejection(store.conn, "actors", actor.id, "name", "forbidden", "Vélo-École")
    stamp = str(Timestamp(physical_ms(), 0, "a1b2c3d4e5f60718"))
    # A hub of an older version sends a latitude no map can hold: refused on receipt.
    apply_changes(store.conn, [Change("actors", actor.id, "latitude", 2**63, stamp)])
    view = ConflictsView(store)
    qtbot.addWidget(view)
    view.refresh()
    lines = [view.rejected_list.item(row).text() for row in range(view.rejected_list.count())]
    assert len(lines) == 2
    assert lines[0].startswith(
        fr("Refusé à la réception : Atelier Vélo, Latitude (valeur invalide)")
    )
    assert lines[1].startswith(
        fr("Refusé par le hub : Atelier Vélo, Nom (fiche d'un autre membre)")
    )
    assert lines[1].endswith(fr("valeur refusée : « Vélo-École »"))
    assert str(2**63) not in lines[0]
