"""Draw a lab's charts: bars in the terminal (rich) and a PNG file (matplotlib).

The figures come from the lab model (``proclab.lab.chart_data``); this module only draws.
``write_picture`` puts the PNG in ``reports_dir()/<lab>/<timestamp>/charts.png`` and
adds its path to ``LabResult.artifacts``.
"""
from __future__ import annotations

import datetime
import importlib.util
from pathlib import Path
from typing import Any, Sequence

from ..lab.chart_data import Bar, Chart
from ..paths import reports_dir

EIGHTHS = " ▏▎▍▌▋▊▉█"

__all__ = ["Bar", "Chart", "bar_text", "terminal", "save_png", "report_folder", "write_picture"]


# -- the terminal picture ------------------------------------------------
def bar_text(value: float, top: float, width: int) -> str:
    """A bar of ``value`` on a scale where ``top`` fills ``width`` cells, in eighths of a cell."""
    if top <= 0 or value <= 0:
        return ""
    eighths = round(min(value / top, 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def terminal(chart: Chart, width: int | None = None) -> Any:
    """The chart as rich bars: one measured bar per label, the expected bar under it.

    ``width`` is the longest bar in cells; by default the bars fill what the console leaves.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .safe import safe, visible

    values = [visible(f"{_fmt(b.value)} {chart.unit}") for b in chart.bars]
    expects = [visible(f"{_fmt(b.expected)} {chart.unit} {chart.expected_label}") for b in chart.bars if b.expected is not None]
    label_w = max((len(b.label) for b in chart.bars), default=0)
    value_w = max((len(v) for v in values + expects), default=0)

    class View:
        def __rich_console__(self, console: Any, options: Any) -> Any:
            bar_w = width or max(10, min(60, options.max_width - label_w - value_w - 4))
            t = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
            t.add_column("label", no_wrap=True)
            t.add_column("bar", no_wrap=True, min_width=bar_w)
            t.add_column("value", justify="right", no_wrap=True)
            top = chart.top
            for b, value in zip(chart.bars, values):
                t.add_row(safe(b.label), Text(bar_text(b.value, top, bar_w), style="cyan"), safe(value))
                if b.expected is not None:
                    t.add_row("", Text(bar_text(b.expected, top, bar_w), style="grey50"),
                              safe(f"{_fmt(b.expected)} {chart.unit} {chart.expected_label}", style="dim"))
            legend = Text.assemble((visible(f"▌ {chart.title}"), "bold"), ("   █ ", "cyan"),
                                   (visible(chart.measured_label), "dim"))
            if expects:
                legend.append_text(Text.assemble(("  █ ", "grey50"), (visible(chart.expected_label), "dim")))
            yield Group(legend, t)

    return View()


# -- the picture file ----------------------------------------------------
def save_png(charts: Sequence[Chart], path: Path, title: str = "") -> Path:
    """All charts, one under the other, as a PNG (matplotlib's Agg canvas, no GUI, no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = [max(len(c.bars), 1) for c in charts]
    fig = Figure(figsize=(8, 1.2 + sum(0.55 * r + 0.9 for r in rows)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(charts), 1, squeeze=False, height_ratios=[r + 1 for r in rows])[:, 0]
    for ax, chart in zip(axes, charts):
        labels = [b.label for b in chart.bars]
        ys = list(range(len(labels)))
        has_expected = any(b.expected is not None for b in chart.bars)
        h = 0.38 if has_expected else 0.6
        measured = ax.barh([y - (h / 2 if has_expected else 0) for y in ys], [b.value for b in chart.bars],
                           height=h, color="#1f77b4", label=chart.measured_label)
        ax.bar_label(measured, labels=[_fmt(b.value) for b in chart.bars], padding=3, fontsize=8)
        if has_expected:
            exp = [b.expected if b.expected is not None else 0.0 for b in chart.bars]
            bars = ax.barh([y + h / 2 for y in ys], exp, height=h, color="#b0b0b0", label=chart.expected_label)
            ax.bar_label(bars, labels=[_fmt(v) if b.expected is not None else "" for v, b in zip(exp, chart.bars)],
                         padding=3, fontsize=8, color="#555555")
            ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8, frameon=False)
        ax.set_yticks(ys, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, chart.top * 1.18)
        ax.set_xlabel(chart.unit)
        ax.set_title(chart.title, fontsize=10, loc="left")
    if title:
        fig.suptitle(title, fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def report_folder(lab: str) -> Path:
    """A new folder for this run's report files: reports_dir()/<lab>/<timestamp>."""
    base = reports_dir() / lab
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        folder = base / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"too many report folders for {stamp} in {base}")


def write_picture(result: Any) -> list[str]:
    """Write the result's charts as one PNG beside its report; problems as sentences."""
    if not result.charts:
        return []
    if importlib.util.find_spec("matplotlib") is None:     # e.g. the compose harness image
        return [f"{result.lab}: no chart picture (matplotlib is not installed); the bars show the same figures"]
    try:
        folder = report_folder(result.lab)
        png = save_png(result.charts, folder / "charts.png", title=f"{result.lab}: {result.title}")
    except OSError as err:
        return [f"{result.lab}: could not write the chart picture: {err}"]
    result.report_dir = folder
    result.artifacts.append(str(png))
    return []
