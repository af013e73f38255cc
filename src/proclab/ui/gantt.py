"""Gantt charts of a schedule: rows of characters for the terminal, a PNG with matplotlib."""
from __future__ import annotations

import math
from pathlib import Path

from rich.text import Text

from ..sched import Schedule, time_text

COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
           "#9c755f", "#bab0ac"]
RUN, PART, READY, BLOCKED, ABSENT = "█", "▒", "·", "░", " "
LEGEND = "█ runs  ▒ runs part of the column  · ready, waiting  ░ blocked in I/O"


def state_at(s: Schedule, name: str, t: float) -> str:
    """What job ``name`` is doing at time ``t``: RUN, READY, BLOCKED or ABSENT."""
    job = next(j for j in s.jobs if j.name == name)
    if t < job.arrival or t >= s.finish[name]:
        return ABSENT
    if any(seg.job == name and seg.start <= t < seg.end for seg in s.segments):
        return RUN
    if any(a <= t < b for a, b in s.blocked.get(name, [])):
        return BLOCKED
    return READY


def nice_unit(x: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is at least ``x``."""
    p = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * p >= x - 1e-12:
            return m * p
    return 10 * p


def gantt_text(s: Schedule, width: int = 72) -> Text:
    """One row per job: █ running, ▒ running part of the column, · ready (waiting for
    the CPU), ░ blocked in I/O."""
    end = s.makespan
    whole = all(float(x).is_integer() for seg in s.segments for x in (seg.start, seg.end))
    unit = 1.0 if whole and end <= width else nice_unit(end / width)
    cols = max(1, math.ceil(end / unit - 1e-9))
    out = Text()
    for i, job in enumerate(s.jobs):
        colour = COLOURS[i % len(COLOURS)]
        out.append(f"{job.name:>4} │", style="bold")
        segs = [seg for seg in s.segments if seg.job == job.name]
        for c in range(cols):
            a, b = c * unit, (c + 1) * unit
            ran = sum(max(0.0, min(b, seg.end) - max(a, seg.start)) for seg in segs) / unit
            ch = RUN if ran >= 0.75 else PART if ran > 1e-9 else state_at(s, job.name, (a + b) / 2)
            out.append(ch, style=colour if ch in (RUN, PART) else "dim")
        out.append("│\n")
    # a time axis with a label every 10 columns
    axis, labels = ["─"] * cols, [" "] * (cols + 12)
    for c in range(0, cols, 10):
        axis[c] = "┴"
        for k, ch in enumerate(time_text(round(c * unit, 6))):
            labels[c + k] = ch
    out.append("      " + "".join(axis) + "┘\n", style="dim")
    out.append("      " + "".join(labels).rstrip() + f"   (1 column = {time_text(round(unit, 4))})", style="dim")
    return out


def gantt_image(schedules: list[Schedule], path: Path, title: str = "") -> Path:
    """A PNG with one chart per schedule (one bar row per job; I/O hatched)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(schedules)
    njobs = len(schedules[0].jobs)
    fig, axes = plt.subplots(n, 1, figsize=(10, 0.55 * njobs * n + 1.2 * n + 0.6), squeeze=False)
    longest = max(s.makespan for s in schedules)   # one time scale for every chart
    for ax, s in zip(axes[:, 0], schedules):
        names = [j.name for j in s.jobs]
        for i, job in enumerate(s.jobs):
            y = len(names) - 1 - i
            colour = COLOURS[i % len(COLOURS)]
            bars = [(seg.start, seg.end - seg.start) for seg in s.segments if seg.job == job.name]
            ax.broken_barh(bars, (y - 0.35, 0.7), facecolors=colour)
            io = [(a, b - a) for a, b in s.blocked.get(job.name, [])]
            if io:
                ax.broken_barh(io, (y - 0.2, 0.4), facecolors="none", edgecolors="grey", hatch="///")
            ax.plot([job.arrival], [y + 0.45], marker="v", color="black", markersize=4)
            for seg in s.segments:
                if seg.job == job.name and seg.level is not None and seg.end - seg.start >= s.makespan / 60:
                    ax.text((seg.start + seg.end) / 2, y, f"Q{seg.level}", ha="center", va="center",
                            fontsize=7, color="white")
        a = s.averages()
        ax.set_title(f"{s.label}: avg turnaround {a.turnaround:.3g}, response {a.response:.3g}, "
                     f"waiting {a.waiting:.3g}", fontsize=9, loc="left")
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels(list(reversed(names)))
        ax.set_xlim(0, longest)
        ax.grid(axis="x", linestyle=":", alpha=0.5)
    axes[-1, 0].set_xlabel("time (▼ arrival, hatched = blocked in I/O)")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
