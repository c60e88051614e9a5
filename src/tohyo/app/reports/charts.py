"""Result and turnout charts as SVG, drawn by matplotlib (docs/spec/reports.md §REP-4).

Charts are drawn with the object-oriented API (no pyplot state, safe in a
server's threads) in Noto Sans CJK JP, with glyphs as paths, so an SVG looks
the same in every browser and in the PDF without the font installed on the
reader's machine. Output is byte-for-byte deterministic: ids come from a fixed
``svg.hashsalt`` and the metadata carries no date. Every chart is shown beside
a data table with the same figures (screen readers, copy and paste); the chart
adds nothing the table lacks.

Colours are the Okabe–Ito palette (distinguishable with colour-vision
deficiencies); bars also carry their figures as text.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: never a GUI backend

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from tohyo.app.reports.fonts import SANS, font_file
from tohyo.app.reports.turnout import TurnoutSeries

__all__ = ["PALETTE", "bar_chart", "pie_chart", "svg_size_pt", "turnout_chart"]

#: Okabe–Ito, without yellow (too light on white for 3:1 non-text contrast).
PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000",
)
_GREY = "#595959"
_LOCK = threading.Lock()  # rcParams are process-global; one chart at a time
_RC: Any = {  # Any: matplotlib types rc keys as a Literal union
    "svg.hashsalt": "tohyo-report",
    "svg.fonttype": "path",
    "font.family": ["Noto Sans CJK JP"],
    "font.size": 10,
    "axes.edgecolor": _GREY,
    "axes.labelcolor": "#000000",
    "xtick.color": "#000000",
    "ytick.color": "#000000",
}
_registered = False


def _ensure_font() -> None:
    global _registered
    if not _registered:
        font_manager.fontManager.addfont(str(font_file(SANS)))
        _registered = True


def _svg(fig: Figure) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None},
                bbox_inches="tight", pad_inches=0.05)
    text = out.getvalue()
    # A bare <svg> element: no XML declaration or DOCTYPE, so it can also be inlined.
    return text[text.index("<svg"):]


def _draw(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), dpi=72)
    return fig, fig.add_subplot()


def _fold(label: str, width: int = 14) -> str:
    """Wrap long labels (Japanese has no spaces: wrap every ``width`` characters)."""
    if len(label) <= width:
        return label
    return "\n".join(label[i:i + width] for i in range(0, len(label), width))


def bar_chart(labels: Sequence[str], values: Sequence[int], axis_label: str) -> str:
    """Horizontal bars, first option on top, each with its figure at the end."""
    with _LOCK, matplotlib.rc_context(_RC):
        _ensure_font()
        height = 0.8 + 0.36 * max(1, len(labels))
        fig, ax = _draw(4.2, height)
        ys = list(range(len(labels)))[::-1]
        ax.barh(ys, list(values), color=PALETTE[0], height=0.6)
        top = max([*values, 1])
        for y, v in zip(ys, values, strict=True):
            ax.text(v + top * 0.01, y, f"{v:,}", va="center", fontsize=9)
        ax.set_yticks(ys, [_fold(label) for label in labels])
        ax.set_xlim(0, top * 1.15)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # votes are whole
        ax.set_xlabel(axis_label)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return _svg(fig)


def pie_chart(labels: Sequence[str], values: Sequence[int]) -> str:
    """A pie with shares, as the city's published survey results show (seed 002)."""
    with _LOCK, matplotlib.rc_context(_RC):
        _ensure_font()
        fig, ax = _draw(4.2, 2.2)
        total = sum(values)
        if total == 0:
            ax.text(0.5, 0.5, "0", ha="center", va="center")
            ax.axis("off")
            return _svg(fig)
        wedges, _ = ax.pie(
            list(values), colors=PALETTE[: len(values)], startangle=90, counterclock=False,
            wedgeprops={"edgecolor": "white", "linewidth": 1},
        )
        ax.legend(
            wedges,
            [f"{_fold(label, 12)}\n{v:,} ({v * 100 / total:.1f}%)"
             for label, v in zip(labels, values, strict=True)],
            loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8,
            labelspacing=0.8,
        )
        ax.set_aspect("equal")
        return _svg(fig)


def turnout_chart(series: TurnoutSeries, names: Sequence[str], axis_label: str) -> str:
    """Cumulative voters per channel over the period (stacked areas, one line per channel)."""
    with _LOCK, matplotlib.rc_context(_RC):
        _ensure_font()
        fig, ax = _draw(6.4, 2.8)
        xs: Any = [p.end.replace(tzinfo=None) for p in series.points]  # dates: matplotlib converts
        internet = [p.internet for p in series.points]
        paper = [p.paper for p in series.points]
        ax.stackplot(xs, internet, paper, labels=list(names),
                     colors=[PALETTE[0], PALETTE[1]], alpha=0.85, step="post")
        ax.set_ylabel(axis_label)
        ax.legend(loc="upper left", frameon=False, fontsize=9)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(x=0)
        fig.autofmt_xdate()
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return _svg(fig)


_SIZE = re.compile(r'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')


def svg_size_pt(svg: str) -> tuple[float, float]:
    """Width and height of a chart in points (for laying it out)."""
    found = _SIZE.search(svg)
    return (float(found.group(1)), float(found.group(2))) if found else (460.0, 200.0)
