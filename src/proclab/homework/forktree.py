"""Process trees from fork and exit actions, in OSTEP's notation (``a+b``: a forks b; ``b-``: b exits).

The default model is Linux's, not OSTEP fork.py's default: when a process exits, only its *direct*
children move (its grandchildren stay with their parents), to the nearest child subreaper
above it or else to init. Three modes:

- ``init``: orphans go to the root ``a``, which stands for pid 1 (on a real kernel the root is
  made a child subreaper so its adoptees are visible where the simulation puts them);
- ``subreaper``: every process is a child subreaper, so an orphan goes to its nearest living
  ancestor: the exiting process's parent (OSTEP's ``-R``);
- ``ostep``: fork.py's default, which no kernel does: *every* descendant of the exiting process
  goes to the root, and the subtree is flattened.

With ``leaf_only`` (OSTEP's ``-L``) the exit of a process that has children is refused and the
tree stays as it was ("c EXITS (failed: has children)"), in generated and given lists alike.
Generated exercises follow fork.py's generator draw for draw, so a seed makes the same exercise
in both, and names go on as fork.py's do: b..z, A..Z, then aa, ab, ...
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import UsageError

ROOT = "a"
MODES = ("init", "subreaper", "ostep")
KERNEL_MODES = ("init", "subreaper")  # what a real kernel can do (``--real``)
ACTION_RE = re.compile(
    r"^(\w+)(\+(\w+)|-)$", re.ASCII
)  # fork.py takes any name; letters, digits, _ here
BASE_NAMES = string.ascii_lowercase + string.ascii_uppercase
STYLES = ("fancy", "basic", "line1", "line2")


@dataclass(frozen=True)
class Action:
    actor: str
    child: str | None = None  # a fork's new process; None for an exit

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

    def apply(self, action: Action, mode: str, leaf_only: bool = False) -> bool:
        """Carry out the action; False when it is refused (an exit with children under ``leaf_only``)."""
        if action.actor not in self.parent:
            raise UsageError(f"action {action}: there is no living process '{action.actor}'")
        if action.is_fork:
            assert action.child is not None
            if action.child in self.parent or action.child == ROOT:
                raise UsageError(f"action {action}: a process '{action.child}' exists already")
            self.parent[action.child] = action.actor
            self.kids[action.actor].append(action.child)
            self.kids[action.child] = []
            return True
        if action.actor == ROOT:
            raise UsageError(
                f"action {action}: the root '{ROOT}' does not exit (it stands for pid 1)"
            )
        if leaf_only and self.kids[action.actor]:
            return False
        self._exit(action.actor, mode)
        return True

    def descendants(self, name: str) -> list[str]:
        out = []
        for k in self.kids[name]:
            out += [k, *self.descendants(k)]
        return out

    def _exit(self, name: str, mode: str) -> None:
        up = self.parent.pop(name)
        assert up is not None
        self.kids[up].remove(name)
        if mode == "ostep":  # fork.py's default: the whole subtree, flattened, to the root
            for d in self.descendants(name):
                self.parent[d] = ROOT
                self.kids[d] = []
                self.kids[ROOT].append(d)
            del self.kids[name]
            return
        adopter = ROOT if mode == "init" else up
        for child in self.kids.pop(name):  # only the direct children move: Linux's rule
            self.parent[child] = adopter
            self.kids[adopter].append(child)

    def as_dict(self) -> dict[str, list[str]]:
        """{name: [children]} for every living process, children sorted (order is not a fact of the kernel)."""
        return {name: sorted(self.kids[name]) for name in sorted(self.parent)}

    def render(self, style: str = "fancy") -> str:
        """The tree as text, like OSTEP's fork.py prints it in its print style ``-P``."""
        if style not in STYLES:
            raise UsageError(f"--print-style is one of {', '.join(STYLES)}, not '{style}'")
        lines = [ROOT]
        # (vertical, branch, last branch) as fork.py's styles draw them
        bar, mid, end = {
            "fancy": ("│", "├──", "└──"),
            "line1": ("|", "+--", "|--"),
            "line2": ("|", "|__", "|__"),
            "basic": (" ", "   ", "   "),
        }[style]

        def walk(name: str, prefix: str) -> None:
            kids = sorted(self.kids[name])
            for i, k in enumerate(kids):
                last = i == len(kids) - 1
                lines.append(f"{prefix}{end if last else mid} {k}")
                walk(k, prefix + ("    " if last or style == "basic" else f"{bar}   "))

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
            raise UsageError(
                f"'{word}' is not an action; write 'a+b' (a forks b) or 'b-' (b exits), "
                "e.g. --actions-list 'a+b,b+c,b-'"
            )
        out.append(Action(m.group(1), m.group(3)))
    if not out:
        raise UsageError("--actions-list is empty; give actions like 'a+b,b+c,b-'")
    return out


def names() -> Iterator[str]:
    """fork.py's names for new processes: b..z, A..Z, then aa..aZ, ba.., ZZ, then aaa, ..."""
    current = list(BASE_NAMES)
    yield from current[1:]  # 'a' is the root
    while True:
        current = [x + y for x in current for y in BASE_NAMES]
        yield from current


def generate(seed: int, count: int, fork_fraction: float) -> list[Action]:
    """``count`` random actions, drawn as fork.py draws them (Python's Mersenne Twister, seeded
    with ``seed``): a fork with chance ``fork_fraction``, its parent any process not yet chosen to
    exit; else the exit of such a process, drawn again when it is the root. An exit drawn this way
    may be of a process with children: under ``-L`` it is refused when played."""
    if not 0.001 < fork_fraction <= 1:
        raise UsageError(
            f"the fork fraction must be above 0.001 and at most 1 (0.7 is 70%), not {fork_fraction:g}"
        )
    if not 1 <= count <= 1000:
        raise UsageError(f"--actions must be between 1 and 1000, not {count}")
    rng = random.Random(seed)

    def choice(items: list[str]) -> str:  # fork.py's own random_choice: int(random() * n)
        return items[int(rng.random() * len(items))]

    chosen, fresh, out = [ROOT], names(), list[Action]()
    while len(out) < count:
        if rng.random() < fork_fraction:
            child = next(fresh)
            out.append(Action(choice(chosen), child))
            chosen.append(child)
        else:
            victim = choice(chosen)
            if victim == ROOT:
                continue
            chosen.remove(victim)
            out.append(Action(victim))
    return out


@dataclass(frozen=True)
class Step:
    action: Action
    tree: Tree
    refused: bool  # an exit refused under leaf_only: the process has children

    def describe(self) -> str:
        return (
            f"{self.action.describe()} (refused: it has children)"
            if self.refused
            else self.action.describe()
        )


def play(actions: list[Action], mode: str = "init", leaf_only: bool = False) -> list[Step]:
    """Each action, the tree after it, and whether it was refused."""
    if mode not in MODES:
        raise UsageError(f"--reparent must be one of {', '.join(MODES)}, not '{mode}'")
    tree, out = Tree(), []
    for a in actions:
        done = tree.apply(a, mode, leaf_only)
        out.append(
            Step(a, Tree(dict(tree.parent), {k: list(v) for k, v in tree.kids.items()}), not done)
        )
    return out


def solve(actions: list[Action], mode: str = "init", leaf_only: bool = False) -> list[Tree]:
    """The tree after each action."""
    return [step.tree for step in play(actions, mode, leaf_only)]
