"""Parse the text of ``ps -eo pid,ppid,stat,ni,comm:20,args`` into rows.

Columns are located from the header line, as testinfra does, so the parser
follows the ps the image has rather than assuming fixed widths.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ProbeError


@dataclass(frozen=True)
class PsRow:
    pid: int
    ppid: int
    stat: str
    nice: int | None      # None where ps prints '-' (real-time policies)
    comm: str
    args: str
    line: str

    @property
    def state(self) -> str:
        return self.stat[:1]

    @property
    def defunct(self) -> bool:
        return self.args.endswith("<defunct>")


class PsParseError(ProbeError, ValueError):
    """ps's text is not what ``ps -eo pid,ppid,stat,ni,comm:20,args`` prints: a proclab error
    (its message is the ``Error:`` line), and a ValueError, as a parser's error is."""


def parse_ps(text: str) -> list[PsRow]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise PsParseError("ps printed nothing")
    header = lines[0]
    heads = header.split()
    if heads[:4] != ["PID", "PPID", "STAT", "NI"] or len(heads) < 6:
        raise PsParseError(f"unexpected ps header: {header.strip()!r}")
    # The two text columns are left-aligned: they start where their titles start.
    comm_at = header.index(heads[4], header.index(" NI") + 3)
    args_at = header.index(heads[5], comm_at + len(heads[4]))
    rows = []
    for line in lines[1:]:
        head = line[:comm_at].split()
        if len(head) != 4:
            raise PsParseError(f"cannot read ps line: {line!r}")
        pid, ppid, stat, ni = head
        try:
            rows.append(PsRow(
                pid=int(pid), ppid=int(ppid), stat=stat,
                nice=None if ni == "-" else int(ni),
                comm=line[comm_at:args_at].strip(),
                args=line[args_at:].strip(),
                line=line.rstrip(),
            ))
        except ValueError:          # a number column that is not a number
            raise PsParseError(f"cannot read ps line: {line!r}") from None
    return rows
