"""Activity reports: the dialog, the document, its export."""
