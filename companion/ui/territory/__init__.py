"""A territory: its profile and the ecosystem of its actors."""
