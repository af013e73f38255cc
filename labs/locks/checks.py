"""What the locks lab proves: without a lock the last ticket is sold five times;
with multiprocessing.Lock exactly once, and the locked part runs one buyer at a time."""

import json

from proclab.checks import check, expect

BOUGHT, SOLD_OUT = 0, 10  # a buyer's exit code (see scenario.py)


def most_inside_at_once(spans):
    """The largest number of [enter, leave] spans that overlap at one instant."""
    events = sorted(
        [(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda ev: (ev[0], ev[1])
    )
    inside = most = 0
    for _, step in events:
        inside += step
        most = max(most, inside)
    return most


@check(
    "race: every buyer has read count=1 before any writes, and all five are alive children of main"
)
def race_all_read(lab):
    cp = lab.checkpoint("race-all-read")
    buyers = [cp.get(pid) for pid in cp.data["buyers"]]
    alive = [p for p in buyers if p is not None and p.state != "Z" and p.ppid == cp.data["main"]]
    return expect(
        cp.data["reads"] == [1] * len(buyers)
        and len(alive) == len(buyers) == 5
        and json.loads(cp.data["db"])["count"] == 1,
        f"reads={cp.data['reads']}, db={cp.data['db']}; buyers: " + "; ".join(map(str, alive)),
        buyers_alive=len(alive),
        reads=cp.data["reads"],
    )


@check("race: without a lock all five buyers are told they bought the one ticket (exit code 0)")
def race_oversold(lab):
    cp = lab.checkpoint("race-done")
    codes = cp.data["exitcodes"]
    sold = codes.count(BOUGHT)
    return expect(
        sold == len(codes) == 5,
        f"buyer exit codes {codes}: {sold} tickets sold, 1 existed (oversold by {sold - 1})",
        tickets_sold=sold,
        tickets_existed=1,
        exitcodes=codes,
    )


@check("race: the file says count 0, so it cannot tell that the ticket was sold five times")
def race_file_hides_it(lab):
    cp = lab.checkpoint("race-done")
    count = json.loads(cp.data["db"])["count"]
    sold = cp.data["exitcodes"].count(BOUGHT)
    return expect(
        count == 0 and sold > 1,
        f"db after the race: {cp.data['db'].strip()}; each of the {sold} buyers wrote 1-1=0",
        final_count=count,
        tickets_sold=sold,
    )


@check("race: all five buyers were inside read-check-write at the same time")
def race_overlap(lab):
    cp = lab.checkpoint("race-done")
    most = most_inside_at_once(cp.data["spans"])
    return expect(
        most == 5,
        f"at most {most} buyers between their read and their write at one instant",
        most_inside_at_once=most,
    )


@check("locked: exactly one buyer bought the ticket, the other four were told it was sold out")
def locked_one_sale(lab):
    cp = lab.checkpoint("locked-done")
    codes = cp.data["exitcodes"]
    sold, refused = codes.count(BOUGHT), codes.count(SOLD_OUT)
    count = json.loads(cp.data["db"])["count"]
    return expect(
        sold == 1 and refused == 4 and count == 0,
        f"buyer exit codes {codes} (0 bought, 10 sold out); reads inside the lock {cp.data['reads']}; "
        f"db {cp.data['db'].strip()}",
        tickets_sold=sold,
        sold_out=refused,
        final_count=count,
        exitcodes=codes,
    )


@check("locked: the buyer that read 1 is the one that bought; the rest read 0, after its write")
def locked_reads_follow_write(lab):
    cp = lab.checkpoint("locked-done")
    reads, codes = cp.data["reads"], cp.data["exitcodes"]
    winner = codes.index(BOUGHT) if BOUGHT in codes else None
    ok = winner is not None and reads[winner] == 1 and sorted(reads) == [0, 0, 0, 0, 1]
    return expect(ok, f"reads={reads}, exit codes={codes}", reads=reads, winner=winner)


@check("locked: never more than one buyer inside the lock at a time")
def locked_serial(lab):
    cp = lab.checkpoint("locked-done")
    most = most_inside_at_once(cp.data["spans"])
    return expect(
        most == 1,
        f"at most {most} buyer inside `with lock:` at one instant",
        most_inside_at_once=most,
    )


@check(
    "the price: with the lock the five 0.2 s jobs run one after another (never two at once, >= 1.0 s); "
    "without it they overlap (at least two at once)"
)
def price_is_serial(lab):
    cp = lab.checkpoint("price-done")
    d = cp.data
    most_locked = most_inside_at_once(d["locked_spans"])
    most_free = most_inside_at_once(d["free_spans"])
    floor = d["workers"] * d["work_s"]
    ratio = d["locked_s"] / d["free_s"]
    return expect(
        most_locked == 1 and d["locked_s"] >= floor and most_free >= 2,
        f"locked: {d['locked_s']:.2f} s, at most {most_locked} inside at once (floor {floor:.1f} s); "
        f"no lock: {d['free_s']:.2f} s, up to {most_free} at once; locked/free = {ratio:.1f}x",
        locked_s=round(d["locked_s"], 3),
        free_s=round(d["free_s"], 3),
        ratio=round(ratio, 2),
        most_inside_locked=most_locked,
        most_inside_free=most_free,
    )


@check("the scenario exits 0")
def exits_cleanly(lab):
    code = lab.exit_code
    return expect(code == 0, f"container exit code {code}", exit_code=code)
