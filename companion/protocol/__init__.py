"""The sync protocol between laptops and the hub (docs/SYNC.md), Qt-free: the messages and
changes that cross the wire (``messages``), what each synced field may hold (``fields``),
and the hybrid logical clocks that stamp edits (``hlc``). Imported by both ends, the
laptop's ``companion.sync`` and the hub's ``companion.hub``; it imports neither."""
