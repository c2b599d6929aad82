"""French as the app writes it, for the tests' expected strings.

The translation layer binds French punctuation to its word with no-break spaces
(``companion.i18n.french_typography``): a test writes its expected text with plain
spaces, as a person reads it, and passes it through ``fr()`` where it is compared.
"""

from companion.i18n import french_typography as fr

__all__ = ["fr"]
