"""`redline forecast` and `redline validate` (filled in by the forecast work)."""
