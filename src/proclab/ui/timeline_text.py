"""The timeline in the terminal, at the end of a narrated run: one row per process, one
column per checkpoint, the state letter in each cell (coloured where the terminal has colour).

With the kernel's record the table shows the same as the HTML report's timeline: a row for a
process that lived only between two checkpoints (``+✕`` where it was born and gone), a last
column with each process's exact fork, exit and reap, and under the table each signal as an
arrow line, sender → target, coloured by what the kernel did with it."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .html.timeline import Lane, Timeline
from .safe import visible
from .tree import STATE_STYLE

# what the kernel did with a signal (lab.kernel_record.SignalResult), as the terminal colours it
RESULT_STYLE = {
    "delivered": "green",
    "ignored": "yellow",
    "blocked": "magenta",
    "pending": "blue",
    "overflow": "red",
    "lose-info": "red",
}
SIGNALS_SHOWN = 12


def _life(lane: Lane) -> Text:
    """The record's exact times for one row: '+0.250s by 14, exit 0 at 0.252s, reaped by 14 at 0.253s'."""
    life = lane.life
    if life is None:
        return Text("")
    parts = [
        f"+{life.forked_s:.3f}s by {life.parent}" if life.forked_s is not None else "already there"
    ]
    if life.exited_s is not None:
        parts.append(f"{life.how.replace('exit code', 'exit')} at {life.exited_s:.3f}s")
    if life.reaped_s is not None:
        parts.append(f"reaped by {life.reaper} at {life.reaped_s:.3f}s")
    elif life.exited_s is not None and lane.pid != 1:  # pid 1's parent is outside the container
        parts.append("never reaped")
    return Text(visible(", ".join(parts)), style="dim")


def timeline_table(t: Timeline) -> Table:
    """Rows: 'pid role'; cells: the state letter, '→P' when re-parented to P, '✕' once gone
    ('+✕': born and gone before this checkpoint, seen in no table); with the kernel's record,
    a last column of exact times."""
    table = Table(
        title=Text(f"timeline of run {visible(t.run)}", style="bold"),
        title_justify="left",
        box=None,
        padding=(0, 1),
        show_edge=False,
    )
    table.add_column("process", no_wrap=True)
    for i, col in enumerate(t.columns):
        table.add_column(
            Text(f"{i + 1}.{visible(col.name)}", style="dim"),
            no_wrap=True,
            overflow="ellipsis",
            max_width=18,
        )
    if t.recorded:
        table.add_column(Text("the kernel's record", style="dim"), overflow="fold")
    for lane in t.lanes:
        name = Text.assemble((str(lane.pid), "bold"), visible(f" {lane.role or lane.name}"))
        if not lane.seen:
            name.stylize("italic")
        row: list[Text] = [name]
        for i, c in enumerate(lane.cells):
            if c.state:
                cell = Text(c.state, style=STATE_STYLE.get(c.state, ""))
                if c.reparented:
                    cell.append(f"→{c.ppid}", style="bold yellow")
            elif i == lane.last + 1:
                cell = Text(visible(f"{'' if lane.seen else '+'}✕ {lane.ending}"), style="dim")
            else:
                cell = Text("·", style="dim")
            row.append(cell)
        if t.recorded:
            row.append(_life(lane))
        table.add_row(*row)
    return table


def signal_lines(t: Timeline, limit: int | None = SIGNALS_SHOWN) -> Text:
    """The run's signals, one arrow line each, sender → target, coloured by the kernel's result."""
    out = Text()
    arrows = t.arrows if limit is None else t.arrows[:limit]
    for a in arrows:
        sender = "outside" if a.outside else "?" if a.sender is None else str(a.sender)
        out.append(
            f"  ⚡ {a.at_s:6.3f}s  {visible(a.signal):8} {visible(sender):>7} → {a.target:<5} "
        )
        out.append(a.result, style=RESULT_STYLE.get(a.result, ""))
        out.append(
            visible(f"  ({a.sender_label}{', ' + a.handler if a.handler else ''})"), style="dim"
        )
        out.append("\n")
    if len(arrows) < len(t.arrows):
        out.append(
            f"  ⚡ … {len(t.arrows) - len(arrows)} more signals (the HTML report and --perfetto have them all)\n",
            style="dim",
        )
    return out


def timeline_text(t: Timeline) -> Group:
    """The table, then the signals (when the run has a record), then why there is no record."""
    parts: list[Table | Text] = [timeline_table(t)]
    if t.arrows:
        parts.append(signal_lines(t))
    if not t.recorded and t.note:
        parts.append(Text(visible(f"  no kernel record: {t.note}"), style="dim"))
    return Group(*parts)


def legend() -> Text:
    return Text(
        "  R run  S sleep  D disk  T stopped  Z zombie  →P new parent P  ✕ left the table  "
        "+✕ born and gone between two checkpoints (italic: in no table, only in the kernel's record)",
        style="dim",
    )
