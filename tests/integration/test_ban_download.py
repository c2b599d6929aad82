"""Downloading a département's addresses from a BAN-like server on 127.0.0.1 (a generated
file, never the real site): opt-in, resumed after a cut, cancellable, checked first."""

from __future__ import annotations

import threading

import pytest
from ban_files import ban_bytes, ban_file, ban_server, nogent_rows

from companion.errors import CompanionError
from companion.geo import Gazetteer
from companion.geo.address_files import (
    check_departement,
    indexed_departements,
    remove_departement,
)
from companion.geo.addresses import AddressIndex
from companion.geo.ban_download import DownloadRefused, download_departement, part_path

ROWS = 30_000  # about 600 kB of gzip: several blocks of 256 kB


@pytest.fixture(scope="module")
def nogent() -> bytes:
    return ban_bytes(nogent_rows(ROWS))


def test_nothing_is_asked_of_the_network_unless_allowed(tmp_path, nogent):
    with ban_server({"adresses-94.csv.gz": nogent}) as server:
        with pytest.raises(DownloadRefused, match="Préférences"):
            download_departement("94", tmp_path, online=False, base_url=server.url)
        assert server.requests == []
    assert indexed_departements(tmp_path) == []


def test_a_departement_is_downloaded_indexed_and_placed(tmp_path, nogent):
    seen = []
    with ban_server({"adresses-94.csv.gz": nogent}) as server:
        result = download_departement(
            "94", tmp_path, online=True, base_url=server.url,
            progress=lambda done, total, message: seen.append((done, total)),
        )  # fmt: skip
        assert server.requests == [("/csv/adresses-94.csv.gz", None)]
    assert result == ("94", ROWS)
    assert (len(nogent), len(nogent)) in seen  # the bytes, counted against the whole
    assert not part_path(tmp_path, "94").exists()
    [indexed] = indexed_departements(tmp_path)
    assert (indexed.code, indexed.addresses, indexed.source) == ("94", ROWS, "adresses-94.csv.gz")
    assert indexed.imported_at[:2] == "20"
    with Gazetteer.open() as gazetteer:
        index = AddressIndex.open(tmp_path, gazetteer)
        found = index.lookup("12 rue des écoles 94130 Nogent")
        index.close()
    assert (found.latitude, found.longitude, found.precision) == (48.83722, 2.48022, "adresse")


def test_a_cut_transfer_resumes_from_its_part_next_time(tmp_path, nogent):
    half = len(nogent) // 2
    with ban_server({"adresses-94.csv.gz": nogent}) as server:
        server.cut_after = half
        with pytest.raises(CompanionError, match="reprendra"):
            download_departement("94", tmp_path, online=True, base_url=server.url, attempts=1)
        part = part_path(tmp_path, "94")
        assert part.stat().st_size == half
        assert indexed_departements(tmp_path) == []

        assert download_departement("94", tmp_path, online=True, base_url=server.url) == (
            "94", ROWS,
        )  # fmt: skip
        assert server.requests[1] == ("/csv/adresses-94.csv.gz", f"bytes={half}-")
    assert not part.exists()
    assert indexed_departements(tmp_path)[0].addresses == ROWS


def test_a_cut_transfer_resumes_at_once_within_one_attempt(tmp_path, nogent):
    with ban_server({"adresses-94.csv.gz": nogent}) as server:
        server.cut_after = 300_000
        assert download_departement("94", tmp_path, online=True, base_url=server.url)[1] == ROWS
        assert [r[1] for r in server.requests] == [None, "bytes=300000-"]


def test_cancelling_leaves_the_index_as_it_was(tmp_path, nogent):
    ban_file(tmp_path / "old.csv.gz", nogent_rows(200, seed=7))
    from companion.geo.addresses import build_index

    build_index(tmp_path / "old.csv.gz", tmp_path)
    before = indexed_departements(tmp_path)
    cancel = threading.Event()

    def progress(done: int, total: int, message: str) -> None:
        cancel.set()  # the user presses Annuler after the first block

    with ban_server({"adresses-94.csv.gz": nogent}) as server:
        with pytest.raises(CompanionError, match="annulé"):
            download_departement(
                "94", tmp_path, online=True, base_url=server.url, progress=progress,
                cancel=cancel,
            )  # fmt: skip
    assert indexed_departements(tmp_path) == before
    assert 0 < part_path(tmp_path, "94").stat().st_size < len(nogent)  # kept, to resume


def test_a_damaged_file_is_refused_and_changes_nothing(tmp_path, nogent):
    broken = nogent[: len(nogent) - 5000] + bytes(5000)  # its end replaced by zeros
    with ban_server({"adresses-94.csv.gz": broken, "adresses-75.csv.gz": b"not gzip"}) as server:
        with pytest.raises(CompanionError, match="abîmé"):
            download_departement("94", tmp_path, online=True, base_url=server.url)
        with pytest.raises(CompanionError, match="BAN"):
            download_departement("75", tmp_path, online=True, base_url=server.url)
        with pytest.raises(CompanionError, match="404"):
            download_departement("13", tmp_path, online=True, base_url=server.url)
    assert indexed_departements(tmp_path) == []
    assert not part_path(tmp_path, "94").exists()  # a bad file starts afresh next time


def test_a_file_of_another_departement_is_refused(tmp_path, nogent):
    with ban_server({"adresses-93.csv.gz": nogent}) as server:
        with pytest.raises(CompanionError, match="du département 94, pas du 93"):
            download_departement("93", tmp_path, online=True, base_url=server.url)
    assert indexed_departements(tmp_path) == []


@pytest.mark.parametrize(
    ("typed", "code"), [("94", "94"), ("1", "01"), ("2a", "2A"), (" 974 ", "974")]
)
def test_departement_codes_are_read_as_people_type_them(typed, code):
    assert check_departement(typed) == code


@pytest.mark.parametrize("typed", ["20", "96", "00", "abc", "", "9a", "../etc"])
def test_what_is_not_a_departement_is_refused_in_french(typed):
    with pytest.raises(CompanionError, match="n'est pas un numéro de département"):
        check_departement(typed)


def test_a_departement_is_removed_from_the_index(tmp_path, nogent):
    ban_file(tmp_path / "adresses-94.csv.gz", nogent_rows(500))
    from companion.geo.addresses import build_index

    build_index(tmp_path / "adresses-94.csv.gz", tmp_path)
    assert remove_departement(tmp_path, "94") == 500
    assert indexed_departements(tmp_path) == []
    with Gazetteer.open() as gazetteer:
        index = AddressIndex.open(tmp_path, gazetteer)
        assert index.lookup("12 rue des écoles 94130 Nogent") is None
        index.close()
