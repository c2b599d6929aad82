"""Imports and exports of real-world files (Qt-free): CSV as spreadsheets export it, and more."""
