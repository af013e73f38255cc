"""Inline SVG for the report: the timeline of a run and a lab's bar charts.

Drawn here, in Python, so the page shows them with scripts off and on paper; the
elements carry data-* attributes (pid, checkpoint, state) that the page's script and
the browser tests read.
"""
from __future__ import annotations

from html import escape

from ...lab.charts import Chart
from .timeline import Lane, Timeline

# State colours (and a letter on each cell, so colour is never the only cue).
FILL = {"R": "#2e7d32", "S": "#1565c0", "D": "#6a1b9a", "T": "#f9a825", "t": "#f9a825",
        "Z": "#c62828", "X": "#424242", "I": "#9e9e9e"}
INK = {"T": "#000", "t": "#000"}
LABEL_W, COL_W, HEAD_H, LANE_H, CELL_H = 190, 124, 44, 34, 24


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _header(t: Timeline) -> list[str]:
    out = []
    for i, col in enumerate(t.columns):
        x = LABEL_W + i * COL_W + 4
        out.append(f'<g class="col" data-goto="{_a(t.run)}|{_a(col.name)}" tabindex="0" role="link">'
                   f'<title>checkpoint {_a(col.name)} at {col.at_s:.2f}s: show its tree</title>'
                   f'<rect x="{x - 2}" y="0" width="{COL_W - 6}" height="{HEAD_H - 6}" class="hit"/>'
                   f'<text x="{x}" y="16" class="colname">{escape(_short(col.name, 16))}</text>'
                   f'<text x="{x}" y="32" class="colat">#{i + 1} · {col.at_s:.2f}s</text></g>')
    return out


def _cell(t: Timeline, lane: Lane, i: int, y: float) -> str:
    c = lane.cells[i]
    x = LABEL_W + i * COL_W + 4
    was = next((p.ppid for p in reversed(lane.cells[:i]) if p.state), None)
    parent = f"ppid {was}→{c.ppid}" if c.reparented else f"ppid {c.ppid}"
    cls = "cell reparented" if c.reparented else "cell"
    tip = (f"pid {lane.pid} at '{t.columns[i].name}': {c.state} ({c.word}), parent {c.ppid}"
           + (f" (was {was}: re-parented)" if c.reparented else ""))
    return (f'<g class="{cls}" data-cp="{_a(t.columns[i].name)}" data-state="{_a(c.state)}" data-ppid="{c.ppid}">'
            f'<title>{escape(tip)}</title>'
            f'<rect x="{x}" y="{y}" width="{COL_W - 10}" height="{CELL_H}" rx="4" fill="{FILL.get(c.state or "", "#777")}"/>'
            f'<text x="{x + 7}" y="{y + 17}" class="letter" fill="{INK.get(c.state or "", "#fff")}">{escape(c.state or "")}</text>'
            f'<text x="{x + 24}" y="{y + 16}" class="ppid" fill="{INK.get(c.state or "", "#fff")}">{escape(parent)}</text></g>')


def _marks(t: Timeline, lane: Lane, y: float) -> list[str]:
    out = []
    first, last, mid = lane.first, lane.last, y + CELL_H / 2
    if lane.born_here:
        x = LABEL_W + first * COL_W + 1
        out.append(f'<g class="mark" data-mark="born" data-cp="{_a(t.columns[first].name)}">'
                   f'<title>born between \'{escape(t.columns[first - 1].name)}\' and '
                   f'\'{escape(t.columns[first].name)}\'</title><circle cx="{x}" cy="{mid}" r="5" class="born"/></g>')
    if lane.ending != "alive":
        x = LABEL_W + (last + 1) * COL_W + 4
        word = lane.ending
        tip = ("the zombie was reaped (its parent waited)" if word == "reaped"
               else "exited and was reaped") + f" between '{t.columns[last].name}' and '{t.columns[last + 1].name}'"
        out.append(f'<g class="mark" data-mark="{word}" data-cp="{_a(t.columns[last + 1].name)}">'
                   f'<title>{escape(tip)}</title>'
                   f'<line x1="{x - 10}" y1="{mid}" x2="{x + 8}" y2="{mid}" class="{"zline" if word == "reaped" else "lline"}"/>'
                   f'<text x="{x + 12}" y="{mid + 4}" class="end">✕ {word}</text></g>')
    return out


def timeline_svg(t: Timeline) -> str:
    width = LABEL_W + max(len(t.columns), 1) * COL_W + 90
    height = HEAD_H + len(t.lanes) * LANE_H + 8
    parts = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="timeline of run {_a(t.run)}">']
    parts += _header(t)
    for n, lane in enumerate(t.lanes):
        y = HEAD_H + n * LANE_H
        x0 = LABEL_W + lane.first * COL_W + 4
        x1 = LABEL_W + lane.last * COL_W + COL_W - 6
        parts.append(f'<g class="lane" data-pid="{lane.pid}" data-role="{_a(lane.role)}" data-ending="{lane.ending}">'
                     f'<title>{escape(lane.command)}</title>'
                     f'<text x="6" y="{y + 16}" class="lanelabel">pid {lane.pid}'
                     f'<tspan class="role"> {escape(_short(lane.role or lane.name, 14))}</tspan></text>'
                     f'<line x1="{x0}" y1="{y + CELL_H / 2}" x2="{x1}" y2="{y + CELL_H / 2}" class="life"/>')
        parts += [_cell(t, lane, i, y) for i, c in enumerate(lane.cells) if c.state]
        parts += _marks(t, lane, y)
        parts.append("</g>")
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
