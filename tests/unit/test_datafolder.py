import pytest

from companion.app.datafolder import DataFolderError, has_database, open_store, prepare_data_folder


def test_missing_folder_is_created(tmp_path):
    folder = tmp_path / "un" / "dossier" / "neuf"
    path = prepare_data_folder(folder)
    assert folder.is_dir() and path.parent == folder
    store = open_store(folder)
    store.close()
    assert has_database(folder)


def test_a_file_in_place_of_the_folder_is_refused(tmp_path):
    blocker = tmp_path / "données"
    blocker.write_text("pas un dossier")
    with pytest.raises(DataFolderError, match="est un fichier, pas un dossier"):
        prepare_data_folder(blocker)
    assert blocker.read_text() == "pas un dossier"


def test_folder_under_a_file_cannot_be_created(tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    with pytest.raises(DataFolderError, match="Impossible de créer le dossier de données"):
        prepare_data_folder(blocker / "sous-dossier")
