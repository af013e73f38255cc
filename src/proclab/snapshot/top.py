"""Parse ``top -b -n 1`` output: its Tasks summary line and its process rows."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ProbeError
from ..jsonform import JsonRecord

# procps 3 (bookworm): "2 sleeping,"; procps 4 (forky): "2 sleep, 0 d-sleep," (S and D apart)
TASKS_RE = re.compile(
    r"Tasks:\s*(?P<total>\d+)\s+total,\s*(?P<running>\d+)\s+running,\s*(?P<sleeping>\d+)\s+sleep(?:ing)?,"
    r"(?:\s*(?P<dsleep>\d+)\s+d-sleep,)?\s*(?P<stopped>\d+)\s+stopped,\s*(?P<zombie>\d+)\s+zombie"
)


@dataclass(frozen=True)
class TopTasks(JsonRecord):
    total: int
    running: int
    sleeping: int
    stopped: int
    zombie: int


@dataclass(frozen=True)
class TopRow:
    pid: int
    user: str
    pr: str
    nice: int
    state: str
    cpu_pct: float
    command: str
    line: str


class TopParseError(ProbeError, ValueError):
    """top's text is not what ``top -b -n 1`` prints (see PsParseError)."""


def parse_tasks(text: str) -> TopTasks:
    m = TASKS_RE.search(text)
    if not m:
        raise TopParseError("top printed no 'Tasks:' line")
    found = {k: int(v) for k, v in m.groupdict().items() if v is not None}
    found["sleeping"] += found.pop("dsleep", 0)  # procps 3's "sleeping" counts S and D together
    return TopTasks(**found)


def parse_rows(text: str) -> list[TopRow]:
    lines = text.splitlines()
    for i, line in enumerate(lines):  # noqa: B007 - i is the header's index, read after the loop
        if line.split()[:2] == ["PID", "USER"]:
            header = line.split()
            break
    else:
        raise TopParseError("top printed no 'PID USER ...' header")
    try:
        ni_at, s_at, cpu_at = header.index("NI"), header.index("S"), header.index("%CPU")
    except ValueError as err:
        raise TopParseError(f"unexpected top header: {' '.join(header)}") from err
    rows = []
    for line in lines[i + 1 :]:
        if not line.strip():
            continue
        parts = line.split(None, len(header) - 1)
        if len(parts) < len(header):
            raise TopParseError(f"cannot read top line: {line!r}")
        try:
            rows.append(
                TopRow(
                    pid=int(parts[0]),
                    user=parts[1],
                    pr=parts[2],
                    nice=int(parts[ni_at]),
                    state=parts[s_at],
                    cpu_pct=float(parts[cpu_at].replace(",", ".")),
                    command=parts[-1].strip(),
                    line=line.rstrip(),
                )
            )
        except ValueError:  # a number column that is not a number
            raise TopParseError(f"cannot read top line: {line!r}") from None
    return rows
