"""Maps: the offline basemap, optional online tiles and the map page."""
