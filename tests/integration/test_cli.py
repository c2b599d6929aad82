import json
import subprocess
import sys

import pytest

from companion import __version__
from companion.cli import main
from tests.french import fr


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "companion", *args], capture_output=True, text=True, timeout=300
    )


def test_version_and_help():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"companion {__version__}"
    help_text = run_cli("--help").stdout
    for command in ("demo", "search", "geocode", "--data"):
        assert command in help_text


def test_geocode_prints_json_lines(capsys):
    assert main(["geocode", "94120"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [c["name"] for c in lines] == ["Fontenay-sous-Bois"]
    commune = lines[0]
    assert commune["insee"] == "94033" and commune["departement"] == "94"
    assert "94120" in commune["postcodes"]
    assert 48.8 < commune["latitude"] < 48.9 and 2.4 < commune["longitude"] < 2.5


def test_geocode_homonyms_and_unknown(capsys):
    assert main(["geocode", "saint denis"]) == 0
    departements = {
        json.loads(line)["departement"] for line in capsys.readouterr().out.splitlines()
    }
    assert {"11", "30", "93", "974"} <= departements
    assert main(["geocode", "Zzyzxville"]) == 1
    assert "Aucune commune trouvée" in capsys.readouterr().err


def test_demo_then_search(tmp_path, capsys):
    folder = tmp_path / "data"
    assert main(["demo", "--catalysts", "3", "--seed", "5", "--data", str(folder)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["actors"] >= 3 * 21

    assert main(["--data", str(folder), "search", "pole catalyse"]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    actors = [hit for hit in hits if hit["type"] == "actor"]
    assert len(actors) == 3 and all(hit["title"].startswith("Pôle de catalyse") for hit in actors)
    # Their people match too, through their e-mail addresses.
    assert {hit["type"] for hit in hits} <= {"actor", "person"}


def test_demo_never_overwrites_silently(tmp_path, capsys):
    folder = tmp_path / "data"
    assert main(["demo", "--catalysts", "1", "--data", str(folder)]) == 0
    capsys.readouterr()
    assert main(["demo", "--catalysts", "1", "--data", str(folder)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["demo", "--catalysts", "2", "--replace", "--data", str(folder)]) == 0
    assert len(list((folder / "sauvegardes").iterdir())) == 1


def test_search_without_database_explains(tmp_path, capsys):
    assert main(["search", "x", "--data", str(tmp_path / "vide")]) == 2
    assert "companion demo" in capsys.readouterr().err


def test_unusable_data_folder_gives_french_error(tmp_path, capsys):
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    assert main(["demo", "--data", str(blocker)]) == 2
    assert fr("Erreur : ") in capsys.readouterr().err


@pytest.mark.parametrize("garbage", [b"garbage" * 500])
def test_corrupt_database_is_reported_not_touched(tmp_path, capsys, garbage):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "companion.db").write_bytes(garbage)
    assert main(["search", "x", "--data", str(folder)]) == 2
    assert "endommagé" in capsys.readouterr().err
    assert (folder / "companion.db").read_bytes() == garbage


def test_a_plain_start_opens_the_app_without_the_parser(monkeypatch, tmp_path):
    from companion import cli
    from companion.ui.shell import app as app_module

    opened: list[object] = []
    monkeypatch.setattr(app_module, "run_gui", lambda data_dir=None: opened.append(data_dir) or 0)
    monkeypatch.setattr(cli, "build_parser", lambda: pytest.fail("the parser was built"))
    assert cli.main([]) == 0
    assert cli.main(["--data", str(tmp_path)]) == 0
    assert cli.main([f"--data={tmp_path}"]) == 0
    # No folder given: the app chooses ($COMPANION_DATA, the folder chosen at the first start).
    assert opened == [None, tmp_path, tmp_path]
    assert cli._gui_only(["search", "x"]) is None and cli._gui_only(["--version"]) is None


def test_a_reader_that_stops_early_gets_no_traceback():
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "companion", "geocode", "saint", "--limit", "5000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.readline()  # `| head -1`: one line read, then the pipe closes
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert b"Traceback" not in process.stderr.read()
    process.stderr.close()
