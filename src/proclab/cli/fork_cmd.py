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
@click.option("-s", "--seed", type=int, default=0, show_default=True,
              help="Random seed of the exercise (fork.py's: the same seed makes the same actions).")
@click.option("-a", "--actions", "count", type=int, default=5, show_default=True, help="How many actions.")
@click.option("-f", "--forks", "fork_fraction", type=float,
              help="fork.py's -f: the fraction of actions that are forks [default: 0.7].")
@click.option("--fork-percentage", type=float, help="The same as a percentage (70 is -f 0.7).")
@click.option("-A", "--actions-list", "--action_list", help="Your own actions, e.g. 'a+b,b+c,b-'.")
@click.option("-R", "--reparent", type=click.Choice(ft.MODES), default="init", show_default=True,
              is_flag=False, flag_value="subreaper",
              help="Where orphans go: to the root (init, pid 1), the nearest living ancestor (subreaper; "
                   "a bare -R, as in fork.py), or, as fork.py does without -R, every descendant to the root (ostep).")
@click.option("-L", "--leaf-only", "--leaf_only", is_flag=True,
              help="Only processes without children exit: another's exit is refused.")
@click.option("-t", "--reverse", "--show_tree", is_flag=True, help="Show the trees and ask for the actions.")
@click.option("-F", "--final-only", "--final_only", is_flag=True, help="Show only the final tree.")
@click.option("-P", "--print-style", "--print_style", type=click.Choice(ft.STYLES), default="fancy",
              show_default=True, help="How trees are drawn (fork.py's styles).")
@click.option("-c", "--solve", "--compute", is_flag=True, help="Show the answers: the tree after each action.")
@click.option("--real", is_flag=True, help="Also run the actions as real processes and compare the trees.")
@click.option("--json", "as_json", is_flag=True, help="With --solve: one JSON document.")
def fork(seed: int, count: int, fork_fraction: float | None, fork_percentage: float | None,
         actions_list: str | None, reparent: str, leaf_only: bool, reverse: bool, final_only: bool,
         print_style: str, solve: bool, real: bool, as_json: bool) -> None:
    """A process tree exercise: what does the tree look like after these forks and exits?

    The options are fork.py's (OSTEP), with the same meaning and the same seeds."""
    fraction = _fraction(fork_fraction, fork_percentage)
    actions = ft.parse_actions(actions_list) if actions_list else ft.generate(seed, count, fraction)
    if real and reparent not in ft.KERNEL_MODES:
        raise UsageError(f"--real runs the actions on Linux, which never moves grandchildren: "
                         f"use --reparent {' or '.join(ft.KERNEL_MODES)}, not {reparent}")
    steps = ft.play(actions, reparent, leaf_only)
    trees = [s.tree for s in steps]
    if as_json and not solve:
        raise UsageError("--json shows the answers: use it with --solve")
    observed = _observe(steps, reparent) if real else None
    if as_json:
        doc: dict[str, Any] = {"actions": [str(a) for a in actions], "reparent": reparent, "leaf_only": leaf_only,
                               "refused": [i for i, s in enumerate(steps, 1) if s.refused],
                               "trees": [t.as_dict() for t in trees], "final": trees[-1].as_dict()}
        if observed is not None:
            doc["observed"] = observed
            doc["agree"] = observed == doc["trees"]
        click.echo(json.dumps(doc, indent=2))
        raise SystemExit(0 if observed is None or doc["agree"] else 1)
    out = Console(highlight=False)
    origin = "your actions" if actions_list else f"seed {seed}"
    where = {"init": "the root", "subreaper": "the nearest living ancestor",
             "ostep": "the root, every descendant (fork.py's default)"}[reparent]
    out.print(Text(f"process tree exercise ({origin}, orphans go to {where}"
                   f"{'; only leaves exit' if leaf_only else ''})", style="bold"))
    out.print(ft.ROOT)
    for i, step in enumerate(steps, 1):
        a, t = step.action, step.tree
        if reverse:
            out.print(Text(f"\n{i}. action? {step.describe() if solve else '?'}"))
            if not final_only:
                out.print(t.render(print_style))
        else:
            out.print(Text(f"\n{i}. {step.describe()} ({a})", style="cyan"))
            if solve and not final_only:
                out.print(t.render(print_style))
            if observed is not None:
                _compare(out, t, observed[i - 1], print_style)
    if final_only and (solve or reverse):
        out.print(Text("\nfinal tree", style="bold"))
        out.print(trees[-1].render(print_style))
    if not solve and not reverse:
        out.print(Text("\nWhat does the final tree look like? Check with --solve (and --real on the kernel).",
                       style="dim"))
    disagree = observed is not None and any(o != t.as_dict() for o, t in zip(observed, trees))
    raise SystemExit(1 if disagree else 0)


def _fraction(fraction: float | None, percentage: float | None) -> float:
    if fraction is not None and percentage is not None:
        raise UsageError("-f/--forks and --fork-percentage say the same thing: give one")
    if percentage is not None:
        if not 0.1 < percentage <= 100:
            raise UsageError(f"--fork-percentage must be above 0.1 and at most 100, not {percentage:g}")
        return percentage / 100
    if fraction is not None and fraction > 1:
        raise UsageError(f"-f is fork.py's fraction of forks (0.7 is 70%), not {fraction:g}: "
                         f"write -f {fraction / 100:g} or --fork-percentage {fraction:g}")
    return 0.7 if fraction is None else fraction


def _observe(steps: list[ft.Step], mode: str) -> list[dict[str, list[str]]]:
    from ..run.homework_real import fork_trees

    return fork_trees([s.action for s in steps], mode, refused=[s.refused for s in steps])


def _compare(out: Console, predicted: ft.Tree, observed: dict[str, list[str]], style: str) -> None:
    if observed == predicted.as_dict():
        out.print(Text("   kernel: the same tree", style="green"))
        return
    out.print(Text("   kernel: DIFFERENT", style="bold red"))
    out.print(ft.tree_from_dict(observed).render(style))
