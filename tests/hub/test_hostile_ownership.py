"""Records that hang on another record, pushed by a modified laptop (issue #14, item 2).

A catalyst's profile hangs on its actor, a person's affiliation on the person, an
alliance on its two actors (docs/SYNC.md, "Records that hang on others"): only the
owner of what a record hangs on (or an admin) may create it or change the link.
Each test pushes over real HTTP, on SQLite and on PostgreSQL, what a laptop whose code
was changed could send: its member's token, the protocol header, any JSON.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from companion.hub import wire
from companion.protocol.hlc import Timestamp, physical_ms
from companion.protocol.messages import Change, PushRequest, PushResponse


def stamp(offset_ms: int = 0, site: str = "portable-modifie") -> str:
    return str(Timestamp(physical_ms() + offset_ms, 0, site))


def new(table: str, owner: str, record_id: str | None = None, **fields) -> list[Change]:
    """A new network record's changes, all with one stamp."""
    record_id = record_id or str(uuid.uuid4())
    when = stamp(-10_000)
    values = {"owner": owner, "visibility": "network", **fields}
    return [Change(table, record_id, name, value, when) for name, value in values.items()]


def push(client: httpx.Client, changes: list[Change]) -> tuple[int, PushResponse]:
    request = PushRequest("portable-modifie", str(uuid.uuid4()), changes)
    answer = client.post("/v1/push", json=wire.push_request_to_json(request))
    return answer.status_code, wire.push_response_from_json(answer.json())


def refused(body: PushResponse) -> list[tuple[str, str]]:
    return sorted((r.field, r.reason) for r in body.rejected)


def held(hub, table: str, record_id: str) -> dict:
    """The fields the hub holds for one record."""
    with hub.store.backend.transaction() as tx:
        rows = tx.rows(
            "SELECT field, value FROM field_state WHERE tbl = ? AND id = ?", (table, record_id)
        )
    return {name: json.loads(value) for name, value in rows}


@pytest.fixture
def members(hub):
    """Bob and Carol (members with catalysts, a person, a tag), Mallory (a member whose
    laptop was modified) and the coordination (an admin): a client each."""
    found = {}
    for name, role in (("bob", "member"), ("carol", "member"), ("mallory", "member"),
                       ("admin", "admin")):  # fmt: skip
        member, token = hub.member(name.title(), role)
        found[name] = (member.id, hub.client(token))
    for name in ("bob", "carol", "mallory"):
        owner, client = found[name]
        actor = new("actors", owner, name=f"Pôle de {name}", kind="catalyseur")
        person = new("people", owner, first_name=name.title(), last_name="Personne")
        status, body = push(client, [*actor, *person])
        assert (status, body.rejected) == (200, [])
        found[name] += (actor[0].id, person[0].id)
    return found


# -- catalyst_profiles.actor_id -> actors -----------------------------------------------


def test_a_member_cannot_take_over_another_catalysts_profile(hub, members):
    bob, _bob_client, bobs_actor, _bobs_person = members["bob"]
    mallory, client, malloys_actor, _person = members["mallory"]

    # A new profile naming Bob's catalyst, owned by Mallory: refused whole.
    takeover = new("catalyst_profiles", mallory, actor_id=bobs_actor, structure="Usurpée")
    status, body = push(client, takeover)
    assert status == 403
    assert {r.reason for r in body.rejected} == {"forbidden"}
    assert held(hub, "catalyst_profiles", takeover[0].id) == {}

    # Her own catalyst's profile is hers to write...
    own = new("catalyst_profiles", mallory, actor_id=malloys_actor, structure="La mienne")
    assert push(client, own)[1].rejected == []
    # ...but not to move onto Bob's catalyst; her other edit in the batch still lands.
    moved = [
        Change("catalyst_profiles", own[0].id, "actor_id", bobs_actor, stamp()),
        Change("catalyst_profiles", own[0].id, "missions", "Réunir", stamp()),
    ]
    status, body = push(client, moved)
    assert status == 200 and body.accepted == 1
    [rejection] = body.rejected
    assert (rejection.field, rejection.reason) == ("actor_id", "forbidden")
    assert rejection.current.value == malloys_actor  # what the network holds instead
    assert held(hub, "catalyst_profiles", own[0].id)["actor_id"] == malloys_actor
    assert held(hub, "catalyst_profiles", own[0].id)["missions"] == "Réunir"

    # Bob writes his; the coordination may write one for him.
    _bob, bob_client, _actor, _person = members["bob"]
    assert push(bob_client, new("catalyst_profiles", bob, actor_id=bobs_actor))[1].rejected == []
    _admin, admin_client = members["admin"]
    on_behalf = new("catalyst_profiles", bob, actor_id=bobs_actor, structure="Pour Bob")
    assert push(admin_client, on_behalf)[1].rejected == []


# -- affiliations.person_id -> people -----------------------------------------------------


def test_an_affiliation_is_written_by_its_persons_owner(hub, members):
    mallory, client, malloys_actor, malloys_person = members["mallory"]
    _bob, _bob_client, bobs_actor, bobs_person = members["bob"]

    # Bob's person placed in Mallory's organisation by Mallory: refused.
    placed = new("affiliations", mallory, person_id=bobs_person, actor_id=malloys_actor,
                 role="Trésorier")  # fmt: skip
    status, body = push(client, placed)
    assert status == 403 and {r.reason for r in body.rejected} == {"forbidden"}
    assert held(hub, "affiliations", placed[0].id) == {}

    # Her own person's role in Bob's organisation: the actor may be anyone's.
    hers = new("affiliations", mallory, person_id=malloys_person, actor_id=bobs_actor,
               role="Bénévole")  # fmt: skip
    assert push(client, hers)[1].rejected == []
    # Moving that affiliation onto Bob's person: refused, and the role edit lands.
    status, body = push(client, [
        Change("affiliations", hers[0].id, "person_id", bobs_person, stamp()),
        Change("affiliations", hers[0].id, "role", "Présidente", stamp()),
    ])  # fmt: skip
    assert refused(body) == [("person_id", "forbidden")]
    assert body.rejected[0].current.value == malloys_person
    assert held(hub, "affiliations", hers[0].id)["person_id"] == malloys_person
    assert held(hub, "affiliations", hers[0].id)["role"] == "Présidente"

    # The coordination may place anyone.
    bob, *_rest = members["bob"]
    _admin, admin_client = members["admin"]
    for_bob = new("affiliations", bob, person_id=bobs_person, actor_id=malloys_actor)
    assert push(admin_client, for_bob)[1].rejected == []


# -- relations.source_id / target_id -> actors ------------------------------------------


def test_an_alliance_is_written_by_the_owner_of_one_of_its_ends(hub, members):
    mallory, client, malloys_actor, _person = members["mallory"]
    _bob, _bob_client, bobs_actor, _bobs_person = members["bob"]
    _carol, _carol_client, carols_actor, _carols_person = members["carol"]

    # Between two actors of others: refused.
    drawn = new("relations", mallory, source_id=bobs_actor, target_id=carols_actor,
                type="partenariat")  # fmt: skip
    status, body = push(client, drawn)
    assert status == 403 and {r.reason for r in body.rejected} == {"forbidden"}
    assert held(hub, "relations", drawn[0].id) == {}

    # With one of her actors at either end: hers to write.
    outgoing = new("relations", mallory, source_id=malloys_actor, target_id=bobs_actor,
                   type="partenariat")  # fmt: skip
    incoming = new("relations", mallory, source_id=carols_actor, target_id=malloys_actor,
                   type="financement")  # fmt: skip
    assert push(client, [*outgoing, *incoming])[1].rejected == []
    # Turning it into an alliance between Bob and Carol: refused (the end stays hers).
    status, body = push(client, [
        Change("relations", outgoing[0].id, "source_id", carols_actor, stamp()),
    ])  # fmt: skip
    assert status == 403 and refused(body) == [("source_id", "forbidden")]
    assert body.rejected[0].current.value == malloys_actor
    # Moving its other end (hers stays at the source) is fine.
    _status, body = push(client, [
        Change("relations", outgoing[0].id, "target_id", carols_actor, stamp()),
    ])  # fmt: skip
    assert body.rejected == []
    assert held(hub, "relations", outgoing[0].id)["source_id"] == malloys_actor
    assert held(hub, "relations", outgoing[0].id)["target_id"] == carols_actor
    # Both ends changed at once, to others' actors: both refused.
    _status, body = push(client, [
        Change("relations", incoming[0].id, "source_id", bobs_actor, stamp()),
        Change("relations", incoming[0].id, "target_id", carols_actor, stamp()),
    ])  # fmt: skip
    assert refused(body) == [("source_id", "forbidden"), ("target_id", "forbidden")]

    _admin, admin_client = members["admin"]
    bob, *_rest = members["bob"]
    by_coordination = new("relations", bob, source_id=bobs_actor, target_id=carols_actor,
                          type="partenariat")  # fmt: skip
    assert push(admin_client, by_coordination)[1].rejected == []


# -- parents in the same batch, and parents the hub does not know --------------------------


def test_a_parent_created_in_the_same_batch_counts_with_its_claimed_owner(hub, members):
    mallory, client, _actor, _person = members["mallory"]
    bob, *_rest = members["bob"]
    actor = new("actors", mallory, name="Nouveau pôle", kind="catalyseur")
    profile = new("catalyst_profiles", mallory, actor_id=actor[0].id)
    # The profile comes first in the batch, its actor after it.
    status, body = push(client, [*profile, *actor])
    assert (status, body.rejected) == (200, [])
    assert held(hub, "catalyst_profiles", profile[0].id)["actor_id"] == actor[0].id

    # An actor claimed for Bob is refused, and so is the profile hanging on it.
    claimed = new("actors", bob, name="Au nom de Bob", kind="catalyseur")
    hanging = new("catalyst_profiles", mallory, actor_id=claimed[0].id)
    status, body = push(client, [*hanging, *claimed])
    assert status == 403 and {r.reason for r in body.rejected} == {"forbidden"}
    assert held(hub, "catalyst_profiles", hanging[0].id) == {}


def test_a_parent_the_hub_never_received_is_not_checked(hub, members):
    """An actor still private on its owner's laptop (or not pushed yet by another of its
    laptops) is unknown to the hub: a profile or an alliance naming it is taken (the
    laptops show a profile only if the actor's owner wrote it)."""
    mallory, client, malloys_actor, _person = members["mallory"]
    unknown = str(uuid.uuid4())
    profile = new("catalyst_profiles", mallory, actor_id=unknown)
    relation = new("relations", mallory, source_id=unknown, target_id=malloys_actor,
                   type="partenariat")  # fmt: skip
    assert push(client, [*profile, *relation])[1].rejected == []


def test_records_that_only_point_at_others_are_not_restricted(hub, members):
    """An exchange is its writer's own note about an actor or a person; a merge's
    tombstone points at the record it went into; an actor's tags may be anyone's."""
    mallory, client, malloys_actor, malloys_person = members["mallory"]
    _bob, bob_client, bobs_actor, bobs_person = members["bob"]
    bobs_tag = new("tags", members["bob"][0], name="Alimentation")
    assert push(bob_client, bobs_tag)[1].rejected == []
    exchange = new("interactions", mallory, actor_id=bobs_actor, person_id=bobs_person,
                   kind="reunion", date="2025-03-01", title="Rencontre")  # fmt: skip
    merged = [
        Change("people", malloys_person, "merged_into", bobs_person, stamp()),
        Change("actors", malloys_actor, "tags", [bobs_tag[0].id], stamp()),
    ]
    status, body = push(client, [*exchange, *merged])
    assert (status, body.rejected) == (200, [])
