"""The directory's use-cases beyond plain records: validation, duplicates, personal data."""
