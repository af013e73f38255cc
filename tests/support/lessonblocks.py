"""A lesson README read as its tests read it: headings, fenced blocks (with the marks on the
line before them), the numbers in its prose, and how each ```sh block is meant to be run.

The conventions are written down in docs/writing-labs.md ("A lesson's blocks are tested"):

- a ```sh block runs on the host, one ``docker run ... proclab/lab CMD`` command after another
  (or ``docker exec NAME`` / ``docker rm -f NAME`` for a container it started with ``-d --name``);
- if its first command opens a shell in the lab image (``docker run -it ... proclab/lab bash``
  with nothing after ``bash``), the lines after it are typed in that shell: they run with
  ``bash -c`` (job control on, ``set -m``, as in an interactive shell) in a container made
  with the same options;
- a block whose first line is the comment ``# in the lab image`` (``# 在实验镜像里``) is typed in a
  shell in the lab image too: ``docker run --rm --init proclab/lab bash -c BLOCK``;
- ``<!-- untested: REASON -->`` on the line before a fence leaves the block out, with a reason;
- ``<!-- exits: N -->`` there says its (last) command ends with exit code N, not 0;
- a ```text block is what the nearest ```sh block above it prints (digits stand for any number,
  runs of spaces for any spacing, a ``...`` line for lines left out; the lines appear in order).
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from proclab.lab import lesson

LABS = Path(__file__).resolve().parents[2] / "labs"
FENCE = re.compile(r"^```(\w*)\s*$")
HEADING = re.compile(r"^(#{1,6}) +(.*)$")
UNTESTED = re.compile(r"^\s*<!--\s*untested:\s*(?P<why>.+?)\s*-->\s*$")
EXITS = re.compile(r"^\s*<!--\s*exits:\s*(?P<code>\d+)\s*-->\s*$")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
IN_IMAGE = re.compile(r"^#\s*(in the lab image|在实验镜像里)\s*$")
SHELLS = ("bash", "sh")


class Part(StrEnum):
    SHORT = "short"
    DEEP = "deep"


class Kind(StrEnum):
    HOST = "host"  # docker run commands, typed on the host
    SHELL = "shell"  # opens a shell in the lab image; the rest is typed in it
    IN_IMAGE = "in-image"  # '# in the lab image': typed in a shell in the lab image


@dataclass(frozen=True)
class Block:
    lang: str  # the fence's info string: sh, text, python, ...
    body: str
    line: int  # 1-based line of the opening fence
    part: Part
    untested: str | None = None  # the reason given by <!-- untested: ... -->
    output: tuple[str, ...] = ()  # for an sh block: the lines of the ```text blocks it prints
    exits: int = 0  # the exit code its (last) command ends with: <!-- exits: N -->

    @property
    def kind(self) -> Kind:
        first = next((ln.strip() for ln in self.body.splitlines() if ln.strip()), "")
        if IN_IMAGE.match(first):
            return Kind.IN_IMAGE
        cmds = commands(self.body)
        if cmds and opens_shell(cmds[0]):
            return Kind.SHELL
        return Kind.HOST

    def code(self) -> str:
        """The block without its comments and blank lines: what must match between the languages."""
        out = []
        for ln in self.body.splitlines():
            if self.lang != "text":
                ln = re.sub(r"(^|\s)#.*$", "", ln)
            if ln.strip():
                out.append(ln.rstrip())
        return "\n".join(out)


@dataclass
class Readme:
    path: Path
    headings: list[tuple[int, str]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    sections: list[str] = field(
        default_factory=list
    )  # prose (no fences, no HTML comments) per heading
    checkpoint_marks: list[str] = field(default_factory=list)

    def numbers(self) -> list[set[str]]:
        """Per section (the text before the first heading, then one per heading): the digit runs of its prose."""
        return [set(re.findall(r"\d+", unicodedata.normalize("NFKC", s))) for s in self.sections]


def read(path: Path) -> Readme:
    text = path.read_text(encoding="utf-8")
    deep = lesson.DEEP.search(text)
    deep_from = text[: deep.start()].count("\n") + 1 if deep else 10**9  # the heading's line
    r = Readme(path)
    lines = text.splitlines()
    prose: list[str] = []
    fence: tuple[str, int, list[str]] | None = None
    pending_untested: str | None = None
    pending_exits = 0
    for i, ln in enumerate(lines, 1):
        if fence is not None:
            if ln.strip() == "```":
                lang, start, body = fence
                part = Part.DEEP if start >= deep_from else Part.SHORT
                r.blocks.append(
                    Block(
                        lang,
                        "\n".join(body) + "\n",
                        start,
                        part,
                        pending_untested,
                        exits=pending_exits,
                    )
                )
                fence, pending_untested = None, None
            else:
                fence[2].append(ln)
            continue
        if m := FENCE.match(ln):
            prev = lines[i - 2] if i >= 2 else ""
            mark = UNTESTED.match(prev)
            pending_untested = mark["why"] if mark else None
            code = EXITS.match(prev)
            pending_exits = int(code["code"]) if code else 0
            fence = (m[1], i, [])
            continue
        if m := HEADING.match(ln):
            r.sections.append(re.sub(HTML_COMMENT, "", "\n".join(prose)))
            prose = []
            r.headings.append((len(m[1]), m[2].strip()))
            continue
        if m := lesson.MARK.match(ln):
            r.checkpoint_marks.extend(n.strip() for n in m["names"].split(",") if n.strip())
        prose.append(ln)
    r.sections.append(re.sub(HTML_COMMENT, "", "\n".join(prose)))
    r.blocks = _with_outputs(r.blocks)
    return r


def _with_outputs(blocks: list[Block]) -> list[Block]:
    """Give each sh block the ```text blocks below it (up to the next sh block)."""
    out: list[Block] = []
    for b in blocks:
        if b.lang == "text" and out and any(x.lang == "sh" for x in out):
            k = max(i for i, x in enumerate(out) if x.lang == "sh")
            sh = out[k]
            lines = tuple(
                ln for ln in b.body.splitlines() if ln.strip() and ln.strip() not in ("...", "…")
            )
            out[k] = Block(
                sh.lang, sh.body, sh.line, sh.part, sh.untested, sh.output + lines, sh.exits
            )
        out.append(b)
    return out


def commands(body: str) -> list[list[str]]:
    """The block's commands as a learner types them: comment lines dropped, continued lines
    (a trailing backslash, or an open quote) joined, each split as the shell splits it."""
    cmds, pending = [], ""
    for ln in body.splitlines():
        if not pending and (not ln.strip() or ln.lstrip().startswith("#")):
            continue
        pending += ln + "\n"
        if pending.rstrip("\n").endswith("\\"):
            continue
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # an open quote: the command goes on
            continue
        if words:
            cmds.append(words)
        pending = ""
    if pending.strip():
        raise ValueError(f"an unfinished command: {pending.strip()[:80]!r}")
    return cmds


def after_first_command(body: str) -> str:
    """The lines after the block's first command (typed in the shell it opened)."""
    lines = body.splitlines()
    for n in range(1, len(lines) + 1):
        try:
            if commands("\n".join(lines[:n])):
                return "\n".join(lines[n:]) + "\n"
        except ValueError:
            continue
    return ""


def split_docker_run(words: list[str]) -> tuple[list[str], str, list[str]]:
    """(options, image, command) of ``docker run OPTIONS IMAGE CMD...``."""
    assert words[:2] == ["docker", "run"], f"not a docker run: {' '.join(words[:3])}"
    i = next((i for i, w in enumerate(words) if w.startswith("proclab/")), None)
    assert i is not None, f"the command names no proclab image: {' '.join(words)}"
    return words[2:i], words[i], words[i + 1 :]


def opens_shell(words: list[str]) -> bool:
    if words[:2] != ["docker", "run"]:
        return False
    options, _, command = split_docker_run(words)
    interactive = any(o in ("-it", "-ti", "-i") for o in options)
    return interactive and len(command) == 1 and command[0] in SHELLS


def lesson_paths(lab: str) -> tuple[Path, Path]:
    return LABS / lab / "README.md", LABS / lab / "README.zh.md"


def all_labs() -> list[str]:
    return sorted(p.parent.name for p in LABS.glob("*/README.md"))
