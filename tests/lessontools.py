"""The lessons' by-hand steps, read from their READMEs as a learner would copy them.

A short part shows one ```sh block holding one ``docker run`` command, then a ```text
block with what it prints. Pids differ from run to run, so in the expected lines a
number stands for any number and runs of spaces for any spacing; the lines must appear
in the output in that order (the lesson may leave out lines between them)."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from proclab.lab import lesson

LABS = Path(__file__).resolve().parent.parent / "labs"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class ByHand:
    lab: str
    command: str                 # as written in the lesson
    expected: tuple[str, ...]    # the lines the lesson says it prints

    def docker_run(self) -> tuple[list[str], str, list[str]]:
        """(docker run options, image, command in the container) of the lesson's command."""
        words = shlex.split(self.command)
        assert words[:2] == ["docker", "run"], f"{self.lab}: the by-hand command is not a docker run: {words[:3]}"
        i = next(i for i, w in enumerate(words) if w.startswith("proclab/"))
        return words[2:i], words[i], words[i + 1:]

    def pattern(self, line: str) -> re.Pattern[str]:
        parts = re.split(r"(\d+|\s+)", line.strip())
        rx = "".join(r"\d+" if p.isdigit() else (r"\s+" if p.isspace() else re.escape(p)) for p in parts if p)
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


def by_hand(lab: str) -> ByHand:
    les = lesson.load(LABS / lab, "en")
    assert les is not None, f"{lab} has no README.md"
    blocks = BLOCK.findall(les.short)
    sh = [i for i, (kind, _) in enumerate(blocks) if kind == "sh"]
    assert sh, f"{lab}: the short part has no ```sh block to see it by hand"
    i = sh[0]
    assert i + 1 < len(blocks) and blocks[i + 1][0] == "text", \
        f"{lab}: the ```sh block is not followed by a ```text block of what it prints"
    expected = tuple(ln for ln in blocks[i + 1][1].splitlines() if ln.strip())
    return ByHand(lab, blocks[i][1], expected)
