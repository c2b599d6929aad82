"""``companion add-mairie``: a commune's town hall into the directory from the command line."""

import json
import subprocess
import sys

from companion.cli import main
from companion.store import Store
from tests.french import fr


def test_add_mairie_creates_the_town_hall_then_refuses_a_second(tmp_path, capsys):
    folder = tmp_path / "data"
    command = [sys.executable, "-m", "companion", "--data", str(folder)]
    result = subprocess.run(
        [*command, "add-mairie", "Nogent-sur-Marne"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["name"] == "Mairie de Nogent-sur-Marne"
    store = Store.open(folder / "companion.db")
    try:
        actor = store.get_actor(created["created"])
        assert actor.kind == "collectivite" and actor.insee_code == "94052"
        assert actor.address == "Place Roland-Nungesser" and actor.phone == "+33143246200"
        assert actor.description.startswith(fr("Horaires d'ouverture :"))
    finally:
        store.close()

    assert main(["--data", str(folder), "add-mairie", "nogent sur marne"]) == 2
    output = capsys.readouterr()
    assert json.loads(output.out)["exists"] == created["created"]
    assert "déjà dans l'annuaire" in output.err


def test_add_mairie_asks_which_homonym(tmp_path, capsys):
    folder = str(tmp_path / "data")
    assert main(["--data", folder, "add-mairie", "Saint-Denis"]) == 2
    error = capsys.readouterr().err
    assert "Plusieurs communes" in error and "93066" in error and "97411" in error
    assert main(["--data", folder, "add-mairie", "Saint-Denis 93"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "Mairie de Saint-Denis"
    assert main(["--data", folder, "add-mairie", "Zzyzxville"]) == 2
    assert "Aucune commune trouvée" in capsys.readouterr().err
