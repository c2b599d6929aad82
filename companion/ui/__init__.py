"""The Qt desktop interface. It imports the Qt-free core; the core never imports it.

One package a feature, each named after the section it serves:

- ``shell/``: start-up, the main window, its menus, preferences, global search (Ctrl+K);
- ``common/``: what every feature uses: background jobs, icons, labels, form parts,
  tables, and ``Window``, the small interface through which features reach the window;
- ``directory/``: actors and people, their cards, forms and tables; duplicates;
- ``map/``: the actor map: its web view, filter drawer, views, stories, exports, tiles;
- ``sync/``, ``data/`` (import wizard, backups, encryption), ``toolbox/``, ``network/``,
  ``territory/``, ``reports/``.

Features import ``common`` (and, where they must, ``directory``), never each other nor
the shell; the shell composes them. ``.importlinter`` holds these rules, CI checks them.
"""
