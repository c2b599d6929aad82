"""Address files on the hub, on both engines: published once, listed, served with byte
ranges, removed; bad département codes answered 400."""

from __future__ import annotations

import pytest
from ban_files import ban_file, nogent_rows

from companion.hub.addresses import address_files, publish_addresses, remove_addresses
from companion.hub.members import HubError


def test_address_files_are_published_served_and_removed(hub, tmp_path):
    path = ban_file(tmp_path / "adresses-94.csv.gz", nogent_rows(3_000))
    data = path.read_bytes()
    entry, changed = publish_addresses(hub.store, path)
    assert changed and (entry.departement, entry.size) == ("94", len(data))
    assert publish_addresses(hub.store, path) == (entry, False)
    assert address_files(hub.store) == [entry]
    assert (hub.store.files_dir / entry.sha256).read_bytes() == data

    _member, token = hub.member("Alice")
    api = hub.client(token)
    listed = api.get("/v1/addresses/manifest").json()["departements"]
    assert listed == [entry.to_json()]
    whole = api.get("/v1/addresses/files/94")
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["etag"] == f'"{entry.sha256}"'
    rest = api.get("/v1/addresses/files/94", headers={"Range": f"bytes={len(data) - 10}-"})
    assert rest.status_code == 206 and rest.content == data[-10:]
    for bad in ("9", "20", "96", "2c", "94;", "abc"):
        answer = api.get(f"/v1/addresses/files/{bad}")
        assert answer.status_code == 400, bad
        assert answer.json()["error"] == "invalid"
    assert api.get("/v1/addresses/files/13").status_code == 404
    assert api.get("/v1/addresses/manifest?departements=94,1").status_code == 400

    assert remove_addresses(hub.store, "94") == entry
    assert address_files(hub.store) == []
    assert api.get("/v1/addresses/files/94").status_code == 404
    with pytest.raises(HubError, match="n'est pas publié"):
        remove_addresses(hub.store, "94")
    assert hub.client(None).get("/v1/addresses/manifest").status_code == 401


def test_a_file_that_is_not_the_bans_is_not_published(hub_store, tmp_path):
    bad = tmp_path / "adresses-94.csv.gz"
    bad.write_text("nom;ville\n", encoding="utf-8")
    with pytest.raises(HubError, match="colonnes"):
        publish_addresses(hub_store, bad)
    assert address_files(hub_store) == []
    assert not hub_store.files_dir.exists() or not any(hub_store.files_dir.iterdir())
