"""What some tests need from the machine (PostgreSQL, SQLCipher, the built gazetteer), and
the switch that makes a missing one fail instead of skip.

On a developer's machine a test whose requirement is missing is skipped, with the
reason in pytest's summary. Under ``COMPANION_TESTS_STRICT=1`` (set by ``.ci/run``) it
fails with that reason: CI never passes by skipping. Loaded as a plugin by
tests/conftest.py, this module also turns any other skip (a ``skipif`` mark, a
``pytest.skip`` elsewhere) into a failure under the switch.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

SWITCH = "COMPANION_TESTS_STRICT"


def strict() -> bool:
    """Whether a missing requirement fails the test (CI) rather than skipping it."""
    return os.environ.get(SWITCH) == "1"


def require(condition: object, reason: str) -> None:
    """Go on if ``condition`` holds; else skip the test, or fail it under the switch."""
    if condition:
        return
    if strict():
        pytest.fail(f"{reason} ({SWITCH}=1: a missing requirement fails)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_module(name: str, reason: str | None = None) -> ModuleType:
    """The module ``name``, imported; when it cannot be, ``require`` decides."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        require(False, reason or f"{name} not installed ({error})")
        raise  # not reached: require skipped or failed


def has_module(name: str) -> bool:
    """Whether ``name`` imports, for a test that leaves out the part needing it where it
    does not (under the switch, that fails instead)."""
    try:
        importlib.import_module(name)
    except ImportError as error:
        if strict():
            pytest.fail(f"{name} not installed ({error}; {SWITCH}=1)", pytrace=False)
        return False
    return True


def require_gazetteer():
    """The built gazetteer, opened (the caller closes it)."""
    from companion.geo.gazetteer import Gazetteer, GazetteerMissing

    try:
        return Gazetteer.open()
    except GazetteerMissing as missing:
        require(False, f"gazetteer not built (make data): {missing}")
        raise  # not reached


# -- under the switch, no skip at all -------------------------------------------------


def _forbid_skip(report) -> None:
    if report.skipped and strict() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        reason = str(reason).removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"skipped, which {SWITCH}=1 forbids: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _forbid_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _forbid_skip(outcome.get_result())
