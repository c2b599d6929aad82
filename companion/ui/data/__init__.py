"""The data itself: import wizard, backups and restore, encryption, reopening."""
