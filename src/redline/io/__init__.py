"""Readers and writers of the file formats Redline takes, and the formats' names.

The names are plain constants (no import of the readers), so the CLI can build its ``--format``
choices from them without loading anything.
"""

FILE_FORMATS = ("yaml", "genius", "ktab", "csv", "deu")
"""File formats :func:`redline.pipeline.load` reads: scenario YAML, a Genius XML folder, a KTAB
CSV, an actor CSV and a DEU TSV."""

FORECAST_FORMATS = ("yaml", "ktab", "csv", "deu")
"""The file formats with actors' positions, which ``redline forecast --format`` takes (a Genius
domain has utilities but no positions)."""
