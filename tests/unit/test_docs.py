"""The docs name only what exists: the repository's paths and the commands they mention.

README.md and docs/*.md are read: their backquoted spans and the lines of their shell
code blocks. A path is checked against the working tree: a repository path
(`companion/maps/page.py`, `scripts/…`, `tests/…`, `build.spec`), a path inside the package
as the docs shorten it (`ui/app.py`, `maps/server.py`: the folder is one of companion's
subpackages), a glob (`ui/toolbox_*.py`), a placeholder (`<lang>`) matching anything, a bare
file name (`lines.js`: some file of the repository has that name). A command is checked
against what defines it: `companion …` and `companion-hub …` against their argparse parsers
(every subcommand and option named), `make …` against the Makefile's targets, `python -m …`
against the modules (and the benchmarks' names). What the docs name outside the repository
is left alone: URLs, the user's data folder (`sauvegardes/…`), build outputs (`build/`,
`dist/`).
"""

from __future__ import annotations

import argparse
import importlib
import re
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from companion.cli import build_parser as companion_parser
from companion.hub.cli import build_parser as hub_parser

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PACKAGE = ROOT / "companion"
SUBPACKAGES = {init.parent.name for init in PACKAGE.glob("*/__init__.py")}
# Named by the docs, never in the repository: what builds write, the data folder's names.
OUTSIDE = {"build", "dist", ".venv", "journaux", "sauvegardes", "boiteaoutils", "fichiers"}
OUTSIDE |= {"lisible", "basemaps"}
# A bare file name with one of these is a source file the docs name short (`lines.js`).
SOURCE_SUFFIXES = (".py", ".js", ".css")
UI_NOTE = (
    " (a file of companion/ui/ moved? docs/ARCHITECTURE.md's description of companion/ui/ "
    "must follow its layout: redraw it)"
)


@dataclass(frozen=True)
class Mention:
    """A backquoted span or a shell line of a doc, and where it is."""

    doc: Path
    line: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def tracked_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return listing.stdout.splitlines()


TRACKED = tracked_files()
ROOT_ENTRIES = {name.split("/", 1)[0] for name in TRACKED}
FILE_NAMES = {Path(name).name for name in TRACKED}


def mentions(doc: Path) -> Iterator[Mention]:
    """Backquoted spans (which may run over a line break) and shell code-block lines."""
    text = doc.read_text(encoding="utf-8")
    prose = []
    fence = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:].strip()
            prose.append("")
            continue
        if fence is None or fence == "":  # prose, or a listing (the layout's tree)
            prose.append(line)
        else:
            prose.append("")
        if fence in ("", "sh", "bash"):
            yield Mention(doc, number, line.split(" #", 1)[0].strip())
    joined = "\n".join(prose)
    for match in re.finditer(r"`([^`]+)`", joined):
        line = joined.count("\n", 0, match.start()) + 1
        yield Mention(doc, line, " ".join(match.group(1).split()))


ALL_MENTIONS = [mention for doc in DOCS for mention in mentions(doc)]


# Paths.


def path_words(mention: Mention) -> Iterator[str]:
    """The words of a mention that name a file or folder."""
    for word in mention.text.split():
        word = word.strip("[](),;:\"'`")
        if not word or "://" in word or "?" in word or "=" in word or word.startswith("-"):
            continue
        if "|" in word:
            continue  # `companion encrypt|decrypt`: commands
        if word.startswith(("/", "~", "$", ".venv", "http", "qrc:", "companion:")):
            continue
        if "…" in word or "..." in word:
            continue
        if "/" in word or word.endswith(SOURCE_SUFFIXES):
            yield word


def resolve(word: str) -> Path | str | None:
    """The path a word names in the working tree, or why it cannot be there; None: not ours."""
    pattern = re.sub(r"<[^>]+>", "*", word)
    if "/" not in pattern:
        if re.fullmatch(r"[\w.*-]+", pattern) is None or pattern.count(".") != 1:
            return None  # a dotted name (`catalogue.install_item`), not a file
        return pattern  # a bare file name
    first = pattern.split("/", 1)[0]
    if first in OUTSIDE or re.fullmatch(r"[a-z_.][\w.-]*", first) is None:
        return None  # outside the repository, or prose (`SIREN/SIRET`, `@scope/package`)
    if first in SUBPACKAGES:
        return PACKAGE / pattern.rstrip("/")
    if first in ROOT_ENTRIES:
        return ROOT / pattern.rstrip("/")
    return f"{first}/ is not a folder of the repository"


def exists(path: Path) -> bool:
    if "*" in path.name or any("*" in part for part in path.parts):
        relative = path.relative_to(ROOT)
        return any(ROOT.glob(str(relative)))
    return path.exists()


def missing_path(word: str) -> str | None:
    target = resolve(word)
    if target is None:
        return None
    if isinstance(target, str) and "/" not in target:
        if any(Path(name).match(target) for name in FILE_NAMES):
            return None
        return f"no file of the repository is named {target}"
    if isinstance(target, str):
        return target
    if exists(target):
        return None
    module, _, attribute = target.name.partition(".")
    if attribute and (target.parent / f"{module}.py").is_file():
        return missing_attribute(target.parent / module, attribute)  # `io/limits.ARCHIVE`
    return f"{target.relative_to(ROOT)} does not exist"


def missing_attribute(module_path: Path, attribute: str) -> str | None:
    name = ".".join(module_path.relative_to(ROOT).parts)
    module = importlib.import_module(name)
    if hasattr(module, attribute):
        return None
    return f"{name} has no {attribute}"


def test_every_path_the_docs_name_exists() -> None:
    problems = []
    for mention in ALL_MENTIONS:
        for word in path_words(mention):
            problem = missing_path(word)
            if problem is not None:
                problems.append(problem_line(mention, word, problem))
    assert not problems, "The docs name paths that do not exist:\n" + "\n".join(problems)


def problem_line(mention: Mention, word: str, problem: str) -> str:
    note = ""
    if mention.doc.name == "ARCHITECTURE.md" and ("ui/" in word or "/" not in word):
        note = UI_NOTE  # its bare names are mostly files of companion/ui/
    return f"{mention.where}: `{word}`: {problem}{note}"


# Commands.


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {name: action for action in parser._actions for name in action.option_strings}


def read_command(
    parser: argparse.ArgumentParser, words: list[str], chain: str
) -> tuple[list[str], set[str]]:
    """What in ``words`` (after ``chain``, the program and its subcommands so far) the parser
    does not know, and the subcommand chains they name.

    Options are checked where they stand; the first word that is neither an option nor an
    option's value must be a subcommand while the parser has some (`add/list/revoke`: each
    of them), and is an argument afterwards.
    """
    problems, named = [], set()
    known = options(parser)
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word in ("…", "...") or not word:
            continue
        if word.startswith("-"):
            action = None
            for option in word.split("=", 1)[0].split("/"):  # --ssl-certfile/--ssl-keyfile
                action = known.get(option)
                if action is None:
                    problems.append(f"{parser.prog} has no option {option}")
            if action is not None and action.nargs is None and "=" not in word:
                index += 1  # the option's value
            continue
        choices = subcommands(parser)
        if not choices:
            continue  # an argument of the command
        for name in word.split("/"):
            if name not in choices:
                problems.append(f"{parser.prog} has no subcommand {name}")
                continue
            named.add(f"{chain} {name}")
            more_problems, more_named = read_command(
                choices[name], words[index:], f"{chain} {name}"
            )
            problems += more_problems
            named |= more_named
        break
    return problems, named


def makefile_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set()
    for match in re.finditer(r"^([\w.][\w. -]*?)\s*:(?!=)", makefile, re.MULTILINE):
        targets.update(match.group(1).split())
    return targets


PARSERS = {"companion": companion_parser(), "companion-hub": hub_parser()}
TARGETS = makefile_targets()


def alternatives(text: str) -> list[str]:
    """`companion encrypt|change-key|decrypt` is three commands."""
    first, *others = text.split("|")
    program = first.split()[0] if first.split() else ""
    return [first] + [f"{program} {other}" for other in others]


def words_of(text: str) -> list[str]:
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    words = [word.strip("[]") for word in words]
    while words and re.fullmatch(r"\w+=.*", words[0]):
        words = words[1:]  # VAR=value before the command
    return words


def check_command(text: str) -> tuple[list[str], set[str]]:
    """The problems of one command line, and the subcommand chains it names."""
    words = words_of(text)
    if not words:
        return [], set()
    program, rest = words[0].removeprefix(".venv/bin/"), words[1:]
    if program.startswith("python") and rest[:2] == ["-m", "companion"]:
        program, rest = "companion", rest[2:]
    elif program.startswith("python") and rest[:1] == ["-m"] and len(rest) > 1:
        return check_module(text, rest[1], rest[2:]), set()
    if program in PARSERS:
        problems, named = read_command(PARSERS[program], rest, program)
        return [f"`{text}`: {problem}" for problem in problems], named
    if program == "make":
        targets = [word for word in rest if not word.startswith("-") and "=" not in word]
        missing = [target for target in targets if target not in TARGETS]
        return [f"`{text}`: the Makefile has no target {target}" for target in missing], set()
    return [], set()


def check_module(text: str, module: str, rest: list[str]) -> list[str]:
    """`python -m MODULE …`: the module exists (the benchmark too), if it is the project's."""
    if module.split(".")[0] not in ROOT_ENTRIES:
        return []  # another package's (pip, PyInstaller)
    base = ROOT.joinpath(*module.split("."))
    if not (base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()):
        return [f"`{text}`: there is no module {module}"]
    if module != "benchmarks":
        return []
    names = [word for word in rest if not word.startswith("-")][:1]
    unknown = [name for name in names if not (base / f"{name}.py").is_file()]
    unknown = [name for name in unknown if name != "all" and not name.isupper()]  # NAME
    return [f"`{text}`: no benchmark {name}" for name in unknown]


def test_every_command_the_docs_name_exists() -> None:
    problems = []
    for mention in ALL_MENTIONS:
        for command in alternatives(mention.text):
            problems += [f"{mention.where}: {problem}" for problem in check_command(command)[0]]
    assert not problems, "The docs name commands that do not exist:\n" + "\n".join(problems)


def test_every_subcommand_is_in_the_docs() -> None:
    """The other way round: a newcomer finds each command in the docs."""
    named = set()
    for mention in ALL_MENTIONS:
        for command in alternatives(mention.text):
            named |= check_command(command)[1]

    def chains(parser: argparse.ArgumentParser, prefix: str) -> Iterator[str]:
        for name, sub in subcommands(parser).items():
            if subcommands(sub):
                yield from chains(sub, f"{prefix} {name}")
            else:
                yield f"{prefix} {name}"

    every = [chain for program, parser in PARSERS.items() for chain in chains(parser, program)]
    undocumented = [chain for chain in every if chain not in named]
    assert not undocumented, "Subcommands the docs never name: " + ", ".join(undocumented)


def test_the_checks_catch_what_is_stale() -> None:
    """The checks above fail on names that do not exist (else they would prove nothing)."""
    assert missing_path("companion/maps/page.py") is None
    assert missing_path("ui/shell/app.py") is None
    assert missing_path("companion/resources/locale/<lang>/LC_MESSAGES/companion.po") is None
    assert missing_path("maps/filters.RELATION_MODES") is None
    assert missing_path("sauvegardes/companion-<date>.db") is None  # the data folder
    assert missing_path("companion/maps/nowhere.py") == "companion/maps/nowhere.py does not exist"
    assert missing_path("resources/map/map.js") == "resources/ is not a folder of the repository"
    assert (
        missing_path("ui/toolbox_nothing_*.py")
        == "companion/ui/toolbox_nothing_*.py does not exist"
    )
    assert missing_path("nothing_here.py") == "no file of the repository is named nothing_here.py"
    assert missing_path("hub/") is None
    assert missing_path("nothing/") == "nothing/ is not a folder of the repository"
    assert missing_path("maps/filters.NOTHING") == "companion.maps.filters has no NOTHING"

    architecture = Mention(ROOT / "docs" / "ARCHITECTURE.md", 7, "ui/gone.py")
    line = problem_line(architecture, "ui/gone.py", missing_path("ui/gone.py"))
    assert line.startswith("docs/ARCHITECTURE.md:7: `ui/gone.py`: companion/ui/gone.py does not")
    assert line.endswith(UI_NOTE)

    assert check_command("companion map export --format pdf --data DIR") == (
        [], {"companion map", "companion map export"}
    )  # fmt: skip
    assert check_command("companion-hub member add/token --data D") == (
        [], {"companion-hub member", "companion-hub member add", "companion-hub member token"}
    )  # fmt: skip
    assert check_command("companion-hub member renew")[0] == [
        "`companion-hub member renew`: companion-hub member has no subcommand renew"
    ]
    assert check_command("companion search x --colour red")[0] == [
        "`companion search x --colour red`: companion search has no option --colour"
    ]
    assert alternatives("companion encrypt|decrypt") == ["companion encrypt", "companion decrypt"]
    assert check_command("COMPANION_FIRST_RUN=demo make run ARGS='--data D'") == ([], set())
    assert check_command("make deploy")[0] == ["`make deploy`: the Makefile has no target deploy"]
    assert check_command("python -m benchmarks nothing")[0] == [
        "`python -m benchmarks nothing`: no benchmark nothing"
    ]
