"""PNG copies of the report's figures, re-drawn with matplotlib (``redline report --png``).

:func:`write_pngs` re-draws each plotly figure from the figure's own data (its traces, axes,
shapes and title), so it needs neither kaleido nor a Chrome browser. matplotlib is imported only
when a figure is drawn.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from redline.errors import RedlineError
from redline.io.atomic import write_bytes
from redline.report.figures import Figure, as_figure

SYMBOLS = {  # plotly marker symbol -> matplotlib marker
    "circle": "o", "circle-open": "o", "star": "*", "diamond": "D", "square": "s",
    "triangle-up": "^", "x": "x"}
DASHES = {  # plotly line dash -> matplotlib linestyle
    "dash": "--", "dot": ":", "dashdot": "-."}
TITLE_AT_ROW_TOP = 1e-6  # paper units: how close a subplot title sits to its row's top edge
SLIDE_INCHES = (12.8, 7.2)  # a 16:9 slide; at SLIDE_DPI, 1920 x 1080 pixels
SLIDE_DPI = 150
TITLE_CHARS = 110  # a slide title's line, in characters, before it wraps


def plain(text: object) -> str:
    """Plotly's HTML-like label as plain text.

    Parameters
    ----------
    text : object
        A title, tick or legend label; ``<br>`` becomes a line break, other tags are dropped,
        entities are unescaped. None gives ``""``.

    Returns
    -------
    str
        The label as matplotlib shows it.
    """
    text = re.sub(r"<br\s*/?>", "\n", str(text or ""))
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def write_pngs(figures: Mapping[str, Figure | go.Figure], folder: str | Path, *,
               dpi: int = SLIDE_DPI) -> list[Path]:
    """Write ``folder/<name>.png`` for each figure, re-drawn with matplotlib, one slide each
    (:data:`SLIDE_INCHES` at :data:`SLIDE_DPI`: 1920 x 1080 pixels).

    Parameters
    ----------
    figures : mapping of str to Figure or plotly.graph_objects.Figure
        The figures by name (figure JSON of :mod:`redline.report.figures`, or plotly's
        objects); a name is reduced to ``[A-Za-z0-9_.-]`` for its file name.
    folder : str or Path
        Where the PNGs go; each file is written atomically.
    dpi : int, optional
        The resolution of the images.

    Returns
    -------
    list of Path
        The files written, in the order of ``figures``.

    Raises
    ------
    RedlineError
        When matplotlib is not installed (with the extra to install).
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError:
        raise RedlineError("PNG export needs matplotlib",
                           hint="pip install 'redline[report]'") from None
    out = []
    for name, fig in figures.items():
        image = to_matplotlib(fig)
        FigureCanvasAgg(image)
        buffer = io.BytesIO()
        image.savefig(buffer, format="png", dpi=dpi)
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "figure"
        out.append(write_bytes(Path(folder) / f"{slug}.png", buffer.getvalue()))
    return out


def to_matplotlib(fig: Figure | go.Figure):
    """A matplotlib figure drawn from a plotly figure's traces, axes, shapes and title.

    Parameters
    ----------
    fig : Figure or plotly.graph_objects.Figure
        A figure from :mod:`redline.report.figures` (read through plotly's validating
        objects here, off the app's hot path): scatter, bar, histogram and parcoords
        traces on one or more stacked rows are drawn; other trace types are skipped.

    Returns
    -------
    matplotlib.figure.Figure
        A figure not attached to any pyplot state (attach a canvas to save it).
    """
    from matplotlib.figure import Figure as Image

    fig = as_figure(fig)
    traces = list(fig.data)
    layout = fig.layout
    image = Image(figsize=SLIDE_INCHES)
    empty = (layout.meta or {}).get("empty") if isinstance(layout.meta, dict) else None
    if empty:
        ax = image.subplots()
        ax.axis("off")
        ax.text(0.5, 0.5, plain(empty), ha="center", va="center", fontsize=14,
                color="#5b6675", wrap=True, transform=ax.transAxes)
    elif traces and all(t.type == "parcoords" for t in traces):
        ax = image.subplots()
        for trace in traces:
            _parcoords(ax, trace)
    else:
        rows = sorted({t.yaxis or "y" for t in traces} or {"y"},
                      key=lambda a: int(a[1:] or 1))
        axes = image.subplots(len(rows), 1, squeeze=False)[:, 0]
        by_axis = dict(zip(rows, axes, strict=True))
        categories = _categories(fig, traces)
        seen: set[str] = set()
        for trace in traces:
            ax = by_axis[trace.yaxis or "y"]
            draw = {"scatter": _scatter, "scattergl": _scatter, "bar": _bar,
                    "histogram": _histogram}.get(trace.type)
            if draw is not None:
                draw(ax, trace, categories, seen)
        for axis_id, ax in by_axis.items():
            _style_axes(fig, ax, axis_id, categories)
            _subplot_title(fig, ax, axis_id)
        for shape in layout.shapes or ():
            _shape(by_axis.get("y", axes[0]), shape)
        for ax in axes:  # beside the plot, so it never hides a point or a name
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                          borderaxespad=0)
    title = "\n".join(textwrap.fill(line, TITLE_CHARS) for line in
                      plain(layout.title.text).splitlines())
    image.suptitle(title, fontsize=14, x=0.01, ha="left")
    image.set_layout_engine("constrained")
    return image


def _label(trace, seen: set[str]) -> str:
    name = plain(trace.name)
    if trace.showlegend is False or not name or name in seen:
        return "_nolegend_"
    seen.add(name)
    return name


def _axis_key(axis_id: str, letter: str) -> str:
    return f"{letter}axis{axis_id[1:]}"


def _categories(fig: go.Figure, traces) -> dict[str, list[str]]:
    """Category order per axis id (``y``, ``y2``, ``x``...) for string-valued axes."""
    out: dict[str, list[str]] = {}
    for trace in traces:
        for letter in ("x", "y"):
            values = getattr(trace, letter, None)
            if values is None or len(values) == 0 or not isinstance(values[0], str):
                continue
            axis_id = getattr(trace, f"{letter}axis", None) or letter
            order = out.setdefault(axis_id, list(
                fig.layout[_axis_key(axis_id, letter)].categoryarray or ()))
            order.extend(v for v in values if v not in order)
    return out


def _positions(values, axis_id: str, categories: dict[str, list[str]]) -> np.ndarray:
    if axis_id in categories:
        order = categories[axis_id]
        return np.array([order.index(v) for v in values], dtype=float)
    return np.asarray(values, dtype=float)


def _colour(value, default: str = "#1f77b4"):
    return default if value is None else (list(value) if not isinstance(value, str) else value)


def _scatter(ax, trace, categories, seen) -> None:
    x = _positions(trace.x, trace.xaxis or "x", categories)
    y = _positions(trace.y, trace.yaxis or "y", categories)
    mode = trace.mode or "markers"
    if mode == "text":  # numbers beside bars (intervals), placed as in plotly
        _texts(ax, x, y, trace)
        return
    label = _label(trace, seen)
    line = trace.line
    line_colour = line.color if line and line.color else None
    colour = _colour(trace.marker.color if trace.marker else None, line_colour or "#1f77b4")
    if "lines" in mode:
        ax.plot(x, y, color=line_colour or colour,
                linestyle=DASHES.get(line.dash if line else None, "-"), linewidth=1.2,
                label=label)
        label = "_nolegend_"
    if "markers" not in mode:
        return
    marker = trace.marker
    symbols = marker.symbol if marker and marker.symbol is not None else "circle"
    symbols = np.array([symbols] * len(x) if isinstance(symbols, str) else list(symbols))
    size = (marker.size if marker and isinstance(marker.size, int | float) else 6) ** 2 * 0.6
    for symbol in dict.fromkeys(symbols.tolist()):
        pick = symbols == symbol
        face = "none" if symbol.endswith("-open") else colour
        paint = {"color": colour} if symbol == "x" else {"facecolors": face,
                                                          "edgecolors": colour}
        ax.scatter(x[pick], y[pick], s=size, marker=SYMBOLS.get(symbol, "o"), label=label,
                   alpha=marker.opacity if marker and marker.opacity else 1.0, zorder=3,
                   **paint)
        label = "_nolegend_"


def _bar(ax, trace, categories, seen) -> None:
    marker = trace.marker
    colour = _colour(marker.color if marker else None)
    alpha = marker.opacity if marker and marker.opacity is not None else 1.0
    label = _label(trace, seen)
    if trace.orientation == "h":
        y = _positions(trace.y, trace.yaxis or "y", categories)
        bars = ax.barh(y, np.asarray(trace.x, dtype=float), color=colour, alpha=alpha,
                       label=label, xerr=_error_bars(trace.error_x), capsize=4)
    else:
        x = _positions(trace.x, trace.xaxis or "x", categories)
        bars = ax.bar(x, np.asarray(trace.y, dtype=float), color=colour, alpha=alpha,
                      label=label, yerr=_error_bars(trace.error_y), capsize=4,
                      width=trace.width if isinstance(trace.width, int | float) else 0.8)
    if trace.text is not None and not isinstance(trace.text, str) and \
            trace.textposition == "outside":
        ax.bar_label(bars, labels=[plain(t) for t in trace.text], padding=3, fontsize=8)


def _texts(ax, x: np.ndarray, y: np.ndarray, trace) -> None:
    """A text-only scatter trace: each label at its point, anchored as plotly anchors it."""
    position = trace.textposition or "middle center"
    position = position if isinstance(position, str) else position[0]
    vertical, horizontal = position.split(" ")
    ha = {"left": "right", "right": "left"}.get(horizontal, "center")
    va = {"top": "bottom", "bottom": "top"}.get(vertical, "center")
    for xi, yi, text in zip(x, y, trace.text, strict=True):
        ax.text(xi, yi, plain(text), ha=ha, va=va, fontsize=9)


def _error_bars(error_y) -> np.ndarray | None:
    """Plotly's ``error_y`` (or ``error_x``) as matplotlib's ``yerr``: one row (symmetric) or
    (below, above)."""
    if not error_y or error_y.array is None:
        return None
    above = np.asarray(error_y.array, dtype=float)
    if error_y.symmetric is False and error_y.arrayminus is not None:
        return np.vstack([np.asarray(error_y.arrayminus, dtype=float), above])
    return above


def _histogram(ax, trace, categories, seen) -> None:
    colour = _colour(trace.marker.color if trace.marker else None)
    ax.hist(np.asarray(trace.x, dtype=float), bins=trace.nbinsx or "auto", range=(0, 100),
            color=colour, label=_label(trace, seen))


def _style_axes(fig: go.Figure, ax, axis_id: str, categories) -> None:
    y_axis = fig.layout[_axis_key(axis_id, "y")]
    x_id = next((t.xaxis or "x" for t in fig.data if (t.yaxis or "y") == axis_id), "x")
    x_axis = fig.layout[_axis_key(x_id, "x")]
    for axis, letter, key in ((x_axis, "x", x_id), (y_axis, "y", axis_id)):
        set_label = ax.set_xlabel if letter == "x" else ax.set_ylabel
        set_label(plain(axis.title.text), fontsize=9)
        if key in categories:
            ticks = range(len(categories[key]))
            labels = [plain(c) for c in categories[key]]
            (ax.set_xticks if letter == "x" else ax.set_yticks)(ticks, labels, fontsize=8)
        elif axis.tickvals is not None:
            (ax.set_xticks if letter == "x" else ax.set_yticks)(
                list(axis.tickvals), [plain(t) for t in axis.ticktext or axis.tickvals],
                fontsize=8, rotation=15 if letter == "x" else 0)
        if axis.range is not None:
            (ax.set_xlim if letter == "x" else ax.set_ylim)(*axis.range)
        if axis.autorange == "reversed":
            (ax.invert_xaxis if letter == "x" else ax.invert_yaxis)()
    ax.grid(alpha=0.3)


def _subplot_title(fig: go.Figure, ax, axis_id: str) -> None:
    """make_subplots' titles are annotations just above each row's y domain."""
    top = fig.layout[_axis_key(axis_id, "y")].domain
    for note in fig.layout.annotations or ():
        if top is not None and note.yref == "paper" and abs(note.y - top[1]) < TITLE_AT_ROW_TOP:
            ax.set_title(plain(note.text), fontsize=10)


def _shape(ax, shape) -> None:
    if shape.type != "line":
        return
    style = {"color": "#888888", "linestyle": ":", "linewidth": 1}
    if shape.x0 == shape.x1 and shape.yref == "paper":
        ax.axvline(shape.x0, **style)
    elif shape.y0 == shape.y1 and shape.xref == "paper":
        ax.axhline(shape.y0, **style)


def _parcoords(ax, trace, max_lines: int = 4000) -> None:
    from matplotlib.collections import LineCollection
    from matplotlib.colors import LinearSegmentedColormap

    dims = list(trace.dimensions)
    columns = []
    for dim in dims:
        values = np.asarray(dim["values"], dtype=float)
        low, high = dim["range"] if dim["range"] else (values.min(), values.max())
        columns.append((values - low) / ((high - low) or 1.0))
    data = np.column_stack(columns)
    keep = np.linspace(0, data.shape[0] - 1, min(max_lines, data.shape[0])).astype(int)
    line = trace.line
    scale = line.colorscale or ((0, "#c9c9c9"), (1, "#1f77b4"))
    cmap = LinearSegmentedColormap.from_list("scale", [(float(p), c) for p, c in scale])
    colour = np.asarray(line.color if line.color is not None else np.zeros(data.shape[0]),
                        dtype=float)
    low = line.cmin if line.cmin is not None else colour.min()
    high = line.cmax if line.cmax is not None else colour.max()
    shade = (colour - low) / ((high - low) or 1.0)
    xs = np.arange(len(dims))
    segments = [np.column_stack([xs, data[k]]) for k in keep]
    ax.add_collection(LineCollection(segments, colors=cmap(shade[keep]), alpha=0.6,
                                     linewidths=0.5 + 1.5 * shade[keep]))
    ax.set_xlim(-0.1, len(dims) - 0.9)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(xs, [plain(d["label"]) for d in dims], fontsize=9)
    ax.set_ylabel("utility (each axis 0–1)", fontsize=9)
    ax.grid(axis="x", alpha=0.5)
