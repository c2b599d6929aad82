"""``python -m benchmarks NAME [--option …]`` runs one benchmark; ``all`` runs every one.

Options after the names go to benchmarks that take them (``sync --seconds 10``).
"""

import importlib
import sys

BENCHMARKS = [
    "search", "gazetteer", "startup", "map", "directory", "duplicates", "toolbox", "sync",
    "insights", "basemap", "addresses",
]  # fmt: skip


def main(argv: list[str]) -> int:
    split = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    names, options = argv[:split] or ["all"], argv[split:]
    if names == ["all"]:
        names = BENCHMARKS
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}",
            file=sys.stderr,
        )
        return 2
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        if options:
            module.main(options)
        else:
            module.main()
    return 0


sys.exit(main(sys.argv[1:]))
