"""Figures (matplotlib, PNG and PDF), written atomically, at the size a claim designed them or at a paper's width.

Claims draw at a comfortable screen size; ``width("column")`` or ``width("page")`` (the CLI's ``--figure-width``)
makes ``save`` fit every figure to that width before writing it (``fit``): panels too narrow to read reflow into
fewer columns, each keeping its designed aspect (never flatter than ``FLATTEST``); the legends gather below the
panels; every text is scaled with the figure but never below ``SMALLEST_POINTS``; titles and labels wrap at the
figure's edge. The figure can then be included at 100% in a paper and its text stays legible.
"""

from __future__ import annotations

import contextlib
import math
from io import BytesIO
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import FixedLocator, NullLocator  # noqa: E402

from .files import write_atomic  # noqa: E402

COLOURS = ("#1b6ca8", "#d1495b", "#edae49", "#00798c")
# The shared style: panel titles at 10 pt, a figure's title at 11 pt (below matplotlib's 'large', so that long titles
# fit their panels); set once here, for the figures of every claim.
plt.rcParams.update({"axes.titlesize": 10, "figure.titlesize": 11})
# Widths in inches of a two-column paper (e.g. ICLR/NeurIPS/IEEE): one column, and the full text width.
WIDTHS = {"column": 3.4, "page": 7.0}
SMALLEST_POINTS = 7.0  # the smallest text a printed figure keeps legible (journals ask for 6-8 pt)
FLATTEST = 0.55  # height/width below which panels are too flat to read once shrunk to a paper's width
NARROWEST = 2.2  # inches: the narrowest panel whose ticks and labels stay readable at SMALLEST_POINTS
MOST_ROWS = 4  # panels reflowed into one column stack at most this many rows (then two columns, narrower)

_chosen = {"width": None}


@contextlib.contextmanager
def width(name):
    """Within the block, ``save`` fits figures to the paper width ``name`` (a key of WIDTHS; None: as designed)."""
    if name is not None and name not in WIDTHS:
        raise ValueError(f"figure width {name!r} is not one of {', '.join(WIDTHS)}")
    before = _chosen["width"]
    _chosen["width"] = name
    try:
        yield
    finally:
        _chosen["width"] = before


def save(figure, directory: Path, stem: str) -> list:
    """Write ``figure`` as ``stem``.png and ``stem``.pdf into ``directory`` (atomically); close it."""
    if _chosen["width"] is not None:
        fit(figure, WIDTHS[_chosen["width"]])
    paths = []
    for suffix in ("png", "pdf"):
        path = Path(directory) / f"{stem}.{suffix}"
        write_atomic(path, _rendered(figure, suffix))
        paths.append(path)
    plt.close(figure)
    return paths


def verdict_colour(status: str) -> str:
    """The colour of a point that an outcome judged: the first colour when it passed, the second otherwise."""
    return COLOURS[0] if status == "pass" else COLOURS[1]


def legend_below(figure, handles, labels, columns: int = 5, points: float = 9) -> None:
    """One legend for the whole figure, below its panels (where it hides no curve), without a frame."""
    figure.legend(handles, labels, loc="outside lower center", ncol=columns, fontsize=points, frameon=False)


def fit(figure, inches: float) -> None:
    """Resize ``figure`` to ``inches`` wide for a paper: panels narrower than NARROWEST reflow into fewer columns,
    the axes' legends gather into one legend below the panels (a shrunk panel has no room for one), every text is
    scaled with the figure but never below SMALLEST_POINTS, titles and axis labels wrap at the figure's edge; the
    layout engine then places everything within the new size."""
    cells = {}  # grid cell → its axes (a twinx shares its host's cell), in the order drawn
    for axis in figure.axes:
        if axis.get_subplotspec() is not None:
            cells.setdefault(axis.get_subplotspec().get_geometry(), []).append(axis)
    panels = [shared[0] for shared in cells.values()]
    rows, columns = panels[0].get_subplotspec().get_gridspec().get_geometry() if panels else (1, 1)
    panel_aspect = (figure.get_figheight() / rows) / (figure.get_figwidth() / columns)
    scale = inches / figure.get_figwidth()
    fitted = min(columns, max(math.floor(inches / NARROWEST), math.ceil(len(panels) / MOST_ROWS), 1))
    if fitted < columns:
        rows, columns = math.ceil(len(panels) / fitted), fitted
        grid = figure.add_gridspec(rows, columns)
        for index, shared in enumerate(cells.values()):
            for axis in shared:
                axis.set_subplotspec(grid[index // columns, index % columns])
                axis.tick_params(labelleft=True, labelbottom=True)  # shared axes hid the old grid's inner labels
        _label_outer_panels(panels, columns)
    panels = [axis for shared in cells.values() for axis in shared]
    legend_rows = _gather_legends(figure, panels, inches)
    height = rows * max(panel_aspect, FLATTEST) * inches / columns
    figure.set_size_inches(inches, height + legend_rows * 1.5 * SMALLEST_POINTS / 72)
    for text in figure.findobj(Text):
        text.set_fontsize(_legible(text.get_fontsize(), scale))
    # titles, axis labels and free texts wrap (matplotlib cannot wrap the texts of a legend)
    labels = [text for axis in figure.axes for text in (axis.title, axis.xaxis.label, axis.yaxis.label)]
    for text in labels + figure.texts + [getattr(figure, "_suptitle", None)]:
        if text is not None:
            text.set_wrap(True)
    for axis in figure.axes:
        for name, which in (("x", axis.xaxis), ("y", axis.yaxis)):
            ticks = which.get_major_ticks()
            if ticks:
                axis.tick_params(axis=name, which="both", labelsize=_legible(ticks[0].label1.get_fontsize(), scale))


def _label_outer_panels(panels, columns: int) -> None:
    """A grid labels only its outer panels; reflowed, a panel without a label gets the one the old grid shared (the
    first given): every x axis (their ranges may differ), the y axes of the new first column."""
    for name, wanted in (("xlabel", lambda index: True), ("ylabel", lambda index: index % columns == 0)):
        shared = next((getattr(a, f"get_{name}")() for a in panels if getattr(a, f"get_{name}")()), "")
        for index, axis in enumerate(panels):
            if wanted(index) and not getattr(axis, f"get_{name}")():
                getattr(axis, f"set_{name}")(shared)


def _gather_legends(figure, panels, inches: float) -> int:
    """Replace the panels' legends and the figure's by one below the panels (entries with the same label once),
    with as many columns as fit in ``inches``; its number of rows."""
    entries = {}
    for legend in [axis.get_legend() for axis in panels] + list(figure.legends):
        if legend is not None:
            for handle, text in zip(legend.legend_handles, legend.get_texts()):
                entries.setdefault(text.get_text(), handle)
            legend.remove()
    if not entries:
        return 0
    # an entry: handle, gaps and spacing (3.5 em) and its label (~0.55 em a character), at SMALLEST_POINTS
    entry = (3.5 + 0.55 * max(map(len, entries))) * SMALLEST_POINTS / 72
    across = max(1, min(len(entries), math.floor(inches / entry)))
    figure.legend(list(entries.values()), list(entries), loc="outside lower center", ncol=across, frameon=False,
                  handlelength=1.5, columnspacing=1.0)
    return math.ceil(len(entries) / across)


def _legible(points: float, scale: float) -> float:
    return max(SMALLEST_POINTS, min(points, points * scale))


def decade_ticks(axis, low: float, high: float, most: int = 8) -> None:
    """Log-scale y ticks at whole decades covering [low, high] (positive), every 1, 2, 5, 10, 20, 25 or 50 decades
    so that at most ``most`` ticks show, the lowest at or below ``low`` and the highest at or above ``high``;
    the axis limits are those end ticks."""
    bottom, top = math.floor(math.log10(low)), math.ceil(math.log10(high))
    stride = next((s for s in (1, 2, 5, 10, 20, 25, 50) if (top - bottom) / s < most), 100)
    top = stride * math.ceil(top / stride)
    bottom = stride * math.floor(bottom / stride)
    axis.set_yscale("log")
    axis.set_ylim(10.0**bottom, 10.0**top)
    axis.yaxis.set_major_locator(FixedLocator([10.0**k for k in range(bottom, top + 1, stride)]))
    axis.yaxis.set_minor_locator(NullLocator())


def _rendered(figure, suffix: str) -> bytes:
    buffer = BytesIO()
    figure.savefig(buffer, format=suffix, dpi=160, metadata={"CreationDate": None} if suffix == "pdf" else None)
    return buffer.getvalue()
