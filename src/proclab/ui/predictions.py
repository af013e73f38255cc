"""The predict table: each question, the learner's answer, what was observed, and the verdict."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..lab.questions import Prediction, as_text
from .translations import word
from .safe import safe, visible


def verdict_table(predictions: list[Prediction], lang: str = "en") -> Table:
    """A rich Table: question, your answer, observed, verdict (in ``lang``; the observed value as is)."""
    t = Table(title=word("your predictions, and what happened", lang), title_justify="left", title_style="bold",
              show_lines=True)
    for col in ("question", "you said", "observed"):
        t.add_column(word(col, lang))
    t.add_column("")
    for p in predictions:
        said = Text("—") if p.answer is None else safe(as_text(p.answer))
        seen = safe(p.problem, style="yellow") if p.problem else safe(as_text(p.observed))
        mark = (Text("✔", style="bold green") if p.correct else Text("✘", style="bold red")) \
            if p.correct is not None else Text("·", style="dim")
        ask_text = safe(p.question.text(lang))
        if p.question.explanation(lang):
            ask_text.append("\n" + visible(p.question.explanation(lang), keep_newlines=True), style="dim")
        t.add_row(ask_text, said, seen, mark)
    return t


