"""The window around the features: start-up, main window, menus, preferences, global search."""
