"""The timeline in the terminal, at the end of a narrated run: one row per process, one
column per checkpoint, the state letter in each cell (coloured where the terminal has colour)."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text

from .html.timeline import Timeline
from .safe import visible
from .tree import STATE_STYLE


def timeline_table(t: Timeline) -> Table:
    """Rows: 'pid role'; cells: the state letter, '→P' when re-parented to P, '✕' once gone."""
    table = Table(title=Text(f"timeline of run {visible(t.run)}", style="bold"), title_justify="left", box=None,
                  padding=(0, 1), show_edge=False)
    table.add_column("process", no_wrap=True)
    for i, col in enumerate(t.columns):
        table.add_column(Text(f"{i + 1}.{visible(col.name)}", style="dim"), no_wrap=True, overflow="ellipsis", max_width=18)
    for lane in t.lanes:
        row: list[Text] = [Text.assemble((str(lane.pid), "bold"), visible(f" {lane.role or lane.name}"))]
        for i, c in enumerate(lane.cells):
            if c.state:
                cell = Text(c.state, style=STATE_STYLE.get(c.state, ""))
                if c.reparented:
                    cell.append(f"→{c.ppid}", style="bold yellow")
            elif i == lane.last + 1:
                cell = Text(visible(f"✕ {lane.ending}"), style="dim")
            else:
                cell = Text("·", style="dim")
            row.append(cell)
        table.add_row(*row)
    return table


def legend() -> Text:
    return Text("  R run  S sleep  D disk  T stopped  Z zombie  →P new parent P  ✕ left the table", style="dim")
