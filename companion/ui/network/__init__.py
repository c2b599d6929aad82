"""The network of catalysts: its page, catalyst cards and profiles."""
