"""The lessons' by-hand steps, read from their READMEs as a learner would copy them.

A short part shows one ```sh block holding one ``docker run`` command; what it prints is a
```text block at the start of the deep part (so the answer is not on the question's screen). Pids differ from run to run, so in the expected lines a
number stands for any number and runs of spaces for any spacing; the lines must appear
in the output in that order (the lesson may leave out lines between them)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from proclab.lab import lesson

LABS = Path(__file__).resolve().parents[2] / "labs"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class ByHand:
    lab: str
    command: str  # as written in the lesson
    expected: tuple[str, ...]  # the lines the lesson says it prints

    def docker_run(self) -> tuple[list[str], str, list[str]]:
        """(docker run options, image, command in the container) of the lesson's command."""
        words = shlex.split(self.command)
        assert words[:2] == ["docker", "run"], (
            f"{self.lab}: the by-hand command is not a docker run: {words[:3]}"
        )
        i = next(i for i, w in enumerate(words) if w.startswith("proclab/"))
        return words[2:i], words[i], words[i + 1 :]

    def pattern(self, line: str) -> re.Pattern[str]:
        parts = re.split(r"(\d+|\s+)", line.strip())
        rx = "".join(
            r"\d+" if p.isdigit() else (r"\s+" if p.isspace() else re.escape(p)) for p in parts if p
        )
        return re.compile(rx)

    def missing(self, output: str) -> list[str]:
        """The expected lines not found in ``output`` in order (empty when all are)."""
        lines, at, out = output.splitlines(), 0, []
        for want in self.expected:
            rx = self.pattern(want)
            hit = next((k for k in range(at, len(lines)) if rx.search(lines[k])), None)
            if hit is None:
                out.append(want)
            else:
                at = hit + 1
        return out

    def missing_from_streams(self, stdout: str, stderr: str) -> list[str]:
        """The expected lines not found in order within the stream that printed them. Without a
        terminal the engine carries stdout and stderr through two pipes, so lines printed a
        millisecond apart on different streams may arrive in either order (seen once in CI:
        daemons' `main: last line` after the exit handler's log); each stream keeps its own."""
        streams = [s.splitlines() for s in (stdout, stderr)]
        at, out = [0, 0], []
        for want in self.expected:
            rx = self.pattern(want)
            hits = [
                (next((k for k in range(at[i], len(lines)) if rx.search(lines[k])), None), i)
                for i, lines in enumerate(streams)
            ]
            found = [(k, i) for k, i in hits if k is not None]
            if not found:
                out.append(want)
            else:
                k, i = found[0]
                at[i] = k + 1
        return out


def by_hand(lab: str) -> ByHand:
    les = lesson.load(LABS / lab, "en")
    assert les is not None, f"{lab} has no README.md"
    sh = [body for kind, body in BLOCK.findall(les.short) if kind == "sh"]
    assert sh, f"{lab}: the short part has no ```sh block to see it by hand"
    printed = [body for kind, body in BLOCK.findall(les.deep) if kind == "text"]
    assert printed, f"{lab}: the deep part has no ```text block of what the by-hand command prints"
    expected = tuple(ln for ln in printed[0].splitlines() if ln.strip())
    return ByHand(lab, sh[0], expected)
