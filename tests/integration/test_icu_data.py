"""ICU's data cut down to French and English (scripts/icu_data.py, used by build.spec).

The integration tests rebuild Qt's libicudata and Chromium's icudtl.dat from the venv's
PySide6, then load the trimmed library in a fresh Python (``LD_LIBRARY_PATH`` wins over
Qt's ``$ORIGIN`` RUNPATH): French sorting, a French time zone name and a legacy code
page must still work. They need icupkg, gcc and readelf; they are skipped where those
are missing, except in CI, where they must run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
_spec = importlib.util.spec_from_file_location("icu_data", SCRIPTS / "icu_data.py")
assert _spec is not None and _spec.loader is not None
icu_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(icu_data)

LANGUAGES = ("fr", "en")  # build.spec's
_pyside = importlib.util.find_spec("PySide6")
assert _pyside is not None and _pyside.submodule_search_locations
QT = Path(next(iter(_pyside.submodule_search_locations))) / "Qt"
QT_LIBRARY = QT / "lib" / "libicudata.so.73"
CHROMIUM_DATA = QT / "resources" / "icudtl.dat"
MB = 1_000_000

needs_tools = pytest.mark.skipif(
    bool(icu_data.missing_tools()) and not os.environ.get("CI"),
    reason=f"apt-get install {' '.join(icu_data.missing_tools())}",
)
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the bundle trims ICU on Linux only"
)

# Run with the trimmed library first on LD_LIBRARY_PATH; prints what Qt's ICU answers.
PROBE = """
import functools
import json

from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone

words = ["zèbre", "Éric", "eric", "étage", "Ezra", "œuf", "abc"]
collator = QCollator(QLocale("fr_FR"))
zone = QTimeZone(b"Europe/Paris")
with open("/proc/self/maps", encoding="utf-8") as maps:
    icu = sorted({line.split()[-1] for line in maps if "libicudata" in line})
print(json.dumps({
    "sorted": sorted(words, key=functools.cmp_to_key(collator.compare)),
    "zone": zone.displayName(
        QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, QLocale("fr_FR")
    ),
    "cp1252": QStringDecoder("windows-1252").isValid(),
    "libicudata": icu,
}))
"""


@pytest.fixture(scope="module")
def tools() -> None:
    missing = icu_data.missing_tools()
    assert not missing, f"trimming ICU's data needs: apt-get install {' '.join(missing)}"


# -- which items go --------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        "fr.res", "fr_CA.res", "en.res", "en_GB.res", "root.res",
        "coll/fr.res", "coll/en_US_POSIX.res", "coll/root.res",
        "zone/fr.res", "curr/en_001.res", "lang/root.res", "region/fr_BE.res",
        "unit/en.res", "rbnf/fr.res", "brkitr/fr.res",
    ],
)  # fmt: skip
def test_french_english_and_root_locale_items_are_kept(item: str) -> None:
    assert not icu_data.is_unused(item, 10_000, LANGUAGES)


@pytest.mark.parametrize("item", ["de.res", "coll/ja.res", "zone/de_AT.res", "curr/zh_Hant.res"])
def test_other_languages_are_dropped(item: str) -> None:
    assert icu_data.is_unused(item, 10_000, LANGUAGES)


@pytest.mark.parametrize(
    "item",
    [
        "res_index.res", "coll/res_index.res", "pool.res", "zone/pool.res",
        "supplementalData.res", "zoneinfo64.res", "metaZones.res", "coll/ucadata.icu",
        "nfc.nrm", "cnvalias.icu",
    ],
)  # fmt: skip
def test_items_of_no_language_are_kept(item: str) -> None:
    assert not icu_data.is_unused(item, 10_000, LANGUAGES)


def test_the_break_iterator_tree_goes_only_when_listed() -> None:
    for item in ("brkitr/word.brk", "brkitr/fr.res", "brkitr/root.res"):
        assert not icu_data.is_unused(item, 10_000, LANGUAGES)
        assert icu_data.is_unused(item, 10_000, LANGUAGES, dropped_trees=("brkitr",))
    assert not icu_data.is_unused("coll/fr.res", 10_000, LANGUAGES, dropped_trees=("brkitr",))


def test_large_code_pages_go_only_when_asked_and_small_ones_stay() -> None:
    big, small = "ibm-943_P15A-2003.cnv", "ibm-5348_P100-1997.cnv"  # Shift-JIS, windows-1252
    assert not icu_data.is_unused(big, 170_000, LANGUAGES)
    assert icu_data.is_unused(big, 170_000, LANGUAGES, drop_multi_byte_code_pages=True)
    for drop in (False, True):
        assert not icu_data.is_unused(small, 2_000, LANGUAGES, drop_multi_byte_code_pages=drop)


# -- reading a package -------------------------------------------------------------


@linux_only
def test_read_items_lists_chromiums_package() -> None:
    package = CHROMIUM_DATA.read_bytes()
    prefix, sizes = icu_data.read_items(package)
    assert re.fullmatch(r"icudt\d+l", prefix), prefix
    assert {"coll/fr.res", "coll/de.res", "res_index.res", "zoneinfo64.res"} <= set(sizes)
    assert all(size > 0 for size in sizes.values())
    assert 0.95 * len(package) < sum(sizes.values()) <= len(package)


def test_read_items_refuses_what_is_not_a_package() -> None:
    with pytest.raises(icu_data.IcuDataError):
        icu_data.read_items(b"\x00" * 64)


# -- the trimmed data, loaded -------------------------------------------------------


@pytest.fixture(scope="module")
def trimmed_qt_library(tools, tmp_path_factory) -> Path:
    return icu_data.trimmed_library(QT_LIBRARY, tmp_path_factory.mktemp("qt-icu"), LANGUAGES)


@linux_only
@needs_tools
def test_qt_library_package_is_read_and_trimmed(tools, trimmed_qt_library: Path) -> None:
    symbol, offset, size = icu_data.common_data_symbol(QT_LIBRARY)
    assert re.fullmatch(r"icudt\d+_dat", symbol)
    with QT_LIBRARY.open("rb") as library:
        library.seek(offset)
        prefix, sizes = icu_data.read_items(library.read(size))
    assert prefix == symbol.removesuffix("_dat") + "l"
    assert 0.95 * size < sum(sizes.values()) <= size
    assert QT_LIBRARY.stat().st_size > 25 * MB
    assert trimmed_qt_library.name == QT_LIBRARY.name
    assert trimmed_qt_library.stat().st_size < 8 * MB
    assert icu_data.common_data_symbol(trimmed_qt_library)[0] == symbol


@linux_only
@needs_tools
def test_qt_still_sorts_french_names_zones_and_code_pages(tools, trimmed_qt_library: Path) -> None:
    folder = str(trimmed_qt_library.parent)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**os.environ, "LD_LIBRARY_PATH": folder, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Could not create collator" not in result.stderr  # ICU found no collation data
    answer = json.loads(result.stdout)
    assert answer["libicudata"] == [str(trimmed_qt_library)]  # the trimmed one was loaded
    assert answer["sorted"] == ["abc", "eric", "Éric", "étage", "Ezra", "œuf", "zèbre"]
    assert answer["zone"] == "heure normale d’Europe centrale"
    assert answer["cp1252"] is True


@linux_only
@needs_tools
def test_chromium_data_file_keeps_french_collation_and_line_breaking(tools, tmp_path: Path) -> None:
    trimmed = icu_data.trimmed_data_file(CHROMIUM_DATA, tmp_path / "chromium", LANGUAGES)
    assert trimmed.name == CHROMIUM_DATA.name
    prefix, sizes = icu_data.read_items(trimmed.read_bytes())
    assert prefix == icu_data.read_items(CHROMIUM_DATA.read_bytes())[0]
    assert {"coll/fr.res", "coll/en.res", "coll/root.res", "zoneinfo64.res"} <= set(sizes)
    assert any(item.startswith("brkitr/") for item in sizes)  # Chromium breaks lines with it
    assert "coll/de.res" not in sizes
    assert trimmed.stat().st_size < CHROMIUM_DATA.stat().st_size * 0.75
