"""The timeline as a PNG beside the HTML report (matplotlib's Agg canvas, no GUI, no pyplot state):
the same figure as the page's SVG, with the kernel's record when the run has one (exact forks,
exits and reaps on the lanes, a lane for a process seen in no table, signals as arrows coloured
by the kernel's result)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .html.svg import FILL, INK, RESULT_COLOUR
from .html.timeline import Lane, Timeline, ordinal_x

HALF = (
    0.3  # half a checkpoint's box, in checkpoint units: the rest is room for what happened between
)


def save_timeline_png(timelines: Sequence[Timeline], path: Path, title: str = "") -> Path:
    """One panel per run: a lane per process, a coloured, lettered box per checkpoint."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = [t for t in timelines if t.lanes] or list(timelines[:1])
    rows = [max(len(t.lanes), 1) + (1 if any(a.outside for a in t.arrows) else 0) for t in shown]
    cols = max((len(t.columns) for t in shown), default=1)
    fig = Figure(
        figsize=(2.4 + 1.9 * cols, 1.0 + sum(0.42 * r + 0.9 for r in rows)), layout="constrained"
    )
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(shown), 1, squeeze=False, height_ratios=[r + 1 for r in rows])[:, 0]
    for ax, t in zip(axes, shown, strict=True):
        x = ordinal_x(t, HALF)
        top = -1 if any(a.outside for a in t.arrows) else 0
        ys: dict[int, int] = {}
        for y, lane in enumerate(t.lanes):
            ys.setdefault(lane.pid, y)
            if lane.life is not None:
                _life(ax, x, lane, y, cols)
            for i, c in enumerate(lane.cells):
                if not c.state:
                    if i == lane.last + 1 and lane.life is None:
                        ax.text(
                            i - HALF - 0.1,
                            y,
                            f"✕ {lane.ending}",
                            va="center",
                            ha="right",
                            fontsize=8,
                            color="#444",
                        )
                    continue
                ax.add_patch(
                    _box(i, y, FILL.get(c.state, "#777"), "#ef6c00" if c.reparented else "none")
                )
                ax.text(
                    i - HALF + 0.05,
                    y,
                    c.state,
                    va="center",
                    fontsize=10,
                    weight="bold",
                    color=INK.get(c.state, "#fff"),
                )
                ax.text(
                    i - HALF + 0.22,
                    y,
                    f"ppid {c.ppid}",
                    va="center",
                    fontsize=7,
                    color=INK.get(c.state, "#fff"),
                    weight="bold" if c.reparented else "normal",
                )
        for a in t.arrows:
            if a.target in ys and (a.sender is None or a.sender in ys):
                y0 = (
                    (top - 0.2 if a.outside else ys[a.target] - 0.45)
                    if a.sender is None
                    else ys[a.sender]
                )
                _arrow(ax, x(a.at_s), y0, ys[a.target], a.result)
        ax.set_xlim(-0.5 - HALF, cols - 0.5 + HALF)
        ax.set_ylim(len(t.lanes) - 0.5, top - 0.5)
        ax.set_xticks(
            range(len(t.columns)), [f"{c.name}\n{c.at_s:.2f}s" for c in t.columns], fontsize=8
        )
        ax.xaxis.tick_top()
        labels = [
            f"pid {ln.pid} {ln.role or ln.name}" + ("" if ln.seen else " (between)")
            for ln in t.lanes
        ]
        ax.set_yticks(
            ([-1] if top else []) + list(range(len(t.lanes))),
            (["outside"] if top else []) + labels,
            fontsize=8,
        )
        ax.set_title(
            f"run {t.run}" + (" — with the kernel's record" if t.recorded else ""),
            fontsize=9,
            loc="left",
        )
        for side in ("right", "bottom", "left"):
            ax.spines[side].set_visible(False)
    if any(t.arrows for t in shown):
        from matplotlib.lines import Line2D

        keys = [
            Line2D([], [], color=c, lw=2, label=f"signal {r}")
            for r, c in RESULT_COLOUR.items()
            if r in {"delivered", "ignored", "blocked", "pending"}
        ]
        keys += [
            Line2D([], [], ls="", marker="o", mfc="white", mec="black", label="fork"),
            Line2D([], [], ls="", marker="x", mec="black", mew=2, label="exit"),
            Line2D([], [], ls="", marker="|", mec="black", mew=2.5, label="reaped (wait4)"),
            Line2D([], [], color="#c62828", ls=(0, (3, 2)), label="zombie"),
        ]
        fig.legend(
            handles=keys, loc="outside lower center", ncols=len(keys), fontsize=8, frameon=False
        )
    if title:
        fig.suptitle(title, fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path


def _life(ax: Any, x: Callable[[float], float], lane: Lane, y: int, cols: int) -> None:
    """The lane's life from the record: a line from its fork to its exit, a zombie's dashed red on to its reap."""
    life = lane.life
    assert life is not None
    x0 = x(life.forked_s) if life.forked_s is not None else -0.5 - HALF
    x1 = x(life.exited_s) if life.exited_s is not None else cols - 0.5 + HALF
    ax.plot([x0, x1], [y, y], color="#9aa0a6", lw=2, zorder=1)
    if life.exited_s is not None and (life.reaped_s is not None or lane.pid != 1):
        z1 = x(life.reaped_s) if life.reaped_s is not None else cols - 0.5 + HALF
        ax.plot([x1, z1], [y, y], color="#c62828", lw=1.5, ls=(0, (3, 2)), zorder=1)
    if life.forked_s is not None:
        ax.plot([x0], [y], marker="o", ms=6, mfc="white", mec="black", zorder=3)
    if life.exited_s is not None:
        ax.plot([x1], [y], marker="x", ms=6, mec="black", mew=2, zorder=3)
    if life.reaped_s is not None:
        ax.plot([x(life.reaped_s)], [y], marker="|", ms=11, mec="black", mew=2.5, zorder=3)


def _arrow(ax: Any, x: float, y0: float, y1: float, result: str) -> None:
    colour = RESULT_COLOUR.get(result, "#333")
    if y0 == y1:
        ax.plot([x], [y1], marker="o", ms=9, mfc="none", mec=colour, mew=2, zorder=4)
        return
    ax.annotate(
        "",
        xy=(x, y1 - (0.22 if y1 > y0 else -0.22)),
        xytext=(x, y0),
        arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.6},
        zorder=4,
    )


def _box(x: float, y: float, fill: str, edge: str):
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch(
        (x - HALF, y - 0.3),
        2 * HALF,
        0.6,
        boxstyle="round,pad=0.02",
        facecolor=fill,
        edgecolor=edge,
        linewidth=2.5 if edge != "none" else 0,
        zorder=2,
    )
