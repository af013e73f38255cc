"""Predict, then reveal: a lab's questions, the learner's answers, and what was observed.

A lab's ``questions.toml`` holds its questions::

    [[question]]
    id = "state"                                  # short name, used in answer files
    ask = "What state letter will ps print for the exited child?"
    kind = "choice"                               # number | choice | text
    choices = ["R", "S", "Z", "T"]                # for kind = "choice"
    observed = 'proc("zombie-created", "child").state'
    explain = "Z: the kernel keeps the exit status until the parent waits."
    expected = "Z"                                # the lesson's answer (the lab tests hold it to reality)
    # tolerance = 0.5                             # for kind = "number": how far off still counts

Each question may carry its Chinese text too: ``ask_zh``, ``explain_zh`` and
``choices_zh`` (shown with ``--lang zh``; an answer may be given in either language).

``observed`` is one Python *expression* read from the ``LabResult`` after the run,
in the small language ``lab.observed`` allows (its names, and only the attributes of
the lab's results).

The learner's answers are read by ``lab.answers``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import LabFormatError, UsageError
from ..jsonform import JsonForm, JsonRecord
from .observed import check_expression, evaluate
from .result import LabResult
from .spec import LabSpec, parse_toml

__all__ = [
    "Question",
    "Prediction",
    "check_expression",
    "load_questions",
    "observe",
    "reveal",
    "score",
]

KINDS = ("number", "choice", "text")
QUESTION_KEYS = {
    "id",
    "ask",
    "kind",
    "choices",
    "observed",
    "figure",
    "explain",
    "tolerance",
    "expected",
    "ask_zh",
    "explain_zh",
    "choices_zh",
}


@dataclass(frozen=True)
class Question:
    id: str
    ask: str
    kind: str
    observed: str  # the expression
    choices: tuple[str, ...] = ()
    explain: str = ""
    tolerance: float = 0.0
    expected: Any = None  # the lesson's answer, if it states one
    ask_zh: str = ""  # the question in Chinese
    explain_zh: str = ""
    choices_zh: tuple[str, ...] = ()  # shown for Chinese; an answer may use either language

    def text(self, lang: str = "en") -> str:
        return self.ask_zh if lang == "zh" and self.ask_zh else self.ask

    def explanation(self, lang: str = "en") -> str:
        return self.explain_zh if lang == "zh" and self.explain_zh else self.explain

    def prompt(self, lang: str = "en") -> str:
        if self.kind == "choice":
            shown = self.choices_zh if lang == "zh" and self.choices_zh else self.choices
            opts = "  ".join(f"{i}) {c}" for i, c in enumerate(shown, 1))
            return f"{self.text(lang)}\n    {opts}"
        return self.text(lang)

    def parse(self, raw: str) -> Any:
        """The learner's answer in the question's terms; UsageError names the fix."""
        text = raw.strip().strip("\"'").strip()
        if not text:
            raise UsageError(
                f"question '{self.id}' has no answer; answer it or leave it out of the file"
            )
        if self.kind == "number":
            try:
                return float(text)
            except ValueError:
                raise UsageError(f"question '{self.id}' wants a number, not '{text}'") from None
        if self.kind == "choice":
            if text.isdigit() and 1 <= int(text) <= len(self.choices):
                return self.choices[int(text) - 1]
            for i, c in enumerate(self.choices):
                if _norm(c) == _norm(text) or (
                    i < len(self.choices_zh) and _norm(self.choices_zh[i]) == _norm(text)
                ):
                    return c
            raise UsageError(
                f"question '{self.id}': '{text}' is not one of its choices: "
                f"{', '.join(self.choices)} (or their numbers 1-{len(self.choices)})"
            )
        return text

    def judge(self, answer: Any, observed: Any) -> bool:
        if self.kind == "number":
            try:
                return math.isclose(float(answer), float(observed), abs_tol=self.tolerance + 1e-9)
            except (TypeError, ValueError):
                return False
        return _norm(str(answer)) == _norm(as_text(observed))


@dataclass
class Prediction(JsonRecord):
    json_form = JsonForm(
        keys=("id", "ask", "answer", "observed", "correct", "problem", "explain"),
        via={"observed": lambda v: _jsonable(v)},  # what an expression gave: a JSON value or text
        none_if_empty=frozenset({"problem", "explain"}),
    )

    question: Question
    answer: Any = None  # None: not answered
    observed: Any = None
    correct: bool | None = None  # None: no answer, or nothing observed
    problem: str = ""  # why nothing was observed

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def ask(self) -> str:
        return self.question.ask

    @property
    def explain(self) -> str:
        return self.question.explain


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


def as_text(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _jsonable(v: Any) -> Any:
    return v if isinstance(v, (int, float, str, bool, type(None))) else str(v)


# -- the questions file ------------------------------------------------------


def questions_file(spec: LabSpec) -> Path:
    return spec.path / "questions.toml"


def load_questions(spec: LabSpec) -> list[Question]:
    path = questions_file(spec)
    if not path.is_file():
        raise UsageError(
            f"lab '{spec.name}' has no questions to predict ({path.name} is missing); "
            f"run it without --predict"
        )
    raw = parse_toml(path)
    items = raw.get("question", [])
    if not isinstance(items, list) or not items or set(raw) - {"question"}:
        raise LabFormatError(
            f"{path}: write the questions as [[question]] tables (and nothing else)"
        )
    out, seen = [], set()
    for i, q in enumerate(items, 1):
        where = f"{path}: question {i}"
        unknown = set(q) - QUESTION_KEYS
        if unknown:
            raise LabFormatError(
                f"{where}: unknown key '{sorted(unknown)[0]}'; known: {', '.join(sorted(QUESTION_KEYS))}"
            )
        for key in ("id", "ask", "kind"):
            if not isinstance(q.get(key), str) or not q[key]:
                raise LabFormatError(f"{where}: needs '{key}' (a string)")
        if q["kind"] not in KINDS:
            raise LabFormatError(
                f"{where}: kind must be one of {', '.join(KINDS)}, not '{q['kind']}'"
            )
        if q["id"] in seen:
            raise LabFormatError(f"{where}: two questions share the id '{q['id']}'")
        seen.add(q["id"])
        choices = q.get("choices", [])
        if q["kind"] == "choice" and (not isinstance(choices, list) or len(choices) < 2):
            raise LabFormatError(
                f'{where}: a choice question needs choices = ["...", "..."] (two or more)'
            )
        if ("observed" in q) == ("figure" in q):
            raise LabFormatError(
                f'{where}: give exactly one of observed = "<expression>" or figure = "<name>"'
            )
        expr = q["observed"] if "observed" in q else f"figure({q['figure']!r})"
        check_expression(expr, where)
        choices_zh = q.get("choices_zh", [])
        if choices_zh and len(choices_zh) != len(choices):
            raise LabFormatError(f"{where}: choices_zh needs one entry per choice ({len(choices)})")
        question = Question(
            id=q["id"],
            ask=q["ask"],
            kind=q["kind"],
            observed=expr,
            choices=tuple(str(c) for c in choices),
            explain=q.get("explain", ""),
            tolerance=float(q.get("tolerance", 0.0)),
            ask_zh=q.get("ask_zh", ""),
            explain_zh=q.get("explain_zh", ""),
            choices_zh=tuple(str(c) for c in choices_zh),
        )
        if "expected" in q:
            try:
                question = replace(question, expected=question.parse(str(q["expected"])))
            except UsageError as err:
                raise LabFormatError(f"{where}: expected: {err}") from None
        out.append(question)
    return out


def observe(question: Question, result: LabResult) -> Any:
    """The question's observed value on the result (LookupError etc. propagate)."""
    return evaluate(question.observed, question.id, result)


def reveal(
    questions: list[Question], answers: dict[str, Any], result: LabResult
) -> list[Prediction]:
    out = []
    for q in questions:
        p = Prediction(q, answers.get(q.id))
        try:
            p.observed = observe(q, result)
        except Exception as err:  # the lab did not get that far, or the question is wrong
            p.problem = f"{type(err).__name__}: {str(err).strip(chr(39) + chr(34))}"
        if p.answer is not None and not p.problem:
            p.correct = q.judge(p.answer, p.observed)
        out.append(p)
    return out


# -- scoring ----------------------------------------------------------------


def score(predictions: list[Prediction]) -> tuple[int, int]:
    judged = [p for p in predictions if p.correct is not None]
    return sum(1 for p in judged if p.correct), len(judged)
