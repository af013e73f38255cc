"""The course's order: the built-in labs in the sections the README's table teaches them in.

``proclab list`` prints them in this order; a lab folder not named here (a new one) comes
last, under "Other", so adding a lab never hides it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .spec import LabSpec


@dataclass(frozen=True)
class Section:
    title: str
    title_zh: str
    labs: tuple[str, ...]

    def title_in(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title


COURSE: tuple[Section, ...] = (
    Section(
        "Process lifecycle",
        "进程的生命周期",
        (
            "what-is-a-process",
            "fork-basics",
            "process-api",
            "pcb",
            "orphans",
            "zombies",
            "reaping",
            "process-exit",
            "zombie-pileup",
            "pid1",
            "signals",
            "terminals",
            "daemons",
            "states",
            "traps",
        ),
    ),
    Section("Scheduling and CPUs", "调度与 CPU", ("priority", "parallelism", "scheduling")),
    Section(
        "The multiprocessing toolkit",
        "multiprocessing 工具箱",
        (
            "sync-async",
            "deadlines",
            "locks",
            "queues",
            "pipes",
            "pipe-readers",
            "manager",
            "semaphores-events",
            "pools",
            "callbacks",
            "futures",
            "socket-server",
            "start-methods",
        ),
    ),
    Section("Containment", "资源限制", ("forkbomb",)),
    Section("What bites in production", "生产环境里的坑", ("outlive-parent", "exec-zombies")),
)
OTHER = Section("Other", "其他", ())


def in_course_order(specs: list[LabSpec]) -> list[tuple[Section, list[LabSpec]]]:
    """The labs grouped by section, in the course's order; unknown labs last, under Other."""
    by_name = {s.name: s for s in specs}
    out = [(sec, [by_name.pop(n) for n in sec.labs if n in by_name]) for sec in COURSE]
    rest = sorted(by_name.values(), key=lambda s: s.name)
    if rest:
        out.append((OTHER, rest))
    return [(sec, labs) for sec, labs in out if labs]
