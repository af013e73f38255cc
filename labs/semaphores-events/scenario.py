"""semaphores-events: Semaphore(4) lets at most 4 of 13 processes in; an Event
holds processes at a red light until set(), and clear() turns it red again.

Part 1 is the seed's KTV (13 customers, 4 rooms), part 2 its traffic light.
Both are made deterministic: nobody sleeps to wait for anybody. A customer
stays in its room until the main process hands it a "leave" ticket, and a car
reports when it reaches the light, so every checkpoint is taken at a moment
the scenario has made certain.
"""

import multiprocessing
import os
import time

from labkit import checkpoint, say

ROOMS = 4  # Semaphore(4): the seed's four KTV rooms
CUSTOMERS = 13  # the seed starts 13 processes
WAIT_LIMIT_S = 10  # give up (and fail loudly) if a process never blocks


def state_of(pid: int) -> str:
    """The one-letter state the kernel reports for pid (R, S, ...)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def wchan_of(pid: int) -> str:
    """The kernel function a sleeping process waits in (futex_wait_queue for a lock)."""
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return f.read().strip() or "0"
    except OSError:
        return "?"


def wait_until_sleeping(pids: list[int]) -> None:
    """Return once every pid is asleep (S) in the kernel.

    The scenario already knows each of them has reached its blocking call
    (it reported so just before); this only waits for the last few
    instructions between the report and the system call, so that the
    snapshot shows them blocked. It looks at the kernel's own answer, with a
    deadline, rather than sleeping for a guessed time.
    """
    deadline = time.monotonic() + WAIT_LIMIT_S
    while True:
        awake = [p for p in pids if state_of(p) != "S"]
        if not awake:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {awake} never blocked")
        time.sleep(0.001)


# -- part 1: Semaphore --------------------------------------------------------


def customer(sem, tickets, inside, most, entries, events, n: int) -> None:
    me = os.getpid()
    events.put(("arrived", me, n))
    sem.acquire()  # blocks while 4 others hold the semaphore
    with inside.get_lock():  # the shared counter: how many are inside now
        inside.value += 1
        entries.value += 1
        most.value = max(most.value, inside.value)
        now = inside.value
    events.put(("entered", me, now))
    tickets.acquire()  # stay in the room until main hands out a ticket
    with inside.get_lock():
        inside.value -= 1
    events.put(("left", me, n))
    sem.release()  # the room is free: one waiting customer gets in


def part_semaphore(ctx) -> None:
    sem = ctx.Semaphore(ROOMS)
    tickets = ctx.Semaphore(0)  # main releases it once per customer allowed to leave
    inside = ctx.Value("i", 0)  # customers inside right now (updated under its lock)
    most = ctx.Value("i", 0)  # the most ever inside at once
    entries = ctx.Value("i", 0)
    events = ctx.Queue()
    procs = [
        ctx.Process(target=customer, args=(sem, tickets, inside, most, entries, events, n))
        for n in range(CUSTOMERS)
    ]
    for p in procs:
        p.start()

    arrived, in_room, left = [], [], []

    def handle(kind: str, pid: int) -> None:
        if kind == "arrived":
            arrived.append(pid)
        elif kind == "entered":
            in_room.append(pid)
        else:
            in_room.remove(pid)
            left.append(pid)

    # Wait until all 13 have arrived and 4 are inside.
    while len(arrived) < CUSTOMERS or len(in_room) < ROOMS:
        kind, pid, _ = events.get()
        handle(kind, pid)
    waiting = [p for p in arrived if p not in in_room]
    wait_until_sleeping(in_room + waiting)
    say(f"{len(in_room)} inside {sorted(in_room)}, {len(waiting)} waiting at the door")
    checkpoint(
        "four-inside",
        main=os.getpid(),
        inside_pids=sorted(in_room),
        waiting_pids=sorted(waiting),
        inside_counter=inside.value,
        sem_value=sem.get_value(),
        wchan={str(p): wchan_of(p) for p in in_room + waiting},
    )

    # One customer leaves: exactly one of the waiting ones gets its room.
    tickets.release()
    while len(left) < 1 or len(in_room) < ROOMS:
        kind, pid, _ = events.get()
        handle(kind, pid)
    leaver = left[0]
    newcomer = next(p for p in in_room if p in waiting)
    waiting.remove(newcomer)
    wait_until_sleeping(in_room + waiting)
    say(f"{leaver} left, {newcomer} took its room; still {len(in_room)} inside")
    checkpoint(
        "one-left",
        main=os.getpid(),
        leaver=leaver,
        newcomer=newcomer,
        inside_pids=sorted(in_room),
        waiting_pids=sorted(waiting),
        inside_counter=inside.value,
        sem_value=sem.get_value(),
    )

    # Everybody else may leave now; each leaver lets the next one in.
    for _ in range(CUSTOMERS - 1):
        tickets.release()
    for p in procs:
        p.join()
    say(
        f"all {entries.value} customers had their turn; at most {most.value} were ever inside at once"
    )
    checkpoint(
        "all-done",
        main=os.getpid(),
        entries=entries.value,
        max_inside=most.value,
        inside_counter=inside.value,
        exitcodes=[p.exitcode for p in procs],
    )


# -- part 2: Event ------------------------------------------------------------


def car(light, crossed, reports, n: int) -> None:
    me = os.getpid()
    reports.put(("at-light", me, light.is_set()))
    light.wait()  # red (flag False): block here until set()
    with crossed.get_lock():
        crossed.value += 1
    reports.put(("crossed", me, light.is_set()))


def police_car(light, reports) -> None:
    """The seed's police car: waits 0.1 s at most, then goes through red."""
    t = time.monotonic()
    green = light.wait(0.1)  # returns the flag: False means it timed out at red
    reports.put(("police", os.getpid(), green, round(time.monotonic() - t, 3)))


def cars_at_light(ctx, light, crossed, reports, count: int, first: int) -> list:
    cars = [
        ctx.Process(target=car, args=(light, crossed, reports, first + i)) for i in range(count)
    ]
    for c in cars:
        c.start()
    for _ in cars:
        kind, _, _ = reports.get()
        assert kind == "at-light"
    wait_until_sleeping([c.pid for c in cars])
    return cars


def collect_crossings(reports, count: int) -> list[int]:
    pids = []
    while len(pids) < count:
        kind, pid, _ = reports.get()
        if kind == "crossed":
            pids.append(pid)
    return pids


def part_event(ctx) -> None:
    light = ctx.Event()  # a new Event is clear: the light is red
    crossed = ctx.Value("i", 0)
    reports = ctx.Queue()

    first = cars_at_light(ctx, light, crossed, reports, 3, 0)
    say(f"red light: cars {[c.pid for c in first]} wait; crossed so far {crossed.value}")
    checkpoint(
        "red",
        main=os.getpid(),
        car_pids=[c.pid for c in first],
        is_set=light.is_set(),
        crossed=crossed.value,
        wchan={str(c.pid): wchan_of(c.pid) for c in first},
    )

    light.set()  # green: every waiting car goes
    went = collect_crossings(reports, 3)
    for c in first:
        c.join()
    say(f"green light: cars {went} crossed")
    checkpoint(
        "green",
        main=os.getpid(),
        car_pids=[c.pid for c in first],
        crossed_pids=went,
        is_set=light.is_set(),
        crossed=crossed.value,
        exitcodes=[c.exitcode for c in first],
    )

    light.clear()  # red again: new arrivals wait
    second = cars_at_light(ctx, light, crossed, reports, 2, 3)
    police = ctx.Process(target=police_car, args=(light, reports))
    police.start()
    _, police_pid, police_green, police_waited = reports.get()
    police.join()
    say(
        f"red again: cars {[c.pid for c in second]} wait; the police car waited {police_waited}s and went "
        f"through red (wait returned {police_green})"
    )
    checkpoint(
        "red-again",
        main=os.getpid(),
        car_pids=[c.pid for c in second],
        is_set=light.is_set(),
        crossed=crossed.value,
        police_pid=police_pid,
        police_wait_returned=police_green,
        police_waited_s=police_waited,
    )

    light.set()
    went = collect_crossings(reports, 2)
    for c in second:
        c.join()
    say(f"green again: cars {went} crossed; {crossed.value} crossed in all")
    checkpoint(
        "green-again",
        main=os.getpid(),
        car_pids=[c.pid for c in second],
        crossed_pids=went,
        crossed=crossed.value,
        exitcodes=[c.exitcode for c in second],
    )


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    say("semaphores-events lab: main process starts")
    part_semaphore(ctx)
    part_event(ctx)
