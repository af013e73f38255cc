"""The checkpoint protocol, host side.

A scenario announces a checkpoint with one line on stdout::

    \\x1e@proclab:checkpoint {"name": ..., "data": {...}, "pid": N, "fifo": PATH, "top": bool, "t": T}

and blocks opening the FIFO at PATH until the harness's probe opens it for
writing. This module reads the container's output stream, splits it into
lines, and turns announcement lines into ``Announcement`` events.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MARK = "\x1e@proclab:checkpoint "
# labkit.boot's checkpoint before the scenario starts: the harness's go (not a snapshot)
GO = "proclab:go"
# Where a scenario makes its checkpoint FIFOs (a tmpfs of its own in the lab container).
FIFO_DIR = "/run/proclab"


@dataclass(frozen=True)
class Announcement:
    name: str
    data: dict[str, Any]
    pid: int
    fifo: str
    top: bool
    t: float  # the scenario's clock (time.time() in the container)
    tid: int = 0  # the announcing thread (0: an older labkit; then the pid)


@dataclass(frozen=True)
class Line:
    stream: str
    text: str


# An announcement is a few hundred bytes; one far bigger or deeper is not one (a hostile or
# broken scenario): it is shown as an ordinary line, and json never recurses into it.
MAX_ANNOUNCEMENT = 64 * 1024
MAX_DEPTH = 16
# A line longer than this is cut (the rest is counted, not kept): memory stays bounded
# whatever a scenario prints, and splitting stays linear in what it printed.
MAX_LINE = 256 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_announcement(text: str) -> Announcement | None:
    """The announcement a line makes, or None for any other line, a malformed one included:
    a scenario's output never raises here (deep nesting, huge numbers, wrong types)."""
    if not text.startswith(MARK) or len(text) > MAX_ANNOUNCEMENT:
        return None
    body = text[len(MARK) :]
    if _depth(body) > MAX_DEPTH:
        return None
    try:
        msg = json.loads(body)
        if not isinstance(msg, dict) or not isinstance(msg.get("data") or {}, dict):
            return None
        data = clean_surrogates(dict(msg.get("data") or {}))
        return Announcement(
            name=clean_surrogates(str(msg["name"])),
            data=data,
            pid=int(msg["pid"]),
            fifo=str(msg["fifo"]),
            top=bool(msg.get("top")),
            t=float(msg.get("t", 0.0)),
            tid=int(msg.get("tid") or 0),
        )
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError):
        return None


def _depth(body: str) -> int:
    """How deep the brackets of a JSON text nest (brackets inside strings count too: an upper bound)."""
    deepest = depth = 0
    for ch in body:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def clean_surrogates(value: Any) -> Any:
    """The value with every lone surrogate (JSON's "\\ud800") replaced by U+FFFD: such a string
    cannot be printed or written as UTF-8."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {clean_surrogates(k): clean_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_surrogates(v) for v in value]
    return value


class LineSplitter:
    """Turn (stdout, stderr) byte chunks into whole lines, per stream.

    Linear: a chunk without a newline is only appended to a list; the pieces are joined
    once, when the line ends. A line past ``max_line`` bytes keeps its first ``max_line``
    bytes and says how many more there were.
    """

    def __init__(self, max_line: int = MAX_LINE):
        self.max_line = max_line
        self._parts: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
        self._size: dict[str, int] = {"stdout": 0, "stderr": 0}
        self._cut: dict[str, int] = {"stdout": 0, "stderr": 0}  # bytes of the current line not kept

    def feed(self, stream: str, chunk: bytes) -> Iterator[str]:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                self._keep(stream, chunk[start:])
                return
            self._keep(stream, chunk[start:end])
            yield self._take(stream).rstrip("\r")
            start = end + 1

    def _keep(self, stream: str, piece: bytes) -> None:
        room = self.max_line - self._size[stream]
        if len(piece) > room:
            self._cut[stream] += len(piece) - max(room, 0)
            piece = piece[: max(room, 0)]
        if piece:
            self._parts[stream].append(piece)
            self._size[stream] += len(piece)

    def _take(self, stream: str) -> str:
        text = b"".join(self._parts[stream]).decode("utf-8", "replace")
        if self._cut[stream]:
            text += f" … ({self._cut[stream]:,} more bytes of this line not kept)"
        self._parts[stream], self._size[stream], self._cut[stream] = [], 0, 0
        return text

    def flush(self) -> Iterator[Line]:
        for stream in self._parts:
            if self._parts[stream] or self._cut[stream]:
                yield Line(stream, self._take(stream))


def lines_from(
    chunks: Iterable[tuple[bytes | None, bytes | None]],
) -> Iterator[Line | Announcement]:
    """Every output line of a demuxed attach stream, announcements parsed."""
    splitter = LineSplitter()
    for out, err in chunks:
        for stream, chunk in (("stdout", out), ("stderr", err)):
            if chunk:
                for text in splitter.feed(stream, chunk):
                    ann = parse_announcement(text) if stream == "stdout" else None
                    yield ann if ann else Line(stream, text)
    yield from splitter.flush()
