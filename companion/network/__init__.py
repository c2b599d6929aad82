"""The network of catalysts: their public profiles, who practises what and where (Qt-free)."""
