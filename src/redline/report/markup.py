"""Small HTML building blocks for the report: escaping, tables, paragraphs, sections, figures.

Plain f-strings with :func:`html.escape`, no template engine. Every string is escaped unless it
is already :class:`Html` (markup built here from escaped parts).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from redline.report.figures import PLOTLY_CONFIG, Figure, plotly_dict
from redline.scenario.distributions import is_uncertain, point
from redline.scenario.model import FIELD_RANGES


class Html(str):
    """Markup that is already safe; every other string is escaped."""


def esc(value: object) -> str:
    """Escape a value for HTML text and attribute values.

    Parameters
    ----------
    value : object
        Anything; it is converted with ``str``.

    Returns
    -------
    str
        The text with ``& < > " '`` escaped.
    """
    return html.escape(str(value), quote=True)


def cell(value: object) -> str:
    """The content of a table cell or paragraph: ``Html`` as is, anything else escaped.

    Parameters
    ----------
    value : object
        Safe :class:`Html` markup, or any value to show as text.

    Returns
    -------
    str
        Markup safe to insert into the document.
    """
    return value if isinstance(value, Html) else esc(value)


def table(headers: Sequence[object], rows: Iterable[Sequence[object]], cls: str = "") -> Html:
    """An HTML table.

    Parameters
    ----------
    headers : sequence
        One header per column (escaped unless :class:`Html`).
    rows : iterable of sequences
        The rows, one value per column (escaped unless :class:`Html`).
    cls : str, optional
        A CSS class for the ``<table>`` element.

    Returns
    -------
    Html
        ``<table>`` with a ``<thead>`` and a ``<tbody>``, inside a ``<div class="table-wrap">``
        that scrolls sideways when the table is wider than the page (a phone), so the page
        itself never does.
    """
    head = "".join(f"<th>{cell(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    klass = f' class="{esc(cls)}"' if cls else ""
    # Focusable and named, so a keyboard can scroll the box on a phone (axe's
    # scrollable-region-focusable).
    texts = (re.sub(r"<[^>]*>", "", str(cell(h))).strip() for h in headers)
    names = ", ".join([t for t in texts if t][:4])
    label = html.escape(f"Table: {html.unescape(names)}", quote=True)
    return Html(f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">'
                f"<table{klass}><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table></div>")


def para(text: object, cls: str = "") -> Html:
    """A paragraph.

    Parameters
    ----------
    text : object
        Its content (escaped unless :class:`Html`).
    cls : str, optional
        A CSS class for the ``<p>`` element.

    Returns
    -------
    Html
        The ``<p>`` element.
    """
    klass = f' class="{esc(cls)}"' if cls else ""
    return Html(f"<p{klass}>{cell(text)}</p>")


def section(ident: str, title: str, parts: Iterable[str]) -> Html:
    """A titled section of the report.

    Parameters
    ----------
    ident : str
        Its ``id`` and ``data-section`` attribute (the navigation links to it).
    title : str
        The ``<h2>`` heading (escaped).
    parts : iterable of str
        Markup inside the section, one part a line; must already be safe.

    Returns
    -------
    Html
        The ``<section>`` element.
    """
    inner = "\n".join(parts)
    return Html(f'<section id="{esc(ident)}" data-section="{esc(ident)}">'
                f"<h2>{esc(title)}</h2>\n{inner}\n</section>")


def figure_html(key: str, fig: Figure) -> Html:
    """A plotly figure as an HTML ``<figure>``, without plotly's JavaScript.

    Parameters
    ----------
    key : str
        The figure's name; the plot's div is ``fig-<key>`` and ``data-figure`` is ``key``.
    fig : Figure or plotly.graph_objects.Figure
        The figure to embed (figure JSON of :mod:`redline.report.figures`, or plotly's
        objects).

    Returns
    -------
    Html
        The ``<figure>`` element; the page must load plotly.js once itself.
    """
    import plotly.io as pio

    div = pio.to_html(plotly_dict(fig), full_html=False, include_plotlyjs=False,
                      div_id=f"fig-{key}", config=PLOTLY_CONFIG, validate=False)
    return Html(f'<figure class="plot" data-figure="{esc(key)}">{div}</figure>')


def fmt_number(value: object, field: str) -> str:
    """A number, or a distribution as written with its mean.

    Parameters
    ----------
    value : float, distribution or None
        A scenario field's value as written.
    field : str
        The field's name in :data:`redline.scenario.model.FIELD_RANGES`; its range truncates a
        normal before the mean is taken, as the analysis does.

    Returns
    -------
    str
        ``"-"`` for None, ``"35"`` for a number, ``"uniform [20, 40], mean 30"`` for a
        distribution (the mean is the point value the analysis uses).
    """
    if value is None:
        return "-"
    if is_uncertain(value):
        ((kind, args),) = value.model_dump(exclude_none=True).items()  # type: ignore[union-attr]
        if isinstance(args, Mapping):
            inner = ", ".join(f"{k}={v}" for k, v in args.items())
        else:
            inner = ", ".join(f"{float(v):g}" for v in args)
        mean = point(value, *FIELD_RANGES[field])  # type: ignore[arg-type]
        return f"{kind} [{inner}], mean {mean:.3g}"
    return f"{float(value):g}"  # type: ignore[arg-type]


def truth_word(value: bool | None) -> str:
    """How a claim is taken: ``"true"``, ``"false"`` or ``"not assumed"`` (for None).

    Parameters
    ----------
    value : bool or None
        The claim's truth in the branch, or None when it is left open.

    Returns
    -------
    str
        The word the report shows.
    """
    return {True: "true", False: "false", None: "not assumed"}[value]
