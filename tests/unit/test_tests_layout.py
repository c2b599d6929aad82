"""The tests' folders hold what tests/README.md says: a file of unit/ starts no server, no
process of the app and no Qt; a file of integration/ does (else it belongs in unit/)."""

import re
from pathlib import Path

UNIT = Path(__file__).parent
INTEGRATION = UNIT.parent / "integration"
STARTS_SOMETHING = re.compile(
    r"LoopbackServer|serving\(|HubProcess|postgres_cluster|hub_location|running_server|"
    r"TileServer|ban_server\(|Popen|executable, \"-m\", \"companion|^from PySide6|"
    r"^import PySide6|qtbot",
    re.MULTILINE,
)


def started(folder: Path) -> dict[str, list[str]]:
    """What each test file of ``folder`` starts, by file name."""
    files = [path for path in sorted(folder.glob("test_*.py")) if path.name != Path(__file__).name]
    assert len(files) > 10, folder
    return {path.name: sorted(set(STARTS_SOMETHING.findall(path.read_text()))) for path in files}


def test_unit_tests_start_no_server_no_process_and_no_qt() -> None:
    assert {name: hits for name, hits in started(UNIT).items() if hits} == {}


def test_integration_tests_start_a_server_or_a_process() -> None:
    assert [name for name, hits in started(INTEGRATION).items() if not hits] == []
