"""Use-cases the UI and the CLI call: open a data folder, create the demo network."""
