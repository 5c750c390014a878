"""The scenario as the editor's form has it, for the views that read the editor's form without
rerunning it (every model side by side, the simulation).

Glue only: the text is parsed by :func:`redline.scenario.load.parse_scenario` and the edits
applied by :func:`redline.web.edits.edited_scenario`, as the editor's rerun does, and a bad
input becomes the editor's :class:`~redline.web.editing.Problem` (next to its field).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData

from redline.errors import RedlineError
from redline.scenario.load import MAX_FILE_BYTES, parse_scenario
from redline.scenario.model import Scenario
from redline.web.edits import edit_form, edited_scenario

NAME_MAX = 200  # characters of a file name kept (as the editor does)


@dataclass(frozen=True)
class FormScenario:
    """The scenario of a form: as edited, its text, and the file name it came from."""

    scenario: Scenario
    yaml_text: str
    source: str


class FormProblem(Exception):
    """A bad input of a form: the problem to show (:class:`redline.web.editing.Problem`) and
    the status (400, or 413 for a scenario text above the loader's limit)."""

    def __init__(self, problem, status: int = 400) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.status = status


def text_field(form: FormData, name: str, limit: int | None = None) -> str:
    """A text field of the form (``""`` when missing), cut to ``limit`` characters if given.

    Parameters
    ----------
    form : FormData
        The submitted form.
    name : str
        The field's name.
    limit : int, optional
        Characters kept (for fields whose length the app never relies on).

    Returns
    -------
    str
    """
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value if limit is None else value[:limit]


def form_scenario(form: FormData, *, edits: bool = True) -> FormScenario:
    """The scenario of a form: its ``yaml_text`` parsed and, with ``edits``, the editor's
    inputs (``pos.*``, ``sal.*``, ...) applied to it.

    Parameters
    ----------
    form : FormData
        The editor's form (or a view's form carrying ``yaml_text`` and ``source``).
    edits : bool, optional
        Apply the editor's edits (a view's own form carries the edited text already).

    Returns
    -------
    FormScenario

    Raises
    ------
    FormProblem
        For a bad scenario text (shown at the top) or a bad edit (shown at its field, named
        as the form names it).
    """
    from redline.web.editing import Problem, _problem

    source = text_field(form, "source", NAME_MAX) or "<scenario>"
    raw = text_field(form, "yaml_text").replace("\r\n", "\n").encode("utf-8")
    try:
        base = parse_scenario(raw, source)
    except RedlineError as error:
        raise FormProblem(Problem(str(error)),
                          413 if len(raw) > MAX_FILE_BYTES else 400) from None
    text = raw.decode("utf-8-sig")
    if not edits:
        return FormScenario(base, text, source)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        scenario, edited = edited_scenario(base, text, values, name=source)
    except RedlineError as error:
        raise FormProblem(_problem(error, edit_form(base))) from None
    return FormScenario(scenario, edited, source)
