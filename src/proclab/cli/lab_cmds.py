"""``proclab list`` and ``proclab show``: the built-in labs and one lab's lesson."""
from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table


@click.command("list")
def list_labs() -> None:
    """List the built-in labs."""
    from ..lab import spec as labspec

    t = Table(show_header=True, header_style="bold", box=None)
    t.add_column("lab")
    t.add_column("what it shows")
    for spec in labspec.builtin():
        t.add_row(spec.name, spec.title)
    Console().print(t)


@click.command("show")
@click.argument("lab")
def show(lab: str) -> None:
    """Print LAB's lesson (its README), its settings and its variants."""
    from rich.markdown import Markdown

    from ..lab import spec as labspec

    spec = labspec.resolve(lab)
    out = Console()
    if spec.readme.is_file():
        out.print(Markdown(spec.readme.read_text()))
    else:
        out.print(f"[bold]{spec.title}[/]\n{spec.summary}")
    out.print(f"\n[dim]folder: {spec.path}[/]")
    for v in spec.variants:
        changed = {k: val for k, val in spec.settings_for(v).items() if val != labspec.SETTINGS[k][1]}
        out.print(f"[dim]variant {v.name}: {v.summary or ''} {changed or ''}[/]")
