"""Inline SVG for the report: the timeline of a run and a lab's bar charts.

Drawn here, in Python, so the page shows them with scripts off and on paper; the
elements carry data-* attributes (pid, checkpoint, state) that the page's script and
the browser tests read.
"""
from __future__ import annotations

from html import escape

from ...lab.chart_data import Chart
from .timeline import Arrow, Lane, Timeline

# State colours (and a letter on each cell, so colour is never the only cue).
FILL = {"R": "#2e7d32", "S": "#1565c0", "D": "#6a1b9a", "T": "#f9a825", "t": "#f9a825",
        "Z": "#c62828", "X": "#424242", "I": "#9e9e9e"}
INK = {"T": "#000", "t": "#000"}
LABEL_W, COL_W, HEAD_H, LANE_H, CELL_H = 190, 190, 44, 34, 24


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# What the kernel did with a signal (lab.kernel_record.SignalResult), as the arrows' colours;
# the legend names each, and every arrow says its result in words too (its title, data-result).
RESULT_COLOUR = {"delivered": "#2e7d32", "ignored": "#ef6c00", "blocked": "#6a1b9a", "pending": "#1565c0",
                 "overflow": "#b71c1c", "lose-info": "#b71c1c"}
CELL_W = 112                          # a checkpoint's cell
GAP_MIN, GAP_PER_EVENT, GAP_MAX = 62, 13, 460   # the room between two cells, grown with what happened there


def _event_times(t: Timeline) -> list[float]:
    """Every moment the timeline marks: forks, exits, reaps and signals."""
    out = [a.at_s for a in t.arrows]
    for lane in t.lanes:
        if lane.life:
            out += [v for v in (lane.life.forked_s, lane.life.exited_s, lane.life.reaped_s) if v is not None]
    return sorted(set(out))


class Axis:
    """Time (seconds since the container started) → x. A checkpoint is its column's cell; what
    happened between two checkpoints is drawn in the gap between their cells, in the order it
    happened, evenly spread (a fork, exit and reap 0.2 ms apart stay apart; each mark's title
    has its exact time). A gap grows with the number of moments in it; the lead before the
    first checkpoint and the tail after the last are gaps too."""

    def __init__(self, t: Timeline):
        at = [c.at_s for c in t.columns]
        times = _event_times(t)
        bounds = [float("-inf"), *at, float("inf")]
        self.cells: list[float] = []
        knots: list[tuple[float, float]] = []       # (time, x), increasing in both
        x = float(LABEL_W + 6)
        for g in range(len(bounds) - 1):
            inside = [v for v in times if bounds[g] < v <= bounds[g + 1]]
            width = min(GAP_MAX, max(GAP_MIN, GAP_PER_EVENT * (len(inside) + 1)))
            knots += [(v, x + width * (k + 1) / (len(inside) + 1)) for k, v in enumerate(inside)]
            x += width
            if g < len(at):
                self.cells.append(x + 4)
                knots.append((at[g], x + 4 + CELL_W / 2))
                x += CELL_W + 8
        self.knots = sorted(knots)
        self.right = x + 10

    def cell_x(self, i: int) -> float:
        """The left edge of checkpoint ``i``'s cells (its column)."""
        return self.cells[i] if i < len(self.cells) else self.right

    def x(self, t_s: float) -> float:
        k = self.knots
        if not k:
            return LABEL_W + 6
        if t_s <= k[0][0]:
            return k[0][1] if t_s == k[0][0] else max(LABEL_W + 6, k[0][1] - 6)
        for (t0, x0), (t1, x1) in zip(k, k[1:]):
            if t_s <= t1:
                return x0 + (x1 - x0) * ((t_s - t0) / (t1 - t0) if t1 > t0 else 1.0)
        return min(self.right - 10, k[-1][1] + 6)


def _header(t: Timeline, axis: Axis) -> list[str]:
    out = []
    for i, col in enumerate(t.columns):
        x = axis.cell_x(i)
        out.append(f'<g class="col" data-goto="{_a(t.run)}|{_a(col.name)}" tabindex="0" role="link">'
                   f'<title>checkpoint {_a(col.name)} at {col.at_s:.2f}s: show its tree</title>'
                   f'<rect x="{x - 2}" y="0" width="{CELL_W + 4}" height="{HEAD_H - 6}" class="hit"/>'
                   f'<text x="{x}" y="16" class="colname">{escape(_short(col.name, 15))}</text>'
                   f'<text x="{x}" y="32" class="colat">#{i + 1} · {col.at_s:.2f}s</text></g>')
    return out


def _cell(t: Timeline, axis: Axis, lane: Lane, i: int, y: float) -> str:
    c = lane.cells[i]
    x = axis.cell_x(i)
    was = next((p.ppid for p in reversed(lane.cells[:i]) if p.state), None)
    parent = f"ppid {was}→{c.ppid}" if c.reparented else f"ppid {c.ppid}"
    cls = "cell reparented" if c.reparented else "cell"
    tip = (f"pid {lane.pid} at '{t.columns[i].name}': {c.state} ({c.word}), parent {c.ppid}"
           + (f" (was {was}: re-parented)" if c.reparented else ""))
    return (f'<g class="{cls}" data-cp="{_a(t.columns[i].name)}" data-state="{_a(c.state)}" data-ppid="{c.ppid}">'
            f'<title>{escape(tip)}</title>'
            f'<rect x="{x}" y="{y}" width="{CELL_W}" height="{CELL_H}" rx="4" fill="{FILL.get(c.state or "", "#777")}"/>'
            f'<text x="{x + 7}" y="{y + 17}" class="letter" fill="{INK.get(c.state or "", "#fff")}">{escape(c.state or "")}</text>'
            f'<text x="{x + 24}" y="{y + 16}" class="ppid" fill="{INK.get(c.state or "", "#fff")}">{escape(parent)}</text></g>')


def _marks(t: Timeline, axis: Axis, lane: Lane, y: float) -> list[str]:
    """Without the record: born between two checkpoints, and gone (or reaped) after the last one seen."""
    out = []
    first, last, mid = lane.first, lane.last, y + CELL_H / 2
    if lane.born_here:
        x = axis.cell_x(first) - 3
        out.append(f'<g class="mark" data-mark="born" data-cp="{_a(t.columns[first].name)}">'
                   f'<title>born between \'{escape(t.columns[first - 1].name)}\' and '
                   f'\'{escape(t.columns[first].name)}\'</title><circle cx="{x}" cy="{mid}" r="5" class="born"/></g>')
    if lane.ending != "alive":
        x = axis.cell_x(last) + CELL_W + 6
        word = lane.ending
        tip = ("the zombie was reaped (its parent waited)" if word == "reaped"
               else "exited and was reaped") + f" between '{t.columns[last].name}' and '{t.columns[last + 1].name}'"
        out.append(f'<g class="mark" data-mark="{word}" data-cp="{_a(t.columns[last + 1].name)}">'
                   f'<title>{escape(tip)}</title>'
                   f'<line x1="{x - 6}" y1="{mid}" x2="{x + 6}" y2="{mid}" class="{"zline" if word == "reaped" else "lline"}"/>'
                   f'<text x="{x + 8}" y="{mid + 4}" class="end">✕ {word}</text></g>')
    return out


def _zombie_line(axis: Axis, lane: Lane, y: float) -> list[str]:
    """Dashed red from the exit to the reap (or on, when no wait4 came): drawn under the cells."""
    life, mid = lane.life, y + CELL_H / 2
    if life is None:
        return []
    out: list[str] = []
    if life.exited_s is not None and life.reaped_s is not None:
        out.append(f'<line x1="{axis.x(life.exited_s):.1f}" y1="{mid}" x2="{axis.x(life.reaped_s):.1f}" y2="{mid}" '
                   f'class="zline"><title>a zombie for {(life.zombie_s or 0) * 1000:.1f} ms</title></line>')
    elif life.exited_s is not None and lane.pid != 1:      # pid 1's parent is outside: not a zombie here
        out.append(f'<line x1="{axis.x(life.exited_s):.1f}" y1="{mid}" x2="{axis.right - 10:.1f}" y2="{mid}" '
                   f'class="zline"><title>a zombie: no wait4 reaped it while the record ran</title></line>')
    return out


def _life_marks(t: Timeline, axis: Axis, lane: Lane, y: float) -> list[str]:
    """With the record: the exact fork, exit and reap on the lane (``data-cp``: the first checkpoint after it)."""
    life, mid = lane.life, y + CELL_H / 2
    assert life is not None
    out = []

    def cp(at: float) -> str:
        return _a(next((c.name for c in t.columns if c.at_s >= at), ""))
    if life.forked_s is not None:
        out.append(f'<g class="mark" data-mark="forked" data-at="{life.forked_s:.6f}" data-cp="{cp(life.forked_s)}">'
                   f'<title>pid {lane.pid} forked by {life.parent} at {life.forked_s:.3f}s</title>'
                   f'<circle cx="{axis.x(life.forked_s):.1f}" cy="{mid}" r="5" class="born"/></g>')
    if life.exited_s is not None:
        x = axis.x(life.exited_s)
        out.append(f'<g class="mark" data-mark="exited" data-at="{life.exited_s:.6f}" data-cp="{cp(life.exited_s)}">'
                   f'<title>pid {lane.pid}: {escape(life.how)} at {life.exited_s:.3f}s</title>'
                   f'<path d="M{x - 4:.1f},{mid - 4} l8,8 m0,-8 l-8,8" class="exitx"/></g>')
    if life.reaped_s is not None:
        x = axis.x(life.reaped_s)
        out.append(f'<g class="mark" data-mark="reaped" data-at="{life.reaped_s:.6f}" data-cp="{cp(life.reaped_s)}" '
                   f'data-reaper="{life.reaper}">'
                   f'<title>pid {lane.pid} reaped by {life.reaper} (wait4) at {life.reaped_s:.3f}s</title>'
                   f'<rect x="{x - 1.5:.1f}" y="{mid - 7}" width="3" height="14" class="reapbar"/></g>')
    return out


def _arrow(axis: Axis, a: Arrow, ys: dict[int, float], top: float) -> str:
    """A signal: a line from the sender's lane (or from the outside row) to the target's, with a head."""
    x = axis.x(a.at_s)
    y1 = ys[a.target]
    # from the outside row; from just above the target when the sender is a process with no lane of its own
    y0 = (top if a.outside else y1 - 16) if a.sender is None else ys[a.sender]
    colour = RESULT_COLOUR.get(a.result, "#333")
    tip = escape(a.line or f"{a.signal} {a.sender_label} → {a.target}: {a.result}")
    attrs = (f'class="signal sig-{_a(a.result)}" data-signal="{_a(a.signal)}" data-result="{_a(a.result)}" '
             f'data-from="{"outside" if a.outside else "unshown" if a.sender is None else a.sender}" data-to="{a.target}" data-at="{a.at_s:.6f}"')
    if a.sender is not None and a.sender == a.target:     # a process signalling itself: a ring on its lane
        return (f'<g {attrs}><title>{tip}</title><circle cx="{x:.1f}" cy="{y1}" r="7" fill="none" '
                f'stroke="{colour}" stroke-width="2"/></g>')
    down = 1 if y1 > y0 else -1
    tip_y = y1 - down * 6
    return (f'<g {attrs}><title>{tip}</title>'
            f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{tip_y - down * 5}" stroke="{colour}" stroke-width="2"/>'
            f'<path d="M{x - 4.5:.1f},{tip_y - down * 7} L{x + 4.5:.1f},{tip_y - down * 7} L{x:.1f},{tip_y} Z" '
            f'fill="{colour}"/></g>')


def timeline_svg(t: Timeline, lang: str = "en") -> str:
    axis = Axis(t)
    outside = any(a.outside for a in t.arrows)
    head = HEAD_H + (LANE_H if outside else 0)
    width = axis.right + 10
    height = head + len(t.lanes) * LANE_H + 8
    parts = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" '
             f'viewBox="0 0 {width:.0f} {height}" role="img" aria-label="timeline of run {_a(t.run)}" '
             f'data-recorded="{str(t.recorded).lower()}">']
    parts += _header(t, axis)
    if outside:
        label = ('<tspan class="role">容器外</tspan>' if lang == "zh" else
                 'outside<tspan class="role"> the container</tspan>')
        parts.append(f'<g class="outside"><text x="6" y="{HEAD_H + 16}" class="lanelabel">{label}</text>'
                     f'<line x1="{LABEL_W}" y1="{HEAD_H + CELL_H / 2}" x2="{axis.right - 10:.0f}" '
                     f'y2="{HEAD_H + CELL_H / 2}" class="outline"/></g>')
    ys: dict[int, float] = {}
    for n, lane in enumerate(t.lanes):
        y = head + n * LANE_H
        ys.setdefault(lane.pid, y + CELL_H / 2)
        life = lane.life
        if life is not None:
            x0 = axis.x(life.forked_s) if life.forked_s is not None else LABEL_W + 6
            x1 = axis.x(life.exited_s) if life.exited_s is not None else axis.right - 10
        else:
            x0 = axis.cell_x(lane.first) + 4
            x1 = axis.cell_x(lane.last) + CELL_W - 6
        between = "" if lane.seen else " between"
        title = escape(lane.command) + (f" — {escape(life.describe(lane.pid))}" if life else "")
        if not lane.seen:
            title += " — it lived only between two checkpoints: in no table, only in the kernel's record"
        parts.append(f'<g class="lane{between}" data-pid="{lane.pid}" data-role="{_a(lane.role)}" '
                     f'data-ending="{lane.ending}"><title>{title}</title>'
                     f'<text x="6" y="{y + 16}" class="lanelabel">pid {lane.pid}'
                     f'<tspan class="role"> {escape(_short(lane.role or lane.name, 14))}</tspan></text>'
                     f'<line x1="{x0:.1f}" y1="{y + CELL_H / 2}" x2="{x1:.1f}" y2="{y + CELL_H / 2}" class="life"/>')
        parts += _zombie_line(axis, lane, y)
        parts += [_cell(t, axis, lane, i, y) for i, c in enumerate(lane.cells) if c.state]
        parts += _life_marks(t, axis, lane, y) if life is not None else _marks(t, axis, lane, y)
        parts.append("</g>")
    parts += [_arrow(axis, a, ys, HEAD_H + CELL_H / 2) for a in t.arrows if a.target in ys
              and (a.sender is None or a.sender in ys)]
    parts.append("</svg>")
    return "".join(parts)


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def chart_svg(chart: Chart) -> str:
    """Horizontal bars: the measured figure and, under it in grey, the expected one."""
    label_w, bar_w, row = 150, 380, 18
    rows = [(b, kind) for b in chart.bars for kind in (("value", "expected") if b.expected is not None else ("value",))]
    height = 30 + len(rows) * row + 10
    width = label_w + bar_w + 120
    top = chart.top
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{_a(chart.title)}">'
             f'<text x="4" y="16" class="charttitle">{escape(chart.title)}</text>']
    for n, (b, kind) in enumerate(rows):
        y = 28 + n * row
        v = b.value if kind == "value" else float(b.expected or 0.0)
        w = max(0.0, min(v / top, 1.0)) * bar_w if top > 0 else 0.0
        if kind == "value":
            parts.append(f'<text x="{label_w - 6}" y="{y + 12}" class="barlabel" text-anchor="end">{escape(b.label)}</text>')
        name = chart.measured_label if kind == "value" else chart.expected_label
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row - 4}" class="bar {kind}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" class="barvalue">{_fmt(v)} {escape(chart.unit)}'
                     f'{"" if kind == "value" and b.expected is None else " " + escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
