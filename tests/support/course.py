"""Helpers for the course labs' tests (process-exit, pcb, sync-async, terminals): the
lesson's expected answers against the run, and a check re-run on a doctored copy of the
result, to show it can fail."""

from __future__ import annotations

import copy
from collections.abc import Callable

from proclab.checks import load_checks
from proclab.lab import spec as labspec
from proclab.lab.questions import load_questions, reveal


def assert_questions_match(name: str, result) -> None:
    questions = load_questions(labspec.resolve(name))
    assert 3 <= len(questions) <= 6
    for p in reveal(questions, {q.id: q.expected for q in questions}, result):
        assert not p.problem, f"{name}/{p.question.id}: nothing observed: {p.problem}"
        assert p.correct, (
            f"{name}/{p.question.id}: the lesson says {p.answer!r}, the lab observed {p.observed!r}"
        )


def verdict_after(name: str, result, check_fn: str, doctor: Callable) -> bool:
    """Re-run check `check_fn` (its function name) on a copy of `result` changed by `doctor`."""
    spec = labspec.resolve(name)
    checks = {c.fn.__name__: c for c in load_checks(spec.checks_file, name)}
    bad = copy.deepcopy(result)
    doctor(bad)
    return checks[check_fn].run(bad).passed
