"""COMPANION_TESTS_STRICT=1 (set by .ci/run): a missing requirement fails, never skips."""

from __future__ import annotations

import pytest
from hub import helpers
from needs import SWITCH, require, require_gazetteer, require_module

from companion.geo.gazetteer import Gazetteer, GazetteerMissing

SKIPPED = pytest.skip.Exception
FAILED = pytest.fail.Exception


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv(SWITCH, "1")


@pytest.fixture
def lenient(monkeypatch):
    monkeypatch.delenv(SWITCH, raising=False)


def test_a_missing_requirement_skips_on_a_developers_machine(lenient) -> None:
    with pytest.raises(SKIPPED, match="pas de sqlcipher"):
        require(False, "pas de sqlcipher")
    with pytest.raises(SKIPPED, match="module_absent_des_tests not installed"):
        require_module("module_absent_des_tests")
    require(True, "never said")  # a requirement met lets the test go on


def test_a_missing_requirement_fails_under_the_switch(strict) -> None:
    with pytest.raises(FAILED, match=f"pas de sqlcipher \\({SWITCH}=1"):
        require(False, "pas de sqlcipher")
    with pytest.raises(FAILED, match="module_absent_des_tests not installed"):
        require_module("module_absent_des_tests")
    assert require_module("sqlite3").sqlite_version  # a module that is there comes back


def test_postgresql_missing_fails_under_the_switch(strict, monkeypatch) -> None:
    monkeypatch.setattr(helpers, "postgres_bin", lambda: None)
    with pytest.raises(FAILED, match="PostgreSQL not installed"):
        helpers.start_postgres()


def test_postgresql_that_cannot_run_fails_under_the_switch(strict, monkeypatch, tmp_path) -> None:
    def refuse(bin_dir):
        raise helpers.Unavailable("running as root, and no 'postgres' user")

    monkeypatch.setattr(helpers, "postgres_bin", lambda: tmp_path)
    monkeypatch.setattr(helpers.Cluster, "start", refuse)
    with pytest.raises(FAILED, match="PostgreSQL cannot run here: running as root"):
        helpers.start_postgres()


def test_the_gazetteer_missing_fails_under_the_switch(strict, monkeypatch, tmp_path) -> None:
    def missing(*_args, **_kwargs):
        raise GazetteerMissing(tmp_path / "gazetteer.sqlite")

    monkeypatch.setattr(Gazetteer, "open", missing)
    with pytest.raises(FAILED, match="gazetteer not built"):
        require_gazetteer()


INNER_TESTS = """
import pytest
from needs import require

@pytest.mark.skipif(True, reason="outil absent")
def test_marked():
    assert True

def test_skipped_inside():
    pytest.skip("serveur absent")

def test_required():
    require(False, "base absente")

def test_passes():
    assert True
"""


def test_under_the_switch_no_skip_at_all_passes(pytester, monkeypatch) -> None:
    pytester.makeconftest('pytest_plugins = ["needs"]')
    pytester.makepyfile(test_inner=INNER_TESTS)
    monkeypatch.delenv(SWITCH, raising=False)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, skipped=3)

    monkeypatch.setenv(SWITCH, "1")
    result = pytester.runpytest("-p", "no:cacheprovider", "-rf")
    result.assert_outcomes(passed=1, failed=2, errors=1)  # a mark skips at setup: an error
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_marked*",
            f"skipped, which {SWITCH}=1 forbids: outil absent",
            "*test_skipped_inside*",
            f"skipped, which {SWITCH}=1 forbids: serveur absent",
            "*test_required*",
            f"base absente ({SWITCH}=1: a missing requirement fails)",
        ]
    )
