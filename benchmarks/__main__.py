"""``python -m benchmarks NAME`` runs one benchmark; ``all`` runs every one."""

import importlib
import sys

BENCHMARKS = ["search", "gazetteer", "startup", "map", "directory", "duplicates", "toolbox"]


def main(argv: list[str]) -> int:
    names = argv or ["all"]
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
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


sys.exit(main(sys.argv[1:]))
