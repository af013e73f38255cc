"""What the semaphores-events lab proves, each fact with its evidence."""

from proclab.checks import check, expect

ROOMS, CUSTOMERS = 4, 13


def _rows(cp, pids):
    return "; ".join(cp.ps_line(p) for p in pids)


def _states(cp, pids):
    return {p: (cp.get(p).state if cp.get(p) else "gone") for p in pids}


@check(
    "Semaphore(4): with 13 processes started, exactly 4 are inside, asleep in the room, and the counter says 4"
)
def four_inside(lab):
    cp = lab.checkpoint("four-inside")
    main, inside = cp.data["main"], cp.data["inside_pids"]
    states = _states(cp, inside)
    children = {p.pid for p in cp.children(main)}
    ok = (
        len(inside) == ROOMS
        and cp.data["inside_counter"] == ROOMS
        and cp.data["sem_value"] == 0
        and set(inside) <= children
        and all(s == "S" for s in states.values())
    )
    return expect(
        ok,
        f"inside (from the scenario's entry records) {inside}, states {states}; shared counter "
        f"{cp.data['inside_counter']}; semaphore value {cp.data['sem_value']}; ps: {_rows(cp, inside)}",
        inside=len(inside),
        inside_counter=cp.data["inside_counter"],
        sem_value=cp.data["sem_value"],
    )


@check(
    "the other 9 are alive children of the main process, blocked (S) in acquire(), and none of them is inside"
)
def nine_blocked(lab):
    cp = lab.checkpoint("four-inside")
    main, inside, waiting = cp.data["main"], cp.data["inside_pids"], cp.data["waiting_pids"]
    children = {p.pid for p in cp.children(main)}
    states = _states(cp, waiting)
    ok = (
        len(waiting) == CUSTOMERS - ROOMS
        and not set(waiting) & set(inside)
        and set(waiting) <= children
        and len(children) == CUSTOMERS
        and all(s == "S" for s in states.values())
    )
    return expect(
        ok,
        f"{len(children)} children of main {main}; waiting {waiting} states {states}; "
        f"kernel wait channel {sorted(set(cp.data['wchan'].values()))}; ps: {_rows(cp, waiting)}",
        waiting=len(waiting),
        children=len(children),
    )


@check("when one leaves, exactly one waiting process gets in: still 4 inside, 8 waiting")
def one_leaves_one_enters(lab):
    before, after = lab.checkpoint("four-inside"), lab.checkpoint("one-left")
    leaver, newcomer = after.data["leaver"], after.data["newcomer"]
    inside, waiting = after.data["inside_pids"], after.data["waiting_pids"]
    leaver_row = after.get(leaver)
    ok = (
        leaver in before.data["inside_pids"]
        and newcomer in before.data["waiting_pids"]
        and len(inside) == ROOMS
        and after.data["inside_counter"] == ROOMS
        and len(waiting) == CUSTOMERS - ROOMS - 1
        and leaver not in inside
        and newcomer in inside
        and (leaver_row is None or leaver_row.state == "Z")
        and all(s == "S" for s in _states(after, inside + waiting).values())
    )
    return expect(
        ok,
        f"leaver {leaver} (now {leaver_row.state if leaver_row else 'gone'}: exited, not yet joined), "
        f"newcomer {newcomer} was waiting, now inside; inside {inside}; counter "
        f"{after.data['inside_counter']}; {len(waiting)} still waiting",
        inside=len(inside),
        waiting=len(waiting),
    )


@check("over the whole run the shared counter never exceeded 4, all 13 got in, and all exited 0")
def never_more_than_four(lab):
    cp = lab.checkpoint("all-done")
    d = cp.data
    ok = (
        d["max_inside"] == ROOMS
        and d["entries"] == CUSTOMERS
        and d["inside_counter"] == 0
        and d["exitcodes"] == [0] * CUSTOMERS
        and not cp.children(d["main"])
    )
    return expect(
        ok,
        f"most ever inside at once {d['max_inside']} (counter updated under its lock on every entry "
        f"and exit); entries {d['entries']}; exit codes {d['exitcodes']}",
        max_inside=d["max_inside"],
        entries=d["entries"],
    )


@check("Event clear (red): the 3 cars wait, asleep (S), and none has crossed")
def red_light_holds(lab):
    cp = lab.checkpoint("red")
    cars = cp.data["car_pids"]
    states = _states(cp, cars)
    ok = (
        not cp.data["is_set"]
        and cp.data["crossed"] == 0
        and len(cars) == 3
        and all(s == "S" for s in states.values())
    )
    return expect(
        ok,
        f"is_set()={cp.data['is_set']}; cars {states}; crossed {cp.data['crossed']}; "
        f"ps: {_rows(cp, cars)}",
        cars_waiting=sum(s == "S" for s in states.values()),
        crossed=cp.data["crossed"],
    )


@check("set() (green): every waiting car crosses and exits 0")
def green_releases_all(lab):
    red, cp = lab.checkpoint("red"), lab.checkpoint("green")
    cars = cp.data["car_pids"]
    gone = [p for p in cars if red.get(p) and not cp.has(red.get(p).key)]
    ok = (
        cp.data["is_set"]
        and cp.data["crossed"] == 3
        and sorted(cp.data["crossed_pids"]) == sorted(cars)
        and cp.data["exitcodes"] == [0, 0, 0]
        and len(gone) == 3
    )
    return expect(
        ok,
        f"is_set()={cp.data['is_set']}; crossed {cp.data['crossed_pids']}; exit codes "
        f"{cp.data['exitcodes']}; gone from the table after join: {gone}",
        crossed=cp.data["crossed"],
    )


@check(
    "clear() makes it red again: 2 new cars wait (S), the count stays 3, and wait(0.1) returns False"
)
def clear_blocks_again(lab):
    cp = lab.checkpoint("red-again")
    cars = cp.data["car_pids"]
    states = _states(cp, cars)
    waited = cp.data["police_waited_s"]
    ok = (
        not cp.data["is_set"]
        and cp.data["crossed"] == 3
        and len(cars) == 2
        and all(s == "S" for s in states.values())
        and cp.data["police_wait_returned"] is False
        and waited >= 0.09
    )  # 0.1 s, less 10% for rounding
    return expect(
        ok,
        f"is_set()={cp.data['is_set']}; new cars {states}; crossed {cp.data['crossed']}; the police "
        f"car's wait(0.1) returned {cp.data['police_wait_returned']} after {waited}s",
        crossed=cp.data["crossed"],
        police_waited_s=waited,
    )


@check("set() again: the 2 cars cross, 5 crossed in all")
def green_again(lab):
    cp = lab.checkpoint("green-again")
    ok = (
        cp.data["crossed"] == 5
        and len(cp.data["car_pids"]) == 2
        and sorted(cp.data["crossed_pids"]) == sorted(cp.data["car_pids"])
        and cp.data["exitcodes"] == [0, 0]
    )
    return expect(
        ok,
        f"crossed {cp.data['crossed_pids']}; {cp.data['crossed']} in all; exit codes "
        f"{cp.data['exitcodes']}",
        crossed=cp.data["crossed"],
    )


@check("the scenario exits 0")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")
