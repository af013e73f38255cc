"""The start-methods lab's own mutations: a median of many start times moves only when most
of them do, so the one-fact change here is the whole measurement of one method."""

from proclab.checks import set_data


def mutations(result):
    fork = result.checkpoint("fork-child").data["start_ms"]
    return [set_data(result, "spawn-child", "start_ms", list(fork))]  # spawn starts as fast as fork
