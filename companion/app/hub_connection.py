"""Which hub this laptop syncs with, and where its token is kept.

One place for both ways of choosing a hub, the connect dialog and
``companion sync --hub``: both remember the same settings, so the app shows the
same thing whichever was used.
"""

from __future__ import annotations

from pathlib import Path

from companion.store import Store
from companion.sync import state

MEMBER_NAME = "sync.member_name"  # settings key: the member name the hub last gave
TOKEN_PLACE = "sync.token_place"  # settings key: "keyring" or "file"


def save_connection(data_dir: Path, url: str, token: str) -> tuple[str, str]:
    """Check the address and keep the token (the keyring may block): the hub's address
    as the client writes it, and where the token went ("keyring", or the file's path)."""
    from companion.sync import credentials
    from companion.sync.hubapi import check_hub_url

    url = check_hub_url(url)
    return url, credentials.save_token(data_dir, url, token.strip())


def remember_hub(store: Store, url: str, token_place: str | None = None) -> None:
    """Keep ``url`` as the hub; another hub than before forgets the member name the old
    one gave. ``token_place`` (from ``save_connection``) is kept when given."""
    conn = store.conn
    with store.db.atomic():
        if url != state.get(conn, state.HUB_URL):
            conn.execute("DELETE FROM settings WHERE key = ?", (MEMBER_NAME,))
        state.put(conn, state.HUB_URL, url)
        if token_place is not None:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (TOKEN_PLACE, "keyring" if token_place == "keyring" else "file"),
            )
