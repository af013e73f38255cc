"""The README is the front page: at most 250 lines, every docs/ page findable from it, every
relative link (and #anchor) in it and in docs/ pointing at something that exists, its commands
accepted by the real CLI, its test command the one CI runs, and its lab table the course map
that `proclab list` prints."""

from __future__ import annotations

import re
import shlex
import unicodedata
from pathlib import Path

import click
import pytest

from proclab.cli.main import cli
from proclab.lab import spec as labspec
from proclab.lab.course import COURSE

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
# The sections that left the README (issue 32): each must be one click away from it.
MOVED = ("guide.md", "architecture.md", "reliability.md", "benchmarks.md")

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def prose(text: str) -> str:
    """The text outside fenced blocks (a link or heading inside a code block is code)."""
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for m in re.finditer(r"^#{1,6}\s+(.*?)\s*#*\s*$", prose(path.read_text()), re.M):
        s = slug(m.group(1))
        n = seen.get(s, 0)
        seen[s] = n + 1
        out.add(s if n == 0 else f"{s}-{n}")
    return out


def relative_links(path: Path) -> list[str]:
    return [
        t for t in LINK.findall(prose(path.read_text())) if not re.match(r"[a-z][a-z0-9+.-]*:", t)
    ]  # http:, https:, mailto: are not ours


def target(page: Path, link: str) -> tuple[Path, str]:
    file, _, anchor = link.partition("#")
    return ((page.parent / file).resolve() if file else page), anchor


def test_the_readme_is_at_most_250_lines():
    n = len(README.read_text().splitlines())
    assert n <= 250, f"README.md has {n} lines: move the depth into a docs/ page and link it"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    broken = []
    for link in relative_links(page):
        file, anchor = target(page, link)
        if not file.exists():
            broken.append(f"{link}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{link}: {file.name} has no heading with the anchor #{anchor}")
    assert not broken, f"{page.relative_to(ROOT)}:\n" + "\n".join(broken)


def test_the_moved_sections_are_linked_from_the_readme():
    linked = {target(README, link)[0] for link in relative_links(README)}
    missing = [name for name in MOVED if DOCS / name not in linked]
    assert not missing, f"README.md does not link docs/{', docs/'.join(missing)}"


def test_every_docs_page_is_findable_from_the_readme():
    """Following relative links from README.md reaches every docs/*.md."""
    seen, todo = {README}, [README]
    while todo:
        page = todo.pop()
        for link in relative_links(page):
            file = target(page, link)[0]
            if file.suffix == ".md" and file.is_file() and file not in seen:
                seen.add(file)
                todo.append(file)
    lost = sorted(p.name for p in DOCS.glob("*.md") if p not in seen)
    assert not lost, f"no chain of links from README.md reaches docs/{', docs/'.join(lost)}"


def shell_commands(text: str, program: str) -> list[str]:
    """The lines of the sh blocks that run `program`, without comments and redirections."""
    out = []
    for lang, body in FENCE.findall(text):
        if lang not in ("sh", "bash", "console"):
            continue
        for line in body.splitlines():
            if line.split()[:1] != [program]:  # other lines may be half a shell construct
                continue
            words = shlex.split(line, comments=True)
            if words[:1] == [program]:
                ends = [i for i, w in enumerate(words) if w in (">", ">>", "|", "&&", ";", "2>")]
                cut = ends[0] if ends else len(words)
                out.append(shlex.join(words[:cut]))
    return out


def parse(argv: list[str]) -> click.Command:
    """Resolve and parse argv as `proclab` would, down to the command, without running it."""
    ctx = cli.make_context("proclab", list(argv))
    cmd: click.Command = cli
    while isinstance(cmd, click.Group):
        # click keeps the subcommand and its args in _protected_args (protected_args is deprecated)
        name, sub, rest = cmd.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
        assert sub is not None and name is not None
        ctx = sub.make_context(name, rest, parent=ctx)
        cmd = sub
    return cmd


DOC_COMMANDS = [
    (page, line) for page in PAGES for line in shell_commands(page.read_text(), "proclab")
]


def test_the_readme_shows_proclab_commands():
    assert sum(page == README for page, _ in DOC_COMMANDS) >= 5


@pytest.mark.parametrize(
    "page,line", DOC_COMMANDS, ids=[f"{p.name}:{line}" for p, line in DOC_COMMANDS]
)
def test_a_documented_command_is_accepted_by_the_cli(page, line):
    """Each `proclab ...` line of a sh block names a real command with options it takes."""
    try:
        parse(shlex.split(line)[1:])
    except click.ClickException as e:
        pytest.fail(f"{page.relative_to(ROOT)}: `{line}`: {e.format_message()}")


def test_the_readme_test_command_is_what_ci_runs():
    section = README.read_text().split("## Run the tests", 1)[1].split("\n## ", 1)[0]
    block = FENCE.search(section)
    assert block, "README.md's 'Run the tests' has no command block"
    command = block.group(2).strip()
    ci = [
        ln.strip()
        for ln in (ROOT / ".ci" / "run").read_text().splitlines()
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    assert command == "pytest" and ci[-1] == command, (command, ci[-1])
    assert "bash .ci/run" in section


def test_the_lab_table_is_the_course_map():
    """The README's table has `proclab list`'s sections and labs, in its order, and every built-in lab."""
    text = README.read_text().split("## The labs", 1)[1].split("\n## ", 1)[0]
    rows = []
    for cell in re.findall(r"^\| (\*\*[^*]+\*\*|`[^`]+`) \|", text, re.M):
        rows.append(
            ("section", cell.strip("*")) if cell.startswith("**") else ("lab", cell.strip("`"))
        )
    course = [
        r for sec in COURSE for r in [("section", sec.title), *(("lab", n) for n in sec.labs)]
    ]
    assert rows == course, "README.md's lab table differs from proclab.lab.course.COURSE"
    assert sorted(n for kind, n in rows if kind == "lab") == sorted(labspec.builtin_names())


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_code_block_is_closed(page):
    fences = [ln for ln in page.read_text().splitlines() if ln.lstrip().startswith("```")]
    assert len(fences) % 2 == 0, f"{page.relative_to(ROOT)}: a ``` fence is never closed"
