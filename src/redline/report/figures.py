"""Plotly figures of analysis, forecast and sweep results. Renders results; computes nothing.

Each figure is plotly's figure JSON built as plain dicts and lists (``{"data": [trace, ...],
"layout": {...}}``), not with ``plotly.graph_objects``: plotly's validating objects took most of a
web rerun (every property checked and the template merged on each update), while plotly.js reads
the same JSON. The builders write what plotly's validation would keep, so that
``go.Figure(fig)`` (:func:`as_figure`) changes nothing (a test holds every figure to it).
:func:`figure_json` gives the JSON text; the report embeds it, the web app sends it, and
:func:`redline.report.png.write_pngs` re-draws it.

Every trace carries ``meta={"role": ...}`` (and the solution, actor or dimension it shows) so that
tests, the web app and :func:`redline.report.png.write_pngs` can find it without relying on its
name. User-provided strings are HTML-escaped: plotly renders titles, legends, ticks and hover text
as a subset of HTML.
"""

from __future__ import annotations

import base64
import copy
import html
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from redline.errors import RedlineError
from redline.forecast.base import Forecast
from redline.space.domain import Domain
from redline.space.engine import Analysis, binding_columns, evaluate, violations
from redline.space.packages import decode

Figure = dict  # plotly figure JSON: {"data": [trace dicts], "layout": {...}}

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22")
ACCEPTABLE, UNACCEPTABLE, FRONTIER = "#2a9d8f", "#c9c9c9", "#264653"
SOLUTION_STYLE = {  # name -> (title, plotly symbol, colour)
    "nash": ("Nash", "star", "#e76f51"),
    "kalai_smorodinsky": ("Kalai–Smorodinsky", "diamond", "#6a4c93"),
    "utilitarian": ("utilitarian", "square", "#f4a261"),
    "egalitarian": ("egalitarian", "triangle-up", "#1d3557"),
}
TEMPLATE = "plotly_white"
# plotly.js settings for every figure, in the report and in the web app. plotly.js shows a
# "Share chart" button by default that uploads the figure's data to plotly's cloud; it is off,
# and its server URL empty, so that nothing a figure shows leaves the machine.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "plotlyServerURL": "",
    "modeBarButtonsToRemove": ["sendChartToCloud"],
}
WEBGL_ABOVE = 5_000  # point clouds larger than this use WebGL
TORNADO_ROWS = 15


def esc(value: object) -> str:
    """User text made safe for plotly's HTML-like labels."""
    return html.escape(str(value), quote=False)


def colour(k: int) -> str:
    """The ``k``-th colour of the palette (repeating)."""
    return PALETTE[k % len(PALETTE)]


# ---------------------------------------------------------------- figure JSON

def new_figure(*traces: dict) -> Figure:
    """A figure of ``traces`` (see :func:`trace`) and an empty layout."""
    return {"data": list(traces), "layout": {}}


def trace(kind: str, **props: Any) -> dict:
    """A trace of plotly type ``kind`` (``"scatter"``, ``"bar"``, ...) with ``props``; a prop
    of ``None`` is left out, as plotly leaves out what is not set. Arrays may stay numpy
    arrays (:func:`figure_json` writes them as plotly.js typed arrays, as plotly does)."""
    out = {k: v for k, v in props.items() if v is not None}
    out["type"] = kind
    return out


def merge(target: dict, changes: dict) -> dict:
    """``target`` updated in place with ``changes`` as plotly's ``update`` does: a dict merged
    into a dict key by key (recursively), anything else replacing the value."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value
    return target


def update_layout(fig: Figure, **changes: Any) -> Figure:
    """``fig``'s layout updated with ``changes`` (:func:`merge`)."""
    merge(fig["layout"], changes)
    return fig


def _axis_name(letter: str, row: int) -> str:
    return f"{letter}axis" if row == 1 else f"{letter}axis{row}"


_AXIS_KEY = {letter: re.compile(rf"^{letter}axis[0-9]*$") for letter in "xy"}


def update_axes(fig: Figure, letter: str, row: int | None = None, **changes: Any) -> Figure:
    """The ``letter`` (``"x"`` or ``"y"``) axis of subplot row ``row`` updated with
    ``changes`` (:func:`merge`), or every such axis when ``row`` is None (as plotly's
    ``update_xaxes`` and ``update_yaxes``; a figure without subplots has one of each)."""
    layout = fig["layout"]
    if row is not None:
        names = [_axis_name(letter, row)]
    else:
        names = [key for key in layout if _AXIS_KEY[letter].match(key)] or [f"{letter}axis"]
    for name in names:
        merge(layout.setdefault(name, {}), changes)
    return fig


def add_trace(fig: Figure, item: dict, row: int | None = None) -> Figure:
    """``item`` (see :func:`trace`) added to ``fig``, on subplot row ``row`` of a
    :func:`stacked_rows` figure when given."""
    if row is not None:
        item["xaxis"] = "x" if row == 1 else f"x{row}"
        item["yaxis"] = "y" if row == 1 else f"y{row}"
    fig["data"].append(item)
    return fig


def add_annotation(fig: Figure, **note: Any) -> Figure:
    """A layout annotation (text on the figure) added to ``fig``."""
    fig["layout"].setdefault("annotations", []).append(note)
    return fig


def add_shape(fig: Figure, **shape: Any) -> Figure:
    """A layout shape (a line, ...) added to ``fig``."""
    fig["layout"].setdefault("shapes", []).append(shape)
    return fig


@lru_cache(maxsize=64)
def _rows_layout(rows: int, vertical_spacing: float, shared_xaxes: bool) -> dict:
    from plotly.subplots import make_subplots

    layout = make_subplots(rows=rows, cols=1, shared_xaxes=shared_xaxes,
                           vertical_spacing=vertical_spacing,
                           subplot_titles=[f"title {k}" for k in range(rows)]
                           ).layout.to_plotly_json()
    layout.pop("template", None)
    return layout


def stacked_rows(rows: int, titles: Sequence[str], *, vertical_spacing: float,
                 shared_xaxes: bool = False) -> Figure:
    """An empty figure of ``rows`` subplots in one column, each with its title above it, laid
    out as :func:`plotly.subplots.make_subplots` lays them out (its layout for that grid is
    computed once and kept).

    Parameters
    ----------
    rows : int
        The number of subplot rows (at least 1).
    titles : sequence of str
        One title per row, already escaped.
    vertical_spacing : float
        The gap between rows, as a fraction of the figure's height.
    shared_xaxes : bool, optional
        Whether the rows share the bottom row's x axis (ticks shown only at the bottom).

    Returns
    -------
    Figure
        Add traces with :func:`add_trace` and ``row``.
    """
    layout = copy.deepcopy(_rows_layout(rows, vertical_spacing, shared_xaxes))
    for note, title in zip(layout["annotations"], titles, strict=True):
        note["text"] = title
    return {"data": [], "layout": layout}


@lru_cache(maxsize=1)
def template() -> dict:
    """The figures' plotly template (:data:`TEMPLATE`) as the JSON plotly writes for it, made
    once; every figure's layout refers to this one dict, so it must not be changed."""
    import plotly.io as pio

    return pio.templates[TEMPLATE].to_plotly_json()


_TYPED_SKIP = frozenset({"geojson", "layer", "layers", "range"})  # as plotly's base64 step


def _typed(value: Any, key: str = "") -> Any:
    """``value`` with each numpy array held by a dict key written as a plotly.js typed array
    (``{"dtype", "bdata"}``), as plotly's ``Figure.to_dict`` writes it (its
    ``convert_to_base64``: integers narrowed to the smallest type that holds them). The
    shared :func:`template` holds no array and is kept as it is, not copied."""
    if value is template():
        return value
    if isinstance(value, dict):
        return {k: _typed(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):  # only containers can hold an array to write
        return [_typed(v) if isinstance(v, dict | list | tuple) else v for v in value]
    if isinstance(value, np.ndarray) and key and key not in _TYPED_SKIP:
        return typed_array(value)
    return value


_PLOTLYJS_TYPES = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4",
                   "uint32": "u4", "float32": "f4", "float64": "f8"}
"""numpy dtypes plotly.js reads as typed arrays, and its codes for them."""
_NARROWED = {"int64": (np.int8, np.int16, np.int32), "uint64": (np.uint8, np.uint16, np.uint32)}
"""64-bit integers, which plotly.js cannot read, narrowed to the first of these that holds them."""


def typed_array(value: np.ndarray) -> Any:
    """A numpy array as plotly.js's typed-array spec (``{"dtype", "bdata"[, "shape"]}``),
    exactly as plotly's ``to_typed_array_spec`` writes it: 64-bit integers narrowed to the
    smallest type that holds them, the bytes in base64.

    plotly's function first passes every array through narwhals (about 300 µs for 512
    floats, most of the time a rerun spends writing its figures); this writes the numeric
    arrays directly (about 25 µs) and hands anything else (empty, boolean, object,
    big-endian, 64-bit integers too large to narrow) to plotly's function, so the JSON is
    the same (``tests/report/test_figures_json.py`` compares them).

    Parameters
    ----------
    value : numpy.ndarray
        The array.

    Returns
    -------
    dict or numpy.ndarray
        The spec, or what plotly's function returns for an array it does not encode.
    """
    kind = str(value.dtype)
    if value.size and kind in _NARROWED:
        low, high = value.min(), value.max()
        kind = next((np.dtype(t).name for t in _NARROWED[kind]
                     if np.iinfo(t).min <= low and high <= np.iinfo(t).max), kind)
        value = value.astype(kind) if kind in _PLOTLYJS_TYPES else value
    if not value.size or kind not in _PLOTLYJS_TYPES:
        from _plotly_utils.utils import to_typed_array_spec

        return to_typed_array_spec(np.ascontiguousarray(value))
    spec = {"dtype": _PLOTLYJS_TYPES[kind],
            "bdata": base64.b64encode(np.ascontiguousarray(value)).decode("ascii")}
    if value.ndim > 1:
        spec["shape"] = str(value.shape)[1:-1]
    return spec


def plotly_dict(fig) -> dict:
    """``fig`` as the dict plotly writes to JSON: numpy arrays as plotly.js typed arrays (a
    ``go.Figure``: its ``to_dict()``); ``fig`` itself is not changed.

    Parameters
    ----------
    fig : Figure or plotly.graph_objects.Figure
        A figure of this module (or one built with plotly's objects).

    Returns
    -------
    dict
        ``{"data": [...], "layout": {...}}``, ready for plotly's JSON encoder.
    """
    return _typed(fig) if isinstance(fig, dict) else fig.to_dict()


def figure_json(fig: Figure) -> str:
    """``fig`` as the JSON text plotly.js reads (plotly's encoder: numpy arrays as typed
    arrays, NaN as null), without plotly's validation.

    Parameters
    ----------
    fig : Figure or plotly.graph_objects.Figure
        A figure of this module (or one built with plotly's objects).

    Returns
    -------
    str
        The figure's JSON.
    """
    import plotly.io as pio

    return pio.to_json(plotly_dict(fig), validate=False, remove_uids=False, engine="json")


def as_figure(fig: Figure):
    """``fig`` as a validated :class:`plotly.graph_objects.Figure`, for plotly's own API (its
    ``show``, ``write_html``, attribute access); a ``go.Figure`` is returned as it is."""
    import plotly.graph_objects as go

    return fig if isinstance(fig, go.Figure) else go.Figure(fig)


TITLE_WIDTH = 100  # characters per line of a figure's subtitle
TITLE_LINE_PX = 24  # room per line of a figure's title, above the plot area
SLIDE_LABEL = 60  # characters of an input's name on a figure's axis (the rest in the hover)


def _layout(fig: Figure, title: str, **kw) -> Figure:
    """Common layout: the title anchored at the top left, in a top margin tall enough for all
    its lines and the first subplot's title, so it never sits on an axis or a plot."""
    lines = title.count("<br>") + 1
    subplot_titles = any(note.get("yref") == "paper"
                         for note in fig["layout"].get("annotations", ()))
    top = 30 + TITLE_LINE_PX * lines + (22 if subplot_titles else 0)
    return update_layout(fig, title={"text": title, "x": 0.01, "xanchor": "left", "y": 1.0,
                                     "yref": "container", "yanchor": "top", "pad": {"t": 12}},
                         template=template(), margin={"l": 60, "r": 20, "t": top, "b": 50},
                         **kw)


def wrap_lines(text: str, width: int = TITLE_WIDTH) -> str:
    """``text`` escaped and broken into lines of at most ``width`` characters (``<br>``)."""
    import textwrap

    return "<br>".join(esc(line) for line in textwrap.wrap(text, width) or [""])


def empty_note(fig: Figure, why: str) -> Figure:
    """Say in the middle of an empty chart why it is empty, and hide its empty axes."""
    add_annotation(fig, text=esc(why), x=0.5, y=0.5, xref="paper", yref="paper",
                   showarrow=False, font={"size": 15, "color": "#5b6675"}, name="empty")
    update_axes(fig, "x", visible=False)
    update_axes(fig, "y", visible=False)
    return update_layout(fig, meta={"empty": why})


# ---------------------------------------------------------------- the deal space

def space_points(analysis: Analysis, max_points: int = 200_000, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Package numbers, utilities and acceptability of every package, or of a fixed-seed sample
    of ``max_points`` packages when the space is larger (the last value says which)."""
    domain = analysis.domain
    total = analysis.n_packages
    sampled = total > max_points
    if sampled:
        draws = np.random.default_rng(seed).integers(0, total, size=max_points)
        indices = np.unique(draws)
    else:
        indices = np.arange(total, dtype=np.int64)
    options = decode(indices, domain.radices)
    utilities = evaluate(domain, options)
    broken = violations(domain, options, utilities)[:, binding_columns(domain)]
    return indices, utilities, ~broken.any(axis=1), sampled


def package_texts(analysis: Analysis, indices: np.ndarray, compact: bool = False
                  ) -> np.ndarray:
    """Hover text, one per package: ``issue: label`` lines, or (``compact``, for large clouds)
    the labels alone joined by `` / `` in issue order."""
    domain = analysis.domain
    options = decode(np.asarray(indices, dtype=np.int64), domain.radices)
    text = np.full(options.shape[0], "", dtype=object)
    for i, issue in enumerate(domain.issues):
        labels = np.array([esc(lab) for lab in issue.labels], dtype=object)
        if compact:
            text = text + ("" if i == 0 else " / ") + labels[options[:, i]]
        else:
            sep = "" if i == 0 else "<br>"
            text = text + f"{sep}{esc(issue.name or issue.id)}: " + labels[options[:, i]]
    return text


def resolve_actor(domain: Domain, actor: str, field: str = "x_actor") -> int:
    """Column of the actor named by id or by name; ``field`` names the parameter in errors."""
    for k, (ident, name) in enumerate(zip(domain.actors, domain.names(), strict=True)):
        if actor in (ident, name):
            return k
    raise RedlineError(f"unknown actor {actor!r}", parameter=field,
                       hint=f"use one of {', '.join(domain.actors)}")


def default_axes(analysis: Analysis) -> tuple[int, int]:
    """The first two actors with a veto (or the first two actors)."""
    domain = analysis.domain
    if domain.n_actors < 2:
        raise RedlineError("the deal-space plot needs at least two actors", field="actors")
    veto = [int(k) for k in np.flatnonzero(domain.party_mask)]
    rest = [k for k in range(domain.n_actors) if k not in veto]
    first, second = (veto + rest)[:2]
    return first, second


def deal_space_figure(analysis: Analysis, x_actor: str | None = None,
                      y_actor: str | None = None, max_points: int = 200_000,
                      webgl: bool | None = None) -> Figure:
    """Two actors' utilities over the packages: acceptable or not, the Pareto frontier and the
    bargaining solutions. Spaces above ``max_points`` packages show a fixed-seed sample.

    The packages are drawn with WebGL (``scattergl``) when ``webgl`` is true, or, when it is
    None, in spaces above :data:`WEBGL_ABOVE` points; the same points either way. The web
    app draws them with WebGL always: plotly.js redraws a WebGL cloud far faster than one
    SVG marker per package, which a rerun does for every change."""
    domain = analysis.domain
    x_default, y_default = default_axes(analysis)
    x = resolve_actor(domain, x_actor, "x_actor") if x_actor else x_default
    y = resolve_actor(domain, y_actor, "y_actor") if y_actor else y_default
    if x == y:
        raise RedlineError("names the same actor as the x axis", parameter="y_actor",
                           hint="put two different actors on the axes")
    names = [esc(name) for name in domain.names()]
    indices, utilities, ok, sampled = space_points(analysis, max_points)
    large = indices.size > WEBGL_ABOVE
    texts = package_texts(analysis, indices, compact=large)
    header = esc(" / ".join(issue.id for issue in domain.issues)) + "<br>" if large else ""
    scatter = "scattergl" if (large if webgl is None else webgl) else "scatter"
    fig = new_figure()
    for role, mask, fill, label in (("unacceptable", ~ok, UNACCEPTABLE, "unacceptable"),
                                    ("acceptable", ok, ACCEPTABLE, "acceptable to all vetoes")):
        add_trace(fig, trace(
            scatter, x=utilities[mask, x], y=utilities[mask, y], mode="markers", name=label,
            text=texts[mask], hovertemplate=header + "%{text}<extra></extra>",
            marker={"color": fill, "size": 4 if large else 6, "opacity": 0.7},
            meta={"role": role}))
    _add_frontier(fig, analysis, x, y)
    for name, (title, symbol, fill) in SOLUTION_STYLE.items():
        sol = analysis.solutions.get(name)
        if sol is None or sol.indices.size == 0:
            continue
        tied = f" ({sol.count} tied)" if sol.count > 1 else ""
        add_trace(fig, trace(
            "scatter", x=sol.utilities[:, x], y=sol.utilities[:, y], mode="markers",
            name=title + tied,
            text=package_texts(analysis, sol.indices),
            hovertemplate=f"<b>{title}</b><br>%{{text}}<extra></extra>",
            marker={"symbol": symbol, "size": 16, "color": fill,
                    "line": {"width": 1, "color": "white"}},
            meta={"role": "solution", "solution": name}))
    for k, axis in ((x, "x"), (y, "y")):
        if domain.party_mask[k]:
            reference_line(fig, float(domain.disagreement[k]), axis)
    note = (f"<br><sub>a fixed-seed sample of {indices.size:,} of {analysis.n_packages:,} "
            "packages</sub>" if sampled else
            f"<br><sub>all {analysis.n_packages:,} packages</sub>")
    _layout(fig, f"Deal space: {names[x]} vs {names[y]}{note}", height=560,
            legend={"itemsizing": "constant"})
    update_axes(fig, "x", title={"text": f"utility to {names[x]}"}, range=[-0.02, 1.02])
    return update_axes(fig, "y", title={"text": f"utility to {names[y]}"}, range=[-0.02, 1.02])


def _add_frontier(fig: Figure, analysis: Analysis, x: int, y: int) -> None:
    u = analysis.pareto_utilities
    if u.size == 0:
        return
    order = np.lexsort((-u[:, y], u[:, x]))
    ok = analysis.pareto_acceptable[order]
    two_party = int(analysis.domain.party_mask.sum()) == 2
    add_trace(fig, trace(
        "scatter", x=u[order, x], y=u[order, y],
        mode="lines+markers" if two_party else "markers",
        name="Pareto frontier (open: unacceptable)",
        text=package_texts(analysis, analysis.pareto_indices[order]),
        hovertemplate="<b>Pareto frontier</b><br>%{text}<extra></extra>",
        line={"color": FRONTIER, "width": 1},
        marker={"color": FRONTIER, "size": 8,
                "symbol": np.where(ok, "circle", "circle-open").tolist()},
        meta={"role": "frontier"}))


def reference_line(fig, value: float, axis: str, *, name: str = "outside option") -> None:
    """A dotted line across the plot at ``value`` on ``axis`` (``"x"`` or ``"y"``): an
    actor's outside option here, an agent's reservation value in the offers figure. ``fig``
    is figure JSON (:data:`Figure`) or a ``go.Figure``."""
    line = {"color": "#888888", "dash": "dot", "width": 1}
    if axis == "x":
        shape = {"type": "line", "x0": value, "x1": value, "y0": 0, "y1": 1, "xref": "x",
                 "yref": "paper", "line": line, "name": name}
    else:
        shape = {"type": "line", "y0": value, "y1": value, "x0": 0, "x1": 1, "yref": "y",
                 "xref": "paper", "line": line, "name": name}
    if isinstance(fig, dict):
        add_shape(fig, **shape)
    else:
        fig.add_shape(**shape)


def parallel_figure(analysis: Analysis, max_points: int = 20_000) -> Figure:
    """Every actor's utility on its own axis, one line per package; acceptable ones coloured."""
    domain = analysis.domain
    indices, utilities, ok, sampled = space_points(analysis, max_points)
    order = np.argsort(ok, kind="stable")  # acceptable lines drawn last, on top
    dims = [{"label": esc(name), "values": utilities[order, k], "range": [0, 1]}
            for k, name in enumerate(domain.names())]
    fig = new_figure(trace(
        "parcoords", dimensions=dims,
        line={"color": ok[order].astype(float), "cmin": 0, "cmax": 1,
              "colorscale": [[0, UNACCEPTABLE], [1, ACCEPTABLE]]},
        meta={"role": "parallel", "acceptable": int(ok.sum())}))
    note = (f"a fixed-seed sample of {indices.size:,} packages" if sampled
            else f"all {analysis.n_packages:,} packages")
    return _layout(fig, f"Every actor's utility<br><sub>{note}; green: acceptable to every "
                   "actor with a veto, grey: not</sub>", height=460)


def blockers_figure(analysis: Analysis) -> Figure:
    """Packages each rule rejects (light) and alone rejects (dark), coloured by its holder."""
    domain = analysis.domain
    blockers = [b for b in analysis.blockers if b.rejects]
    names = {actor: esc(name) for actor, name in zip(domain.actors, domain.names(), strict=True)}
    fig = new_figure()
    label = _rule_names(blockers)
    for k, actor in enumerate(domain.actors):
        rows = [b for b in blockers if b.actor == actor]
        if not rows:
            continue
        ids = [label[b.id] for b in rows]
        hover = [f"{esc(b.id)}: {esc(b.description)}<br>rejects {b.rejects:,}, alone {b.sole:,}"
                 for b in rows]
        for role, values, opacity in (("rejects", [b.rejects for b in rows], 0.35),
                                      ("alone", [b.sole for b in rows], 1.0)):
            add_trace(fig, trace(
                "bar", x=values, y=ids, orientation="h", name=f"{names[actor]}: {role}",
                legendgroup=actor, marker={"color": colour(k), "opacity": opacity},
                text=hover, hovertemplate="%{y}<br>%{text}<extra></extra>",
                textposition="none",
                meta={"role": role, "actor": actor, "rules": [b.id for b in rows]}))
    title = ("Who blocks: packages each rule rejects (light) and alone rejects (dark)"
             if blockers else "Who blocks: no rule rejects any package")
    _layout(fig, title, barmode="overlay", height=max(260, 110 + 34 * len(blockers)))
    if not blockers:
        return empty_note(fig, "No rule or outside option rejects any package.")
    update_axes(fig, "x", title={"text": f"packages (of {analysis.n_packages:,})"})
    return update_axes(fig, "y", autorange="reversed", categoryorder="array", automargin=True,
                       categoryarray=[label[b.id] for b in blockers])


def _cut(text: str, chars: int = SLIDE_LABEL) -> str:
    """``text`` cut after a whole word to at most ``chars`` characters, with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= chars:
        return text
    cut = text[:chars - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:(") + "…"


def _rule_names(blockers) -> dict[str, str]:
    """Each blocker's axis label: its holder's rule in words (its description, cut), its id
    where the description is missing or shared."""
    words = {b.id: _cut(b.description) if b.description else b.id for b in blockers}
    counts: dict[str, int] = {}
    for w in words.values():
        counts[w] = counts.get(w, 0) + 1
    return {k: esc(w if counts[w] == 1 else f"{w} ({k})") for k, w in words.items()}


# ---------------------------------------------------------------- forecasts

def _dimension_index(forecast: Forecast, dimension: str | int) -> int:
    if isinstance(dimension, int):
        if 0 <= dimension < len(forecast.dimensions):
            return dimension
    elif dimension in forecast.dimensions:  # an id, or a name
        return forecast.dimensions.index(dimension)
    elif dimension in forecast.dimension_names:
        return forecast.dimension_names.index(dimension)
    raise RedlineError(f"unknown dimension {dimension!r}; dimensions: "
                       f"{', '.join(forecast.dimensions)}", field="dimension")


def trajectories_figure(forecast: Forecast, dimension: str | int | None = None) -> Figure:
    """Each actor's position per round: one subplot per dimension (or just ``dimension``).

    A forecast of one step (``turns <= 1``: the compromise, median and Nash models) has no
    trajectory; it is drawn as :func:`one_step_figure` instead.
    """
    dims = (list(range(len(forecast.dimensions))) if dimension is None
            else [_dimension_index(forecast, dimension)])
    if forecast.turns <= 1:
        return one_step_figure(forecast, dims)
    fig = stacked_rows(len(dims), [esc(forecast.dimension_names[d]) for d in dims],
                       vertical_spacing=0.06, shared_xaxes=True)
    rounds = np.arange(forecast.positions.shape[0])
    for row, d in enumerate(dims, start=1):
        name = forecast.dimension_names[d]
        for a, actor in enumerate(forecast.actor_names):
            add_trace(fig, trace(
                "scatter", x=rounds, y=forecast.positions[:, a, d], mode="lines+markers",
                name=esc(actor), legendgroup=f"actor{a}", showlegend=row == 1,
                line={"color": colour(a)}, marker={"size": 5},
                meta={"role": "actor", "actor": actor, "dimension": name},
                hovertemplate="%{fullData.name}<br>round %{x}: %{y:.1f}<extra></extra>"),
                row=row)
        if forecast.median is not None:
            add_trace(fig, trace(
                "scatter", x=rounds, y=forecast.median[:, d], mode="lines",
                name="median position", legendgroup="median", showlegend=row == 1,
                line={"color": "black", "dash": "dash"},
                meta={"role": "median", "dimension": name}), row=row)
        add_trace(fig, trace(
            "scatter", x=[int(rounds[-1])], y=[float(forecast.point[d])], mode="markers",
            name="forecast", legendgroup="forecast", showlegend=row == 1,
            marker={"symbol": "x", "size": 12, "color": "black"}, text=[esc(name)],
            meta={"role": "forecast", "dimension": name},
            hovertemplate="forecast %{text}: %{y:.1f}<extra></extra>"), row=row)
        update_axes(fig, "y", row, range=[-3, 103])
    update_axes(fig, "x", len(dims), title={"text": "round"})
    return _layout(fig, f"{esc(forecast.model)}: positions per round (0–100 scale)",
                   height=120 + 190 * len(dims))


def one_step_figure(forecast: Forecast, dims: Sequence[int] | None = None) -> Figure:
    """A one-step forecast: each actor's position on each issue (dots) and the forecast (X),
    one row per issue on the 0-100 scale; no rounds, so no lines."""
    dims = list(range(len(forecast.dimensions))) if dims is None else list(dims)
    names = [esc(forecast.dimension_names[d]) for d in dims]
    fig = new_figure()
    for a, actor in enumerate(forecast.actor_names):
        add_trace(fig, trace(
            "scatter", x=forecast.positions[0, a, dims], y=names, mode="markers",
            name=esc(actor),
            marker={"size": 11, "color": colour(a), "opacity": 0.85},
            meta={"role": "actor", "actor": actor},
            hovertemplate="%{fullData.name}<br>%{y}: %{x:.1f}<extra></extra>"))
    add_trace(fig, trace(
        "scatter", x=forecast.point[dims], y=names, mode="markers+text", name="forecast",
        marker={"symbol": "x", "size": 14, "color": "black"},
        text=[f"{forecast.point[d]:.1f}" for d in dims], textposition="top center",
        meta={"role": "forecast"}, hovertemplate="forecast %{y}: %{x:.1f}<extra></extra>"))
    _layout(fig, f"{esc(forecast.model)}: one-step forecast and the actors' positions",
            height=160 + 70 * len(dims))
    update_axes(fig, "x", title={"text": "position (0–100 scale)"}, range=[-3, 103])
    return update_axes(fig, "y", autorange="reversed", automargin=True)


# ---------------------------------------------------------------- sweeps

def sweep_figures(result, branch=None) -> dict[str, Figure]:
    """Figures of a :class:`~redline.uncertainty.sweep.SweepResult` (``branch``: the same sweep
    with claims fixed by ``--assume``, shown beside the integrated one)."""
    return {
        "forecast_distribution": forecast_histograms(result),
        "nash_distribution": nash_distribution_figure(result),
        "p_agreement": p_agreement_figure(result, branch),
        "tornado": tornado_figure(result),
    }


def forecast_histograms(result) -> Figure:
    """One histogram per issue of a sweep's forecasts (a
    :class:`~redline.uncertainty.sweep.SweepResult`)."""
    issues = result.plan.scenario.issues
    fig = stacked_rows(len(issues), [esc(issue.name) for issue in issues],
                       vertical_spacing=0.08)
    for i, issue in enumerate(issues, start=1):
        add_trace(fig, trace(
            "histogram", x=result.forecast[:, i - 1], name=esc(issue.name), nbinsx=40,
            showlegend=False, marker={"color": colour(i - 1)},
            meta={"role": "forecast", "issue": issue.id}), row=i)
        pairs = issue.option_values()
        ticks = {} if len(pairs) > 12 else {"tickvals": [v for _, v in pairs],
                                            "ticktext": [esc(lab) for lab, _ in pairs]}
        update_axes(fig, "x", i, range=[0, 100], **ticks)
        update_axes(fig, "y", i, title={"text": "draws"})
    return _layout(fig, f"Forecast per issue ({result.plan.model}), {result.draws:,} draws",
                   height=120 + 170 * len(issues), bargap=0.05)


def _package_name(package: dict[str, str] | None) -> str:
    return "no deal" if package is None else esc(" / ".join(package.values()))


def _interval_text(p: float, low: float, high: float) -> str:
    return f"{p:.2f} [{low:.2f}, {high:.2f}]"


def nash_distribution_figure(result, top: int = 10) -> Figure:
    """The probability of the ``top`` most frequent Nash packages over a sweep's draws, each
    with its 95% Wilson interval as a whisker and as numbers beside it."""
    from redline.uncertainty.intervals import wilson_interval

    rows = result.solution_distribution(result.nash, top=top)
    issues = wrap_lines(" / ".join(issue.name for issue in result.plan.scenario.issues))
    p = np.array([float(r["probability"]) for r in rows])
    bounds = np.array([wilson_interval(int(round(v * result.draws)), result.draws) for v in p]
                      ).reshape(-1, 2)
    names = [_package_name(r["package"]) for r in rows]
    fig = new_figure(trace(
        "bar", x=p, y=names, orientation="h", marker={"color": SOLUTION_STYLE["nash"][2]},
        error_x={"type": "data", "symmetric": False, "array": bounds[:, 1] - p,
                 "arrayminus": p - bounds[:, 0], "color": "#444444"},
        hovertemplate="%{y}<br>P = %{x:.3f}<extra></extra>", meta={"role": "nash"}))
    add_trace(fig, trace(
        "scatter", x=bounds[:, 1] + 0.01, y=names, mode="text", textposition="middle right",
        text=[_interval_text(v, lo, hi) for v, (lo, hi) in zip(p, bounds, strict=True)],
        showlegend=False, hoverinfo="skip", meta={"role": "interval"}))
    _layout(fig, f"Nash package across {result.draws:,} draws (95% intervals)"
            f"<br><sub>{issues}</sub>", height=max(280, 130 + 32 * len(rows)),
            showlegend=False)
    update_axes(fig, "x", title={"text": "probability"}, range=[0, 1.25])
    return update_axes(fig, "y", autorange="reversed", automargin=True)


def branch_label(result) -> str:
    """The claims a sweep assumed, as ``id=true, ...``, or ``integrated`` when none."""
    assume = result.plan.assume
    return ", ".join(f"{k}={'true' if v else 'false'}" for k, v in assume.items()) or "integrated"


def p_agreement_figure(result, branch=None) -> Figure:
    """P(some package is acceptable to every veto), with its 95% Wilson interval
    (``SweepResult.p_agreement_interval``, the interval the summary and the tables state) as a
    whisker and as numbers above it (never on it)."""
    runs = [result] + ([branch] if branch is not None else [])
    p = np.array([r.p_agreement for r in runs])
    low, high = np.array([r.p_agreement_interval for r in runs]).T
    labels = ["integrated over claims"] + [esc(branch_label(r)) for r in runs[1:]]
    fig = new_figure(trace(
        "bar", x=labels, y=p, error_y={"type": "data", "symmetric": False, "array": high - p,
                                "arrayminus": p - low, "color": "#444444"},
        marker={"color": [ACCEPTABLE, "#e9c46a"][:len(runs)]}, width=0.45,
        hovertemplate="%{x}<br>P = %{y:.3f}<extra></extra>", meta={"role": "p_agreement"}))
    add_trace(fig, trace(
        "scatter", x=labels, y=high + 0.02, mode="text", textposition="top center",
        text=[_interval_text(v, lo, hi) for v, lo, hi in zip(p, low, high, strict=True)],
        showlegend=False, hoverinfo="skip", meta={"role": "interval"}))
    _layout(fig, "P(agreement): some package acceptable to every actor with a veto"
            "<br><sub>bars: estimate; whiskers and numbers: 95% Wilson interval</sub>",
            height=400, showlegend=False)
    return update_axes(fig, "y", title={"text": "probability"}, range=[0, 1.15])


def tornado_figure(result, rows: int = TORNADO_ROWS) -> Figure:
    """Spearman rho of each uncertain input with agreement, largest |rho| on top; inputs are
    named in words (:func:`redline.scenario.labels.input_labels`), the path in the hover."""
    from redline.scenario.labels import input_labels

    table = sorted(result.sensitivity(), key=lambda r: (-abs(r["rho"]["agreement"]),
                                                         r["input"]))[:rows]
    rho = [r["rho"]["agreement"] for r in table]
    names = input_labels(result.plan.scenario, [r["input"] for r in table], width=SLIDE_LABEL)
    fig = new_figure(trace(
        "bar", x=rho, y=[esc(n) for n in names], orientation="h",
        marker={"color": ["#2a9d8f" if v >= 0 else "#e76f51" for v in rho]},
        text=[f"{v:+.2f}" for v in rho], textposition="outside",
        customdata=[esc(r["input"]) for r in table],
        hovertemplate="%{y}<br>%{customdata}<br>rho = %{x:.3f}<extra></extra>",
        meta={"role": "tornado"}))
    _layout(fig, "What drives agreement: Spearman rho with P(agreement)<br><sub>green: "
            "higher input, more agreement; red: less</sub>",
            height=max(280, 140 + 30 * len(table)))
    if not table:
        return empty_note(fig, "No uncertain inputs or claims: give an input a distribution "
                          "(or add a claim) to see what drives agreement.")
    update_axes(fig, "x", title={"text": "rank correlation with agreement"},
                range=[-1.15, 1.15])
    return update_axes(fig, "y", autorange="reversed", automargin=True)


# ---------------------------------------------------------------- the rounds

def _step_label(step) -> str:
    if step.round is None:
        return "prior"
    mark = " (illustration)" if step.illustrative else ""
    return esc(f"{step.date or ''} {step.round}{mark}".strip())


def timeline_figure(steps: Sequence, claim_names: dict[str, str] | None = None) -> Figure:
    """What each round taught: P(agreement) after each round with its 95% interval (at the
    effective sample size; whiskers and numbers above them), and each claim's probability,
    from the prior on the left to the last round on the right
    (:class:`redline.uncertainty.update.Step`)."""
    labels = [_step_label(s) for s in steps]
    p = np.array([s.p_agreement["p"] for s in steps])
    low = np.array([s.p_agreement["low"] for s in steps])
    high = np.array([s.p_agreement["high"] for s in steps])
    fig = stacked_rows(2, ["P(agreement), 95% interval at the effective sample size",
                           "claims: probability of being true"],
                       vertical_spacing=0.12, shared_xaxes=True)
    add_trace(fig, trace(
        "scatter", x=labels, y=p, mode="lines+markers", name="P(agreement)",
        error_y={"type": "data", "symmetric": False, "array": high - p, "arrayminus": p - low},
        marker={"size": 9, "color": ACCEPTABLE,
                "symbol": ["circle-open" if s.illustrative else "circle" for s in steps]},
        line={"color": ACCEPTABLE}, meta={"role": "p_agreement"},
        hovertemplate="%{x}<br>P = %{y:.3f}<extra></extra>"), row=1)
    add_trace(fig, trace(
        "scatter", x=labels, y=np.minimum(high + 0.04, 1.1), mode="text",
        textposition="top center",
        text=[_interval_text(v, lo, hi) for v, lo, hi in zip(p, low, high, strict=True)],
        showlegend=False, hoverinfo="skip", meta={"role": "interval"}), row=1)
    names = claim_names or {}
    claims = list(steps[0].claims) if steps else []
    for k, claim in enumerate(claims):
        add_trace(fig, trace(
            "scatter", x=labels, y=[s.claims[claim] for s in steps], mode="lines+markers",
            name=esc(_cut(names.get(claim, claim), 40)), line={"color": colour(k + 1)},
            meta={"role": "claim", "claim": claim},
            hovertemplate="%{fullData.name}<br>%{x}: %{y:.2f}<extra></extra>"), row=2)
    _layout(fig, "What each round taught: the posterior after each round"
            "<br><sub>open circles: an analyst's illustration, not a reported event</sub>",
            height=620)
    update_axes(fig, "y", 1, title={"text": "probability"}, range=[0, 1.15])
    update_axes(fig, "y", 2, title={"text": "P(true)"}, range=[0, 1.05])
    if not claims:
        add_annotation(fig, text="The scenario has no claims.", x=0.5, y=0.2, xref="paper",
                       yref="paper", showarrow=False, font={"color": "#5b6675"})
    return fig


def traces(fig) -> list[dict]:
    """The traces of ``fig`` (figure JSON, or a ``go.Figure``) as dicts."""
    if isinstance(fig, dict):
        return fig["data"]
    return [t.to_plotly_json() for t in fig.data]


def figure_roles(fig) -> Sequence[str]:
    """The ``meta.role`` of every trace (for tests and the web app)."""
    return [(t.get("meta") or {}).get("role", "") for t in traces(fig)]
