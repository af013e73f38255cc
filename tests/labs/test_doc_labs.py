"""Every complete lab in docs/writing-labs.md runs and passes as written.

A lab in the doc is an HTML comment ``<!-- lab: NAME -->`` followed by fenced code blocks, each
naming its file on its first line (``# scenario.py``, ``# lab.toml``, ``# checks.py``,
``# questions.toml``); the lab ends at the next heading. The test writes each into a folder of its
own and runs it with ``proclab.run_lab`` in real containers: every check passes, every run ends
as its variant declares, each question's ``observed`` gives its ``expected``, and a ``charts()``
hook draws something."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

import proclab
from proclab.lab import spec as labspec
from proclab.lab.questions import load_questions, observe

DOC = Path(__file__).resolve().parents[2] / "docs" / "writing-labs.md"
LAB_MARK = re.compile(r"^<!-- lab: ([a-z0-9-]+) -->$", re.M)
BLOCK = re.compile(r"^```[a-z]*\n# ([a-z_]+\.(?:py|toml))\n(.*?)^```$", re.M | re.S)
FILES = {"scenario.py", "lab.toml", "checks.py", "questions.toml", "mutations.py"}


def doc_labs() -> dict[str, dict[str, str]]:
    text = DOC.read_text()
    labs = {}
    marks = list(LAB_MARK.finditer(text))
    for m in marks:
        rest = text[m.end() :]
        heading = re.search(r"^#{2,4} ", rest, re.M)  # a heading (a "# file" line is in a block)
        body = rest[: heading.start()] if heading else rest
        labs[m.group(1)] = {f: code for f, code in BLOCK.findall(body)}
    return labs


def test_the_doc_marks_complete_labs():
    labs = doc_labs()
    assert {"first-zombie", "endings"} <= set(labs)
    for name, files in labs.items():
        assert "scenario.py" in files and "checks.py" in files, (
            f"lab {name} in the doc lacks a file: {sorted(files)}"
        )
        assert set(files) <= FILES, f"lab {name}: unknown file {set(files) - FILES}"


@pytest.mark.lab
@pytest.mark.docker
@pytest.mark.parametrize("name", sorted(doc_labs()))
def test_a_doc_lab_passes_as_written(name, tmp_path, lab_image):
    folder = tmp_path / f"doc-{name}-{uuid.uuid4().hex[:6]}"  # a unique name: its containers' label
    folder.mkdir()
    for file, code in doc_labs()[name].items():
        (folder / file).write_text(code)
    result = proclab.run_lab(folder)
    report = "\n".join(f"{c.status}: {c.name}: {c.detail}" for c in result.checks)
    assert result.error is None, result.error
    assert [r.error for r in result.runs if r.error] == [], report
    assert result.checks and result.verdict == "passed", report
    questions = load_questions(labspec.load(folder)) if "questions.toml" in doc_labs()[name] else []
    for q in questions:
        if q.expected is not None:
            observed = observe(q, result)
            assert q.judge(q.expected, observed), (
                f"question {q.id}: expected {q.expected!r}, observed {observed!r}"
            )
    if "def charts(" in doc_labs()[name]["checks.py"]:
        assert result.charts and all(c.bars for c in result.charts)
