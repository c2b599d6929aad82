"""Shared fixtures: a fresh temporary database per test, the built gazetteer."""

from __future__ import annotations

import os

# Tests never need a display, and Chromium refuses to start as root without this.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ["COMPANION_LANG"] = "fr"
# The machine's preferences (QSettings: language, data folder, last folders) in a folder of
# this run's, never the developer's own, for the tests and the apps they start.
os.environ["XDG_CONFIG_HOME"] = __import__("tempfile").mkdtemp(prefix="companion-tests-config-")

import sys  # noqa: E402

import pytest  # noqa: E402

from companion.i18n import set_language  # noqa: E402
from companion.store import Store  # noqa: E402

# needs: skips become failures under COMPANION_TESTS_STRICT=1 (CI); pytester runs pytest
# inside a test (tests of that switch).
pytest_plugins = ["needs", "pytester"]

# PySide 6.12 takes one reference to None per QApplication.processEvents() call
# (pytest-qt's waitUntil calls it while polling) and never gives it back; on
# Python 3.11, where None is not immortal, a long GUI session then deallocates
# None and the interpreter crashes at a random later test. Tests top the count
# up after each test; the app itself never calls processEvents.
_NONE_REFERENCES: list[None] = []
_NONE_FLOOR = 1_000_000


@pytest.fixture(autouse=True)
def none_keeps_its_references():
    yield
    missing = _NONE_FLOOR - sys.getrefcount(None)
    if missing > 0:
        _NONE_REFERENCES.extend([None] * missing)


@pytest.fixture(autouse=True)
def french():
    set_language("fr")
    yield
    set_language("fr")


# These modules run twice: on a plain database and on one encrypted with SQLCipher.
ENCRYPTED_TOO = {"test_store", "test_sync_capture", "test_search"}
TEST_KEY = "phrase de passe des tests"


@pytest.fixture
def no_keyring(monkeypatch):
    """Encryption keys neither from the developer's own keyring nor from an earlier test."""
    from companion.store import encryption

    monkeypatch.setenv("COMPANION_KEYRING", "0")
    encryption._known.clear()
    yield
    encryption._known.clear()


def pytest_generate_tests(metafunc):
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "store" in metafunc.fixturenames and module in ENCRYPTED_TOO:
        metafunc.parametrize("store", ["claire", "chiffree"], indirect=True)


@pytest.fixture
def store(request, tmp_path):
    if getattr(request, "param", "claire") == "chiffree":
        from needs import require_module  # a plugin too: imported once pytest loaded it

        require_module("sqlcipher3")
        opened = Store.open(tmp_path / "companion.db", TEST_KEY)
    else:
        opened = Store.open(tmp_path / "companion.db")
    yield opened
    opened.close()


# The same PySide takes references to True and False away in some GUI tests: not during
# the session (they hold many), but when the interpreter frees everything at exit it
# then deallocates one ("bool_dealloc", exit code 134) after every test passed. The
# session leaves without that finalization, with pytest's own exit status, once its
# report is written (as `python -m benchmarks map` does).
@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    session.config._companion_exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    status = getattr(config, "_companion_exit_status", None)
    if status is None or os.environ.get("COMPANION_TESTS_FINALIZE") == "1":
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
