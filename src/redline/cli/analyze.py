"""`redline analyze`, `redline schema`, `redline export`."""
