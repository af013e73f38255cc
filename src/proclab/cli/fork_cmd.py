"""``proclab fork``: process-tree exercises (OSTEP's fork.py, with Linux's reparenting), and
``--real`` to run the same actions on the kernel and compare, action by action."""
from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from ..errors import UsageError
from ..homework import forktree as ft


@click.command("fork")
@click.option("-s", "--seed", type=int, default=0, show_default=True, help="Random seed of the exercise.")
@click.option("-a", "--actions", "count", type=int, default=5, show_default=True, help="How many actions.")
@click.option("-f", "--fork-percentage", type=float, default=70, show_default=True,
              help="Chance (%) that an action is a fork rather than an exit.")
@click.option("-A", "--actions-list", help="Your own actions, e.g. 'a+b,b+c,b-'.")
@click.option("-R", "--reparent", type=click.Choice(ft.MODES), default="init", show_default=True,
              help="Where orphans go: to the root (init, pid 1) or the nearest living ancestor (subreaper).")
@click.option("-L", "--leaf-only", is_flag=True, help="Only processes without children exit.")
@click.option("-t", "--reverse", is_flag=True, help="Show the trees and ask for the actions.")
@click.option("-c", "--solve", is_flag=True, help="Show the answers: the tree after each action.")
@click.option("--real", is_flag=True, help="Also run the actions as real processes and compare the trees.")
@click.option("--json", "as_json", is_flag=True, help="With --solve: one JSON document.")
def fork(seed: int, count: int, fork_percentage: float, actions_list: str | None, reparent: str,
         leaf_only: bool, reverse: bool, solve: bool, real: bool, as_json: bool) -> None:
    """A process tree exercise: what does the tree look like after these forks and exits?"""
    actions = (ft.parse_actions(actions_list) if actions_list
               else ft.generate(seed, count, fork_percentage, leaf_only))
    trees = ft.solve(actions, reparent)
    if as_json and not solve:
        raise UsageError("--json shows the answers: use it with --solve")
    observed = _observe(actions, reparent) if real else None
    if as_json:
        doc: dict[str, Any] = {"actions": [str(a) for a in actions], "reparent": reparent,
                               "trees": [t.as_dict() for t in trees], "final": trees[-1].as_dict()}
        if observed is not None:
            doc["observed"] = observed
            doc["agree"] = observed == doc["trees"]
        click.echo(json.dumps(doc, indent=2))
        raise SystemExit(0 if observed is None or doc["agree"] else 1)
    out = Console(highlight=False)
    origin = "your actions" if actions_list else f"seed {seed}"
    out.print(Text(f"process tree exercise ({origin}, orphans go to "
                   f"{'the root' if reparent == 'init' else 'the nearest living ancestor'})", style="bold"))
    out.print(ft.ROOT)
    for i, (a, t) in enumerate(zip(actions, trees), 1):
        if reverse:
            out.print(Text(f"\n{i}. action? {a.describe() if solve else '?'}"))
            out.print(t.render())
        else:
            out.print(Text(f"\n{i}. {a.describe()} ({a})", style="cyan"))
            if solve:
                out.print(t.render())
            if observed is not None:
                _compare(out, t, observed[i - 1])
    if not solve and not reverse:
        out.print(Text("\nWhat does the final tree look like? Check with --solve (and --real on the kernel).",
                       style="dim"))
    disagree = observed is not None and any(o != t.as_dict() for o, t in zip(observed, trees))
    raise SystemExit(1 if disagree else 0)


def _observe(actions: list[ft.Action], mode: str) -> list[dict[str, list[str]]]:
    from ..run.kernel import fork_trees

    return fork_trees(actions, mode)


def _compare(out: Console, predicted: ft.Tree, observed: dict[str, list[str]]) -> None:
    if observed == predicted.as_dict():
        out.print(Text("   kernel: the same tree", style="green"))
        return
    out.print(Text("   kernel: DIFFERENT", style="bold red"))
    out.print(ft.tree_from_dict(observed).render())
