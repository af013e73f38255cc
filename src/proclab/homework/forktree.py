"""Process trees from fork and exit actions, in OSTEP's notation (``a+b``: a forks b; ``b-``: b exits).

The model is Linux's, not OSTEP fork.py's default: when a process exits, only its *direct*
children move (its grandchildren stay with their parents), to the nearest child subreaper
above it or else to init. Two modes:

- ``init``: orphans go to the root ``a``, which stands for pid 1 (on a real kernel the root is
  made a child subreaper so its adoptees are visible where the simulation puts them);
- ``subreaper``: every process is a child subreaper, so an orphan goes to its nearest living
  ancestor: the exiting process's parent (like OSTEP's ``-R``).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from ..errors import UsageError

ROOT = "a"
MODES = ("init", "subreaper")
ACTION_RE = re.compile(r"^([a-z][a-z0-9]*)(\+([a-z][a-z0-9]*)|-)$")


@dataclass(frozen=True)
class Action:
    actor: str
    child: str | None = None          # a fork's new process; None for an exit

    @property
    def is_fork(self) -> bool:
        return self.child is not None

    def __str__(self) -> str:
        return f"{self.actor}+{self.child}" if self.child else f"{self.actor}-"

    def describe(self) -> str:
        return f"{self.actor} forks {self.child}" if self.child else f"{self.actor} exits"


@dataclass
class Tree:
    """Who is the parent of whom; children in the order they were born or adopted."""

    parent: dict[str, str | None] = field(default_factory=lambda: {ROOT: None})
    kids: dict[str, list[str]] = field(default_factory=lambda: {ROOT: []})

    def alive(self) -> list[str]:
        return list(self.parent)

    def leaves(self) -> list[str]:
        return [p for p in self.parent if not self.kids[p]]

    def apply(self, action: Action, mode: str) -> None:
        if action.actor not in self.parent:
            raise UsageError(f"action {action}: there is no living process '{action.actor}'")
        if action.is_fork:
            assert action.child is not None
            if action.child in self.parent or action.child == ROOT:
                raise UsageError(f"action {action}: a process '{action.child}' exists already")
            self.parent[action.child] = action.actor
            self.kids[action.actor].append(action.child)
            self.kids[action.child] = []
            return
        if action.actor == ROOT:
            raise UsageError(f"action {action}: the root '{ROOT}' does not exit (it stands for pid 1)")
        self._exit(action.actor, mode)

    def _exit(self, name: str, mode: str) -> None:
        up = self.parent.pop(name)
        assert up is not None
        adopter = ROOT if mode == "init" else up
        self.kids[up].remove(name)
        for child in self.kids.pop(name):     # only the direct children move: Linux's rule
            self.parent[child] = adopter
            self.kids[adopter].append(child)

    def as_dict(self) -> dict[str, list[str]]:
        """{name: [children]} for every living process, children sorted (order is not a fact of the kernel)."""
        return {name: sorted(self.kids[name]) for name in sorted(self.parent)}

    def render(self) -> str:
        """The tree as text, like OSTEP's fork.py prints it."""
        lines = [ROOT]

        def walk(name: str, prefix: str) -> None:
            kids = sorted(self.kids[name])
            for i, k in enumerate(kids):
                last = i == len(kids) - 1
                lines.append(f"{prefix}{'└── ' if last else '├── '}{k}")
                walk(k, prefix + ("    " if last else "│   "))

        walk(ROOT, "")
        return "\n".join(lines)


def tree_from_dict(d: dict[str, list[str]]) -> Tree:
    """A Tree from {name: [children]} (as observed on a kernel), to render it the same way."""
    t = Tree(parent={}, kids={})
    for name, kids in d.items():
        t.kids.setdefault(name, [])
        t.parent.setdefault(name, None)
        for k in kids:
            t.kids[name].append(k)
            t.parent[k] = name
            t.kids.setdefault(k, [])
    return t


def parse_actions(text: str) -> list[Action]:
    """``a+b,b+c,b-`` (commas or spaces between actions)."""
    out = []
    for word in re.split(r"[,\s]+", text.strip()):
        if not word:
            continue
        m = ACTION_RE.match(word)
        if not m:
            raise UsageError(f"'{word}' is not an action; write 'a+b' (a forks b) or 'b-' (b exits), "
                             "e.g. --actions-list 'a+b,b+c,b-'")
        out.append(Action(m.group(1), m.group(3)))
    if not out:
        raise UsageError("--actions-list is empty; give actions like 'a+b,b+c,b-'")
    return out


def names() -> list[str]:
    """b, c, ... z, then ba, bb, ...: every name but the root's."""
    letters = "bcdefghijklmnopqrstuvwxyz"
    out = list(letters)
    out += [x + y for x in letters for y in letters]
    return out


def generate(seed: int, count: int, fork_percent: float, leaf_only: bool = False) -> list[Action]:
    """``count`` random actions: a fork with probability fork_percent %, else an exit of a random
    non-root process (a leaf with ``leaf_only``); a fork whenever nothing may exit."""
    if not 0 <= fork_percent <= 100:
        raise UsageError(f"--fork-percentage must be between 0 and 100, not {fork_percent}")
    if not 1 <= count <= 200:
        raise UsageError(f"--actions must be between 1 and 200, not {count}")
    rng = random.Random(seed)
    tree, fresh, out = Tree(), iter(names()), []
    for _ in range(count):
        may_exit = [p for p in (tree.leaves() if leaf_only else tree.alive()) if p != ROOT]
        if may_exit and rng.random() * 100 >= fork_percent:
            action = Action(rng.choice(sorted(may_exit)))
        else:
            action = Action(rng.choice(sorted(tree.alive())), next(fresh))
        tree.apply(action, "init")          # the mode does not change who is alive
        out.append(action)
    return out


def solve(actions: list[Action], mode: str = "init") -> list[Tree]:
    """The tree after each action."""
    if mode not in MODES:
        raise UsageError(f"--reparent must be one of {', '.join(MODES)}, not '{mode}'")
    tree, out = Tree(), []
    for a in actions:
        tree.apply(a, mode)
        out.append(Tree(dict(tree.parent), {k: list(v) for k, v in tree.kids.items()}))
    return out
