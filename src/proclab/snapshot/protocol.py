"""The checkpoint protocol, host side.

A scenario announces a checkpoint with one line on stdout::

    \\x1e@proclab:checkpoint {"name": ..., "data": {...}, "pid": N, "fifo": PATH, "top": bool, "t": T}

and blocks opening the FIFO at PATH until the harness's probe opens it for
writing. This module reads the container's output stream, splits it into
lines, and turns announcement lines into ``Announcement`` events.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

MARK = "\x1e@proclab:checkpoint "
# Where a scenario makes its checkpoint FIFOs (a tmpfs of its own in the lab container).
FIFO_DIR = "/run/proclab"


@dataclass(frozen=True)
class Announcement:
    name: str
    data: dict[str, Any]
    pid: int
    fifo: str
    top: bool
    t: float                     # the scenario's clock (time.time() in the container)


@dataclass(frozen=True)
class Line:
    stream: str
    text: str


def parse_announcement(text: str) -> Announcement | None:
    """The announcement a line makes, or None for any other line, a malformed one included:
    a scenario's output never raises here (deep nesting, huge numbers, wrong types)."""
    if not text.startswith(MARK):
        return None
    try:
        msg = json.loads(text[len(MARK):])
        if not isinstance(msg, dict) or not isinstance(msg.get("data") or {}, dict):
            return None
        return Announcement(name=str(msg["name"]), data=dict(msg.get("data") or {}), pid=int(msg["pid"]),
                            fifo=str(msg["fifo"]), top=bool(msg.get("top")), t=float(msg.get("t", 0.0)))
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        return None


@dataclass
class LineSplitter:
    """Turn (stdout, stderr) byte chunks into whole lines, per stream."""

    _buf: dict[str, bytes] = field(default_factory=lambda: {"stdout": b"", "stderr": b""})

    def feed(self, stream: str, chunk: bytes) -> Iterator[str]:
        buf = self._buf[stream] + chunk
        *lines, rest = buf.split(b"\n")
        self._buf[stream] = rest
        for raw in lines:
            yield raw.decode("utf-8", "replace").rstrip("\r")

    def flush(self) -> Iterator[Line]:
        for stream, rest in self._buf.items():
            if rest:
                yield Line(stream, rest.decode("utf-8", "replace"))
            self._buf[stream] = b""


def lines_from(chunks: Iterable[tuple[bytes | None, bytes | None]]) -> Iterator[Line | Announcement]:
    """Every output line of a demuxed attach stream, announcements parsed."""
    splitter = LineSplitter()
    for out, err in chunks:
        for stream, chunk in (("stdout", out), ("stderr", err)):
            if chunk:
                for text in splitter.feed(stream, chunk):
                    ann = parse_announcement(text) if stream == "stdout" else None
                    yield ann if ann else Line(stream, text)
    yield from splitter.flush()
