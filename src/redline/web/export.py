"""Export from the web app: the HTML report and the report's figures as PNGs, for a saved
version or for the scenario in the editor.

Glue only, through the report's own code: :func:`redline.report.html.collect` and
:func:`redline.report.html.render` (exactly what ``redline report`` writes) and
:func:`redline.report.png.write_pngs` (what ``redline report --png`` writes). The scenario text
is written to a private temporary folder under its own file name, so the report names the file
as the CLI would; nothing is kept on disk afterwards.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from redline.errors import RedlineError
from redline.forecast.registry import REPORT_MODELS
from redline.web.runner import DEFAULT_DRAWS, MAX_DRAWS

EXPORT_DRAWS = DEFAULT_DRAWS  # the report's sweep when the run exported had no draws
MAX_EXPORT_DRAWS = MAX_DRAWS  # the app's own bound: larger sweeps belong to the CLI
SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Export:
    """What to export: the scenario text, its file name, and the report's sweep and models."""

    yaml_text: str
    source: str
    draws: int = EXPORT_DRAWS
    seed: int = 0
    model: str | None = None  # shown first, beside the report's own models
    prior: bool = False  # ignore the scenario's rounds (redline report --prior)
    until: str | None = None  # count the rounds up to this ISO date (--until)

    @property
    def models(self) -> tuple[str, ...]:
        """The report's forecast models: the run's own first, then the report's defaults."""
        first = (self.model,) if self.model else ()
        return first + tuple(m for m in REPORT_MODELS if m != self.model)


def safe_name(name: str, default: str = "scenario") -> str:
    """A file name made of ``[A-Za-z0-9_.-]`` only (for downloads and the temporary file).

    Parameters
    ----------
    name : str
        Any name (a scenario's source file name, say).
    default : str, optional
        The name when nothing usable is left.

    Returns
    -------
    str
    """
    cleaned = SAFE_NAME.sub("-", Path(name).name).strip("-.")[:100]
    return cleaned or default


def _collect(job: Export):
    from redline.report.html import collect

    if not 0 < job.draws <= MAX_EXPORT_DRAWS:
        job = replace(job, draws=EXPORT_DRAWS)
    stem = safe_name(Path(job.source).stem)
    with tempfile.TemporaryDirectory(prefix="redline-export-") as folder:
        path = Path(folder) / f"{stem}.yaml"
        path.write_text(job.yaml_text, encoding="utf-8")
        try:
            return collect(path, draws=job.draws, seed=job.seed, models=job.models,
                           prior=job.prior, until=job.until)
        except RedlineError as error:
            error.file = job.source
            raise


def report_html(job: Export) -> str:
    """The self-contained HTML report of ``job``, as ``redline report`` writes it.

    Parameters
    ----------
    job : Export
        The scenario text and the report's settings.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    RedlineError
        For a scenario the report cannot run (the CLI's one line).
    """
    from redline.report.html import render

    return render(_collect(job))


def figures_zip(job: Export) -> bytes:
    """The report's figures of ``job`` as PNGs (``redline report --png``), in one zip file.

    Parameters
    ----------
    job : Export
        The scenario text and the report's settings.

    Returns
    -------
    bytes
        A zip archive with one ``<figure>.png`` per figure.

    Raises
    ------
    RedlineError
        For a scenario the report cannot run, or without matplotlib.
    """
    from redline.report.png import write_pngs

    data = _collect(job)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="redline-png-") as folder:
        paths = write_pngs(data.figures, folder)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for path in paths:
                archive.write(path, arcname=path.name)
    return buffer.getvalue()
