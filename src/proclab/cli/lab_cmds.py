"""``proclab list`` and ``proclab show``: the built-in labs and one lab's lesson."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

LANG_HELP = "en or zh (default: from LANG, e.g. LANG=zh_CN.UTF-8)."


@click.command("list")
@click.option("--lang", metavar="en|zh", help=f"Titles in this language: {LANG_HELP}")
def list_labs(lang: str | None) -> None:
    """List the built-in labs in the course's order, by section."""
    from ..lab import spec as labspec
    from ..lab.course import in_course_order
    from ..lab.lesson import language
    from ..ui.safe import safe

    lang = language(lang)
    zh = lang == "zh"
    sections = in_course_order(labspec.builtin())
    width = max(len(sp.name) for _, specs in sections for sp in specs) + 2
    out = Console()
    for i, (section, specs) in enumerate(sections):
        # one table per section, with the same column widths, so the sections line up
        t = Table(
            show_header=i == 0,
            header_style="bold",
            box=None,
            pad_edge=False,
            title=section.title_in(lang),
            title_justify="left",
            title_style="bold cyan",
        )
        t.add_column("实验" if zh else "lab", width=width, no_wrap=True)
        t.add_column("预测" if zh else "predict", width=7, justify="center", no_wrap=True)
        t.add_column("内容" if zh else "what it shows")
        for spec in specs:
            # marked from the file's presence: `proclab run LAB --predict` asks its questions
            t.add_row(
                safe(spec.name),
                "✓" if (spec.path / "questions.toml").is_file() else "",
                safe(spec.title_in(lang)),
            )
        out.print(t)
    out.print(
        "[dim]"
        + (
            "✓：有预测问题：proclab run 实验 --predict --lang zh"
            if zh
            else "✓: has predict questions: proclab run LAB --predict"
        )
        + "[/]",
        highlight=False,
    )


@click.command("show")
@click.argument("lab")
@click.option("--full", is_flag=True, help="The whole lesson: the short part and the deeper one.")
@click.option("--lang", metavar="en|zh", help=f"The lesson's language: {LANG_HELP}")
def show(lab: str, full: bool, lang: str | None) -> None:
    """Print LAB's lesson: its short part (--full: all of it), its settings and its variants."""
    from rich.markdown import Markdown

    from ..lab import lesson as lessons
    from ..lab import spec as labspec
    from ..lab.settings import Settings
    from ..ui.safe import safe, visible

    spec = labspec.resolve(lab)
    lang = lessons.language(lang)
    lesson = lessons.load(spec.path, lang)
    out = Console()
    if lesson is None:
        out.print(safe(spec.title_in(lang), style="bold"), safe(spec.summary))
    else:
        out.print(Markdown(visible(lesson.full if full else lesson.short, keep_newlines=True)))
        if lesson.deep and not full:
            more = (
                f"更深入的内容（以及问题的答案）：proclab show {spec.name} --full --lang zh"
                if lang == "zh"
                else f"The deeper part (and the answers): proclab show {spec.name} --full"
            )
            out.print(f"\n[cyan]{more}[/]", highlight=False)
    if (spec.path / "questions.toml").is_file():
        out.print(
            f"[cyan]{'先预测再运行' if lang == 'zh' else 'Predict, then run'}: "
            f"proclab run {spec.name} --predict{' --lang zh' if lang == 'zh' else ''}[/]",
            highlight=False,
        )
    out.print(safe(f"\nfolder: {spec.path}", style="dim", keep_newlines=True))
    for v in spec.variants:
        defaults = Settings().to_dict()
        changed = {
            k: val for k, val in spec.settings_for(v).to_dict().items() if val != defaults[k]
        }
        out.print(safe(f"variant {v.name}: {v.summary or ''} {changed or ''}", style="dim"))
