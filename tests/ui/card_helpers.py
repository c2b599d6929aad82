"""Helpers for the directory's editing tests: a shown card, scripted confirmations."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from companion.store import Store
from companion.ui.directory.actor_card import ActorCard


def make_card(qtbot, store: Store, actor_id: str) -> ActorCard:
    card = ActorCard(store)
    qtbot.addWidget(card)
    card.resize(500, 700)
    card.show()
    card.show_actor(actor_id)
    return card


def answer(monkeypatch, button: QMessageBox.StandardButton) -> list[str]:
    """Make confirmations answer ``button``; returns the questions asked."""
    asked: list[str] = []

    def question(_parent, _title, text, *_args):
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked
