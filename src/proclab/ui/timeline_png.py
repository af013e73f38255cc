"""The timeline as a PNG beside the HTML report (matplotlib's Agg canvas, no GUI, no pyplot state)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .html.svg import FILL, INK
from .html.timeline import Timeline


def save_timeline_png(timelines: Sequence[Timeline], path: Path, title: str = "") -> Path:
    """One panel per run: a lane per process, a coloured, lettered box per checkpoint."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = [t for t in timelines if t.lanes] or list(timelines[:1])
    rows = [max(len(t.lanes), 1) for t in shown]
    cols = max((len(t.columns) for t in shown), default=1)
    fig = Figure(figsize=(2.2 + 1.5 * cols, 1.0 + sum(0.42 * r + 0.9 for r in rows)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(shown), 1, squeeze=False, height_ratios=[r + 1 for r in rows])[:, 0]
    for ax, t in zip(axes, shown):
        for y, lane in enumerate(t.lanes):
            for x, c in enumerate(lane.cells):
                if not c.state:
                    if x == lane.last + 1:
                        ax.text(x - 0.4, y, f"✕ {lane.ending}", va="center", fontsize=8, color="#444")
                    continue
                ax.add_patch(_box(x, y, FILL.get(c.state, "#777"), "#ef6c00" if c.reparented else "none"))
                ax.text(x - 0.38, y, c.state, va="center", fontsize=10, weight="bold", color=INK.get(c.state, "#fff"))
                ax.text(x - 0.18, y, f"ppid {c.ppid}", va="center", fontsize=7, color=INK.get(c.state, "#fff"),
                        weight="bold" if c.reparented else "normal")
        ax.set_xlim(-0.5, cols - 0.5 + 0.6)
        ax.set_ylim(len(t.lanes) - 0.5, -0.5)
        ax.set_xticks(range(len(t.columns)), [f"{c.name}\n{c.at_s:.2f}s" for c in t.columns], fontsize=8)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(t.lanes)), [f"pid {ln.pid} {ln.role or ln.name}" for ln in t.lanes], fontsize=8)
        ax.set_title(f"run {t.run}", fontsize=9, loc="left")
        for side in ("right", "bottom", "left"):
            ax.spines[side].set_visible(False)
    if title:
        fig.suptitle(title, fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path


def _box(x: float, y: float, fill: str, edge: str):  # type: ignore[no-untyped-def]
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch((x - 0.44, y - 0.3), 0.88, 0.6, boxstyle="round,pad=0.02", facecolor=fill,
                          edgecolor=edge, linewidth=2.5 if edge != "none" else 0)
