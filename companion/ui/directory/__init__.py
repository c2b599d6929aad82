"""The contact directory: actors, people, their cards, forms and tables; duplicates."""
