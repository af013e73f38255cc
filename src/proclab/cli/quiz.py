"""``proclab run --predict``: the learner predicts before each lab runs, sees the answers
after it, and (over several labs, e.g. ``--all``) gets a score for the whole quiz."""
from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console

from ..lab import answers as ans
from ..lab.questions import Prediction, Question, load_questions, reveal, score
from ..lab.result import LabResult
from ..lab.spec import LabSpec
from ..ui.predictions import verdict_table
from ..ui.translations import word
from .output import err_console


class Quiz:
    """Each lab's questions and answers; answers from a file or stdin are read (and
    checked) before anything runs, answers at a prompt just before each lab runs."""

    def __init__(self, specs: list[LabSpec], answers_file: str | None, lang: str):
        self.lang = lang
        self.interactive = answers_file is None and sys.stdin.isatty()
        self.plans: dict[str, tuple[list[Question], ans.Answers]] = {}
        self.predictions: dict[str, list[Prediction]] = {}
        if self.interactive:
            for spec in specs:     # a lab without questions fails now, not half way through
                load_questions(spec)
        else:
            label = "stdin" if answers_file in (None, "-") else str(answers_file)
            self.plans = ans.from_text(specs, ans.read_source(answers_file, sys.stdin), label)

    def before(self, spec: LabSpec, many: bool) -> None:
        if not self.interactive or spec.name in self.plans:
            return
        if many:
            err_console.rule(f"{word('predict', self.lang)}: {spec.name}: {spec.title_in(self.lang)}")

        def prompt(q: Question) -> str:
            return click.prompt(f"? {q.prompt(self.lang)}", default="", show_default=False,
                                prompt_suffix="\n  > ", err=True)

        def complain(message: str) -> None:
            err_console.print(f"[yellow]{message}[/]", highlight=False)

        self.plans[spec.name] = ans.gather(spec, None, stdin=sys.stdin, interactive=True,
                                           prompt=prompt, complain=complain)

    def after(self, result: LabResult, show: bool) -> list[Prediction]:
        questions, answers = self.plans[result.lab]
        predictions = reveal(questions, answers, result)
        self.predictions[result.lab] = predictions
        if show:
            out = Console()
            out.print(verdict_table(predictions, self.lang))
            out.print(self.score_line(predictions), highlight=False)
        return predictions

    def score_line(self, predictions: list[Prediction]) -> str:
        right, judged = score(predictions)
        unjudged = len(predictions) - judged
        if self.lang == "zh":
            return f"[bold]{judged} 题中答对 {right} 题[/]" + (f"（{unjudged} 题未评：没有回答或没有观察到）" if unjudged else "")
        return f"[bold]{right} of {judged}[/] predictions right" + (
            f" ({unjudged} not judged: no answer, or not observed)" if unjudged else "")

    def finish(self, show: bool) -> None:
        """The whole quiz's score, when it spanned several labs."""
        if show and len(self.predictions) > 1:
            every = [p for ps in self.predictions.values() for p in ps]
            Console().rule(word("quiz score", self.lang))
            Console().print(self.score_line(every) + f" — {len(self.predictions)} labs", highlight=False)

    def to_json(self, lab: str) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.predictions.get(lab, [])]

    def totals(self) -> dict[str, int]:
        right, judged = score([p for ps in self.predictions.values() for p in ps])
        return {"right": right, "judged": judged,
                "questions": sum(len(ps) for ps in self.predictions.values())}
