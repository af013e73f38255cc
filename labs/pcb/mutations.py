"""The pcb lab's own mutations (``proclab mutate pcb``), for checks that compare counts with
generous ratios: a one-unit change of a count cannot fail them, and should not. These are
the worlds they must reject: roles that switched the other way, and a parent whose PCB
forgot its children's CPU time."""

import copy

from proclab.checks import set_data


def _delta_with(result, role, **counts):
    delta = copy.deepcopy(result.checkpoint("after").data["delta"])
    delta[role].update(counts)
    return delta


def mutations(result):
    d = result.checkpoint("after").data["delta"]
    io, cpu = d["io"], d["cpu-1"]
    return [
        # the I/O-bound process preempted as often as it waited
        set_data(result, "after", "delta", _delta_with(result, "io", involuntary=io["voluntary"])),
        # a spinner that gave the CPU up by itself as often as it lost it
        set_data(
            result, "after", "delta", _delta_with(result, "cpu-1", voluntary=cpu["involuntary"])
        ),
        set_data(result, "reaped", "cutime", 0),
    ]
