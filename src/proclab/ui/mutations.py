"""The mutation test's table: each check, and the one-fact change that made it fail (or none)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text

from ..lab.mutate import Verdict


def mutation_table(lab: str, verdicts: Iterable[Verdict]) -> Table:
    t = Table(title=f"{lab}: can each check fail?", title_style="bold", title_justify="left")
    t.add_column("check")
    t.add_column("a mutation that failed it")
    for v in verdicts:
        if v.can_fail:
            t.add_row(Text("✔ " + v.check), Text(v.failed_by or ""))
        else:
            t.add_row(Text("✘ " + v.check, style="bold red"), Text(f"none: {v.note}", style="red"))
    return t
