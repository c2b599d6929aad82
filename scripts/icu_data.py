"""ICU's data cut down to the languages the app ships, for the Linux bundle (build.spec).

Qt links ICU, whose data library (libicudata, 32 MB) holds every locale of the world, but
Qt calls it for three things only: collation (QCollator, sorting), time zone names and
legacy code pages (QStringConverter). Chromium, inside QtWebEngine, reads its own copy
(icudtl.dat, 10 MB). Both keep here the data of the shipped languages and of ``root``
(the fallback every locale inherits) and every item that belongs to no language
(supplemental data, normalization, time zones, collation's base table). Qt's copy also
loses the break-iterator tree (Qt segments text with its own Unicode tables; Chromium
keeps its own for line breaking) and the multi-byte East Asian code pages (the app's
imports are decoded by Python). Asking for a dropped locale gets root's data, as ICU does
for any locale it lacks.

Tools: ``icupkg`` (Debian's icu-devtools) rewrites the package, ``readelf`` finds the data
in the library and ``gcc`` wraps the smaller package in a library of the same name.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from collections.abc import Collection
from pathlib import Path

TOOLS = {"icupkg": "icu-devtools", "gcc": "gcc", "readelf": "binutils"}
ALWAYS_KEPT = {"root.res", "res_index.res", "pool.res"}
LOCALE_ITEM = re.compile(r"^(?P<language>[a-z]{2,3}|root)(?:_[A-Za-z0-9]+)*\.res$")
# Single-byte code page tables are a few kB; above this are the East Asian multi-byte ones.
LARGEST_CODE_PAGE = 20_000
QT_DROPPED_TREES = ("brkitr",)
MISSING_DEPENDENCY = re.compile(r"Item (\S+) depends on missing item (\S+)")
LIBRARY_SOURCE = """\
    .section .rodata
    .globl {symbol}
    .type {symbol}, @object
    .balign 16
{symbol}:
    .incbin "{package}"
    .size {symbol}, . - {symbol}
    .section .note.GNU-stack,"",@progbits
"""


class IcuDataError(RuntimeError):
    pass


def missing_tools() -> list[str]:
    """The Debian packages to install before trimming (empty when all tools are here)."""
    return sorted({package for tool, package in TOOLS.items() if shutil.which(tool) is None})


def is_unused(
    item: str,
    size: int,
    languages: Collection[str],
    dropped_trees: Collection[str] = (),
    drop_multi_byte_code_pages: bool = False,
) -> bool:
    """Whether a package item (``coll/de.res``, ``ibm-943_P15A-2003.cnv``) can go."""
    tree, _slash, name = item.rpartition("/")
    if tree in dropped_trees:
        return True
    if name.endswith(".cnv"):
        return drop_multi_byte_code_pages and size > LARGEST_CODE_PAGE
    if name in ALWAYS_KEPT:
        return False
    match = LOCALE_ITEM.match(name)
    return match is not None and match["language"] not in languages


def read_items(package: bytes) -> tuple[str, dict[str, int]]:
    """(package name, e.g. ``icudt73l``; item name -> size) from a common data file's TOC."""
    header_size, magic = struct.unpack_from("<HH", package, 0)
    if magic != 0x27DA or package[12:16] != b"CmnD":
        raise IcuDataError("not an ICU common data package")
    count = struct.unpack_from("<I", package, header_size)[0]
    entries = struct.unpack_from(f"<{2 * count}I", package, header_size + 4)
    names, offsets = [], []
    for index in range(count):
        start = header_size + entries[2 * index]
        names.append(package[start : package.index(b"\0", start)].decode("ascii"))
        offsets.append(header_size + entries[2 * index + 1])
    ends = [*offsets[1:], len(package)]
    prefix = names[0].split("/", 1)[0] if names else ""
    sizes = {
        name.split("/", 1)[1]: end - start
        for name, start, end in zip(names, offsets, ends, strict=True)
    }
    return prefix, sizes


def trim_package(
    package: bytes,
    workdir: Path,
    languages: Collection[str],
    dropped_trees: Collection[str] = (),
    drop_multi_byte_code_pages: bool = False,
) -> Path:
    """The package less the unused items, written in ``workdir``; returns its path.

    Items that come to depend on a removed one (a code page built on a removed table, a
    collation variant of a removed language) go too; dependencies the package already
    lacked (Chromium's copy has a few) are left as they were.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    prefix, sizes = read_items(package)
    source = workdir / "source" / f"{prefix}.dat"  # icupkg wants the file named as its items
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(package)
    already_missing = _missing_dependencies(source)
    removed = {
        item
        for item, size in sizes.items()
        if is_unused(item, size, languages, dropped_trees, drop_multi_byte_code_pages)
    }
    target = workdir / f"{prefix}.dat"
    while True:
        removal_list = workdir / "removed.txt"
        removal_list.write_text("".join(f"{item}\n" for item in sorted(removed)))
        target.unlink(missing_ok=True)
        _icupkg("--ignore-deps", "-r", str(removal_list), str(source), str(target))
        broken = {item for item, _needed in _missing_dependencies(target) - already_missing}
        if not broken:
            return target
        if broken <= removed:
            raise IcuDataError(f"icupkg still lists removed items as dependents: {sorted(broken)}")
        removed |= broken


def common_data_symbol(library: Path) -> tuple[str, int, int]:
    """(symbol, file offset, size) of the ICU data a library such as libicudata exports."""
    symbols = _readelf("--dyn-syms", library)
    match = re.search(
        r":\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+\d+\s+(icudt\d+_dat)\b",
        symbols,
    )
    if match is None:
        raise IcuDataError(f"{library}: no icudt*_dat symbol")
    address, size, symbol = int(match[1], 16), int(match[2], 0), match[3]
    for section in re.finditer(
        r"\]\s+\S+\s+\S+\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)", _readelf("-S", library)
    ):
        start, offset, length = (int(value, 16) for value in section.groups())
        if start <= address and address + size <= start + length and start:
            return symbol, address - start + offset, size
    raise IcuDataError(f"{library}: {symbol} is in no section")


def trimmed_library(library: Path, workdir: Path, languages: Collection[str]) -> Path:
    """Qt's libicudata rebuilt with only ``languages``' data; same file and symbol names."""
    symbol, offset, size = common_data_symbol(library)
    with library.open("rb") as file:
        file.seek(offset)
        package = file.read(size)
    trimmed = trim_package(
        package, workdir, languages, QT_DROPPED_TREES, drop_multi_byte_code_pages=True
    )
    source = workdir / "data.S"
    source.write_text(LIBRARY_SOURCE.format(symbol=symbol, package=_escaped(trimmed)))
    output = workdir / library.name
    subprocess.run(
        ["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-Wl,-z,noexecstack",
         "-o", str(output), str(source)],
        check=True,
    )  # fmt: skip
    return output


def trimmed_data_file(data_file: Path, workdir: Path, languages: Collection[str]) -> Path:
    """Chromium's icudtl.dat with only ``languages``' locale data (same file name)."""
    trimmed = trim_package(data_file.read_bytes(), workdir, languages)
    output = workdir / data_file.name
    shutil.copyfile(trimmed, output)
    return output


def _missing_dependencies(package: Path) -> set[tuple[str, str]]:
    listing = subprocess.run(
        ["icupkg", "-l", package.name], cwd=package.parent, capture_output=True, text=True
    )
    return set(MISSING_DEPENDENCY.findall(listing.stdout + listing.stderr))


def _icupkg(*args: str) -> None:
    result = subprocess.run(["icupkg", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise IcuDataError(f"icupkg {' '.join(args)}: {result.stderr.strip()}")


def _readelf(option: str, library: Path) -> str:
    return subprocess.run(
        ["readelf", "-W", option, str(library)], capture_output=True, text=True, check=True
    ).stdout


def _escaped(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace('"', '\\"')
