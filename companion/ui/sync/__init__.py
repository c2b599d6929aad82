"""Sync with the network's hub: the page, the connect dialog, conflicts, status."""
