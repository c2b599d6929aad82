"""The actor map: the web view, its filter drawer, views, stories, exports and tiles."""
