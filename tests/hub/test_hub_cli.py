"""``companion-hub``: members, toolbox publishing, epochs, and what ``serve`` starts."""

from __future__ import annotations

import shutil
import sys

import pytest

from companion.hub import cli
from companion.toolbox.items import bundle_root
from tests.french import fr


@pytest.fixture
def run(hub_location, capsys):
    """Run ``companion-hub`` on the test's hub; answers (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        location = ["--data", str(hub_location.data_dir)]
        if hub_location.url:
            location += ["--database-url", hub_location.url]
        code = cli.main([*args, *location])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_member_add_list_revoke(run, hub_location):
    code, out, _err = run("member", "add", "Alice Martin", "--role", "admin")
    assert code == 0
    assert "Alice Martin" in out and "admin" in out and "une seule fois" in out
    token = out.strip().splitlines()[-1]
    store = hub_location.open()
    alice = store.authenticate(token)
    assert alice is not None and alice.is_admin and alice.id in out

    code, out, _err = run("member", "add", "Bruno")
    assert code == 0
    code, out, _err = run("member", "list")
    lines = out.strip().splitlines()
    assert [line.split("\t")[1] for line in lines] == ["Alice Martin", "Bruno"]
    assert lines[1].split("\t")[2] == "member" and lines[1].endswith("actif")
    assert token not in out

    code, out, _err = run("member", "revoke", "Alice Martin")
    assert code == 0 and "révoqué" in out
    assert store.authenticate(token) is None
    assert "révoqué le" in run("member", "list")[1].splitlines()[0]

    code, out, _err = run("member", "token", alice.id)
    assert code == 0
    assert store.authenticate(out.strip().splitlines()[-1]).id == alice.id


def test_member_errors_are_french_and_exit_2(run):
    assert run("member", "add", "Alice")[0] == 0
    code, _out, err = run("member", "add", "Alice")
    assert code == 2 and fr("Erreur : Le membre « Alice » existe déjà.") in err
    code, _out, err = run("member", "revoke", "Zoé")
    assert code == 2 and fr("Aucun membre « Zoé »") in err


def test_member_add_keeps_the_laptops_id(run, hub_location):
    laptop = "5b0d7c5e-4a8e-4f3c-9d55-1f3e0e6f1a20"
    assert run("member", "add", "Alice", "--id", laptop)[0] == 0
    assert hub_location.open().find_member("Alice").id == laptop


def test_toolbox_publish(run, hub_location, tmp_path):
    root = tmp_path / "boite"
    shutil.copytree(bundle_root(), root)
    path = root / "items" / "guide-etapes-alliance.md"
    code, out, _err = run("toolbox", "publish", str(path))
    assert code == 0 and "publié en version 1.0 (2 fichiers)" in out
    code, out, _err = run("toolbox", "publish", str(path))
    assert code == 0 and "déjà publié" in out
    path.write_text(path.read_text(encoding="utf-8").replace('"1.0"', '"1.1"'), encoding="utf-8")
    code, out, _err = run("toolbox", "publish", str(path))
    assert code == 0 and "de la version 1.0 à 1.1" in out
    assert [item.version for item in hub_location.open().manifest()] == ["1.1"]
    code, _out, err = run("toolbox", "publish", str(root / "nowhere.md"))
    assert code == 2 and "Erreur" in err


def test_new_epoch(run, hub_location):
    before = hub_location.open().state().epoch
    code, out, _err = run("new-epoch")
    assert code == 0 and "resynchroniser" in out
    assert hub_location.open().state().epoch not in (before, "")


def test_serve_starts_uvicorn_on_the_hub(run, monkeypatch):
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options, app=app))
    code, _out, err = run("serve", "--port", "9999")
    assert code == 0
    assert (started["host"], started["port"]) == ("127.0.0.1", 9999)
    assert callable(started["app"])
    assert "HTTPS" not in err
    code, _out, err = run("serve", "--host", "0.0.0.0")
    assert code == 0 and "sans HTTPS" in err


def test_serve_without_the_hub_extra_says_what_to_install(run, monkeypatch):
    """A laptop's install (no `hub` extra): members work, `serve` names the missing package."""
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    code, out, err = run("serve", "--port", "9999")
    assert code == 2 and out == ""
    assert fr('Le serveur du hub demande le paquet uvicorn : pip install "companion[hub]".') in err
    assert run("member", "add", "Alice")[0] == 0
