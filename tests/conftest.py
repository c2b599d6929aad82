"""Shared fixtures: a fresh temporary database per test, the built gazetteer."""

from __future__ import annotations

import os

# Tests never need a display, and Chromium refuses to start as root without this.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ["COMPANION_LANG"] = "fr"

import pytest  # noqa: E402

from companion.i18n import set_language  # noqa: E402
from companion.store import Store  # noqa: E402


@pytest.fixture(autouse=True)
def french():
    set_language("fr")
    yield
    set_language("fr")


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "companion.db")
    yield opened
    opened.close()
