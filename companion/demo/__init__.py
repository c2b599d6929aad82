"""A deterministic, plainly fictional demo network placed in real communes."""

from companion.demo.generator import DemoSummary, generate

__all__ = ["DemoSummary", "generate"]
