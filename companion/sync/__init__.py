"""Offline-first sync with the network's hub: clocks, wire format, capture, merge, client."""
