"""Text as people read it: names listed with their accents where they belong."""


def test_names_are_listed_as_people_read_them():
    from companion.maps.basemap import regions
    from companion.text import sort_key

    names = ["Normandie", "Île-de-France", "Hauts-de-France", "Écoles", "Zèbre", "Etang"]
    assert sorted(names, key=sort_key) == [
        "Écoles", "Etang", "Hauts-de-France", "Île-de-France", "Normandie", "Zèbre",
    ]  # fmt: skip
    listed = [region.name for region in regions()]
    assert listed.index("Hauts-de-France") < listed.index("Île-de-France")
    assert listed.index("Île-de-France") < listed.index("La Réunion")
