import pytest


@pytest.fixture
def actors(store):
    return {
        "fontenay": store.add_actor(
            "Ressourcerie de Fontenay-sous-Bois",
            "association",
            commune="Fontenay-sous-Bois",
            postcode="94120",
        ),
        "ecole": store.add_actor(
            "École des Possibles", "association", description="Soutien scolaire"
        ),
        "garage": store.add_actor(
            "Garage solidaire", "entreprise", description="Réparation à prix juste pour l'école"
        ),
    }


def names(store, text):
    return [a.name for a in store.actors(text, sort="rank")]


def test_accent_and_case_insensitive(store, actors):
    assert "École des Possibles" in names(store, "ecole")
    assert "École des Possibles" in names(store, "ÉCOLE")


def test_prefix_and_hyphenated_names(store, actors):
    assert names(store, "Fontenay") == ["Ressourcerie de Fontenay-sous-Bois"]
    assert names(store, "fonten") == ["Ressourcerie de Fontenay-sous-Bois"]
    assert names(store, "94120") == ["Ressourcerie de Fontenay-sous-Bois"]


def test_every_word_must_match(store, actors):
    assert names(store, "garage solid") == ["Garage solidaire"]
    assert names(store, "garage possibles") == []


def test_name_match_ranks_above_description_match(store, actors):
    assert names(store, "ecole") == ["École des Possibles", "Garage solidaire"]


def test_index_follows_edits_deletes_and_tags(store, actors):
    garage = actors["garage"]
    store.update_actor(garage.id, name="Atelier vélo")
    assert names(store, "garage") == []
    assert names(store, "velo") == ["Atelier vélo"]

    store.tag_actor(garage.id, "Mobilité douce")
    assert names(store, "mobilite") == ["Atelier vélo"]
    store.untag_actor(garage.id, "Mobilité douce")
    assert names(store, "mobilite") == []

    store.delete_actor(garage.id)
    assert names(store, "velo") == []
    assert store.count_actors("velo") == 0


def test_people_and_interaction_notes_are_searched(store, actors):
    person = store.add_person("Inès", "Valmorin", notes="Rencontrée au forum")
    store.add_interaction(
        "reunion",
        "2026-03-02",
        actor_id=actors["ecole"].id,
        title="Comité",
        notes="Budget participatif",
    )
    hits = store.search("valmorin")
    assert [(h.entity, h.id) for h in hits] == [("person", person.id)]
    assert [h.entity for h in store.search("budget particip")] == ["interaction"]
    assert [h.entity for h in store.search("forum")] == ["person"]


@pytest.mark.parametrize("text", ['"', "*", "OR", "NEAR(", "a AND", "-", 'école"*)', "   "])
def test_query_syntax_never_leaks_from_user_input(store, actors, text):
    """FTS5 operators typed by a user are words or nothing, never syntax: no error, the
    count agrees with the rows, and only the user's words decide what is found."""
    found = store.actors(text)
    assert store.count_actors(text) == len(found)
    assert {actor.id for actor in found} <= {actor.id for actor in actors.values()}
    assert all(
        hit.entity in {"actor", "person", "interaction", "toolbox"} for hit in store.search(text)
    )
    if not text.strip():
        assert len(found) == len(actors)  # nothing typed: everyone
    if "école" in text:
        assert len(found) == store.count_actors("ecole") == 2  # the word, not the quotes


def test_count_matches_pages(store, actors):
    assert store.count_actors("") == 3
    assert store.count_actors("ecole") == len(store.actors("ecole")) == 2


def test_broad_queries_put_name_matches_first_and_page_consistently(store, monkeypatch):
    from companion.store import store as store_module

    monkeypatch.setattr(store_module, "RANK_LIMIT", 2)
    in_name = [store.add_actor(f"Jardin numéro {i}", "association").id for i in range(4)]
    elsewhere = [
        store.add_actor(f"Ferme {i}", "entreprise", description="Vend au jardin partagé").id
        for i in range(3)
    ]
    store.add_actor("Sans rapport", "autre")

    ranked = [a.id for a in store.actors("jardin", sort="rank", limit=50)]
    assert ranked == in_name[::-1] + elsewhere[::-1]  # each tier newest first
    paged = [
        a.id
        for offset in range(0, 7, 3)
        for a in store.actors("jardin", sort="rank", offset=offset, limit=3)
    ]
    assert paged == ranked
    assert store.count_actors("jardin") == 7
