"""The learner's predictions: from a prompt, or from a file or stdin, for one lab or a whole quiz.

One lab's answers are one per line: either ``id = answer`` or just the answers in
question order (``#`` starts a comment). A quiz over several labs (``proclab run
--all --predict``) puts each lab's answers under its name in brackets::

    [zombies]
    state = Z
    top-zombies = 1

    [orphans]
    1
    yes
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..errors import UsageError
from .questions import Question, load_questions
from .spec import LabSpec

SECTION = re.compile(r"^\s*\[([A-Za-z0-9_.-]+)\]\s*(#.*)?$")
Answers = dict[str, Any]


def parse_answers(text: str, questions: list[Question], source: str = "the answers") -> Answers:
    """``id = answer`` lines, or bare answers in question order; parsed and checked."""
    ids = {q.id: q for q in questions}
    answers: Answers = {}
    bare: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()  # comments: '# ...'
        if not line:
            continue
        m = re.match(r"^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$", line)
        if m and m.group(1) in ids:
            answers[m.group(1)] = ids[m.group(1)].parse(m.group(2))
        elif m and not bare and "=" in line:
            raise UsageError(
                f"{source}: no question '{m.group(1)}'; this lab's questions: {', '.join(ids)}"
            )
        else:
            bare.append(line)
    if bare:
        if answers:
            raise UsageError(f"{source}: mix of 'id = answer' lines and bare answers; use one form")
        if len(bare) > len(questions):
            raise UsageError(f"{source}: {len(bare)} answers for {len(questions)} questions")
        answers = {q.id: q.parse(a) for q, a in zip(questions, bare, strict=False)}
    return answers


def sections(text: str, labs: list[str], source: str) -> dict[str, str]:
    """A quiz file's text per lab: ``[lab]`` headers; one lab may do without them."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    loose: list[str] = []
    for line in text.splitlines():
        m = SECTION.match(line)
        if m:
            current = m.group(1)
            if current not in labs:
                raise UsageError(
                    f"{source}: [{current}] is not a lab of this run; the labs: {', '.join(labs)}"
                )
            out.setdefault(current, [])
        elif current is None:
            loose.append(line)
        else:
            out[current].append(line)
    if any(re.sub(r"#.*$", "", ln).strip() for ln in loose):
        if out or len(labs) != 1:
            raise UsageError(
                f"{source}: answers for several labs go under a [lab] line each, "
                f"e.g. [{labs[0]}] then its answers"
            )
        out[labs[0]] = loose
    return {lab: "\n".join(lines) for lab, lines in out.items()}


def ask(
    questions: list[Question], prompt: Callable[[Question], str], complain: Callable[[str], None]
) -> Answers:
    """Ask each question with ``prompt`` until its answer parses (an empty answer skips it);
    ``complain`` shows why an answer did not parse."""
    answers: Answers = {}
    for q in questions:
        while True:
            raw = prompt(q)
            if not raw.strip():
                break
            try:
                answers[q.id] = q.parse(raw)
                break
            except UsageError as err:
                complain(str(err))
    return answers


def read_source(source: str | None, stdin: TextIO) -> str:
    if source is not None and source != "-":
        path = Path(source)
        if not path.is_file():
            raise UsageError(
                f"no answers file '{source}'; give a file of 'id = answer' lines, or '-' for stdin"
            )
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{source}: not UTF-8 text; save the answers as UTF-8") from None
    return stdin.read()


def from_text(
    specs: list[LabSpec], text: str, source: str
) -> dict[str, tuple[list[Question], Answers]]:
    """Every lab's questions and its answers in ``text`` (a lab the text leaves out: no answers)."""
    names = [s.name for s in specs]
    per_lab = sections(text, names, source)
    out = {}
    for spec in specs:
        questions = load_questions(spec)
        where = source if len(specs) == 1 else f"{source} [{spec.name}]"
        out[spec.name] = (questions, parse_answers(per_lab.get(spec.name, ""), questions, where))
    return out


def gather(
    spec: LabSpec,
    source: str | None,
    *,
    stdin: TextIO,
    interactive: bool,
    prompt: Callable[[Question], str],
    complain: Callable[[str], None],
) -> tuple[list[Question], Answers]:
    """The lab's questions and the learner's answers: from the file ``source``, from
    stdin (``source`` is ``-``, or stdin is not a terminal), or asked one by one."""
    if source is not None or not interactive:
        label = "stdin" if source in (None, "-") else source
        return from_text([spec], read_source(source, stdin), label)[spec.name]
    questions = load_questions(spec)
    return questions, ask(questions, prompt, complain)
