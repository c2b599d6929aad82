"""The network's hub: members and tokens, the change feed, the toolbox store (``companion-hub``).

Qt-free and importable without its optional dependencies: psycopg is loaded only
by a hub that runs on PostgreSQL. See docs/SYNC.md for the protocol it serves.
"""
