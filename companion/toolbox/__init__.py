"""The shared toolbox (Qt-free): items, local catalogue, search, reader, templates.

Items are Markdown files with TOML front matter, identified by a stable UUID;
their files (the item itself and its images) are known by SHA-256. The app
ships a bundle (``companion/resources/toolbox``), installed into the local
catalogue at start-up; the hub will later publish new items and versions the same way.
Modules: ``items`` (parse), ``catalogue`` (install, read), ``search``,
``personal`` (favourites, recent, notes), ``render`` (reader HTML) and
``templates`` ("Utiliser ce modèle").
"""
