"""Measured figures: each benchmark prints one JSON object per line, baseline included."""
