"""What the queues lab proves: a None per consumer ends the consumers; without it they
wait in get() for ever; JoinableQueue's join() waits for task_done(); a bounded
queue blocks put() and the nowait calls raise instead of waiting."""

from collections import Counter

from proclab.checks import check, expect

MAIN, HANG = "main", "no-sentinel"
CONSUMERS = 2  # consumers in each part (see scenario.py)


def _expected_items(produced):
    return sorted(f"{food}{i}" for food in ("bun", "bone", "slop") for i in range(produced // 3))


# -- sentinels ------------------------------------------------------------
@check("sentinel: every item was eaten exactly once, by one of the two consumers")
def every_item_once(lab):
    cp = lab.checkpoint("sentinel-done", MAIN)
    eaten = cp.data["eaten"]
    items = sorted(item for _, item in eaten)
    by = Counter(pid for pid, _ in eaten)
    ok = items == _expected_items(cp.data["produced"]) and set(by) <= set(cp.data["consumers"])
    return expect(
        ok,
        f"{len(items)} items eaten of {cp.data['produced']} produced; per consumer {dict(by)}",
        eaten=len(items),
        produced=cp.data["produced"],
        per_consumer=dict(by),
    )


@check("sentinel: one None per consumer, and both consumers left their loop and exited 0")
def consumers_leave(lab):
    cp = lab.checkpoint("sentinel-done", MAIN)
    codes = cp.data["consumer_exitcodes"]
    left = [pid for pid in cp.data["consumers"] if cp.get(pid) is not None]
    return expect(
        codes == [0] * CONSUMERS
        and len(cp.data["consumers"]) == CONSUMERS
        and cp.data["sentinels"] == len(codes)
        and not left,
        f"sentinels sent {cp.data['sentinels']}, consumer exit codes {codes}, "
        f"consumers still in the table: {left or 'none'}",
        sentinels=cp.data["sentinels"],
        consumer_exitcodes=codes,
    )


# -- the hang -------------------------------------------------------------
@check(
    "no-sentinel: the run never ends by itself; the harness's timeout ends it (the expected outcome)"
)
def hang_times_out(lab):
    run = lab.run(HANG)
    cp = run.checkpoint("timeout")
    return expect(
        run.timed_out and run.expect_timeout and run.exit_code is None,
        f"timed out after {run.duration_s:.1f} s (timeout_s={cp.data['timeout_s']}); exit code {run.exit_code}",
        timed_out=run.timed_out,
        duration_s=round(run.duration_s, 2),
        timeout_s=cp.data["timeout_s"],
    )


@check(
    "no-sentinel: at the timeout both consumers are still there, asleep (S) in get(), children of main"
)
def consumers_blocked(lab):
    eaten = lab.checkpoint("all-eaten", HANG)
    cp = lab.checkpoint("timeout", HANG)
    rows = [cp.get(pid) for pid in eaten.data["consumers"]]
    ok = len(rows) == CONSUMERS and all(
        p is not None and p.state == "S" and p.ppid == eaten.data["main"] for p in rows
    )
    top = [cp.top_row(pid) for pid in eaten.data["consumers"]]
    ok = ok and all(t is not None and t.state == "S" for t in top)
    return expect(
        ok,
        "; ".join(cp.ps_line(pid) for pid in eaten.data["consumers"])
        + f"; top: {[t.state if t else None for t in top]}; "
        f"{len(eaten.data['eaten'])} of {eaten.data['produced']} items eaten {cp.at_s - eaten.at_s:.1f} s earlier",
        consumers_sleeping=sum(1 for p in rows if p is not None and p.state == "S"),
        seconds_waiting=round(cp.at_s - eaten.at_s, 2),
    )


@check(
    "no-sentinel: main's code has ended, yet main is still there: exit waits to join its consumers"
)
def main_waits_at_exit(lab):
    eaten = lab.checkpoint("all-eaten", HANG)
    cp = lab.checkpoint("timeout", HANG)
    main = cp.get(eaten.data["main"])
    producers_gone = all(c == 0 for c in eaten.data["producer_exitcodes"])
    return expect(
        main is not None and main.state == "S" and producers_gone,
        f"main: {cp.ps_line(eaten.data['main'])}; producers exited {eaten.data['producer_exitcodes']}",
        main_state=main.state if main else None,
        producer_exitcodes=eaten.data["producer_exitcodes"],
    )


# -- a bounded queue ------------------------------------------------------
@check(
    "Queue(3): full after 3 puts; put_nowait raises queue.Full; put(timeout=0.3) waits 0.3 s, then raises Full"
)
def bounded_put(lab):
    d = lab.checkpoint("maxsize-done", MAIN).data
    ok = (
        d["full_after_3"]
        and d["put_nowait"] == "Full"
        and d["put_timeout"] == "Full"
        and d["put_waited_s"] >= 0.299
    )
    return expect(
        ok,
        f"full()={d['full_after_3']}, put_nowait -> {d['put_nowait']}, "
        f"put(timeout=0.3) -> {d['put_timeout']} after {d['put_waited_s']:.3f} s",
        put_waited_s=round(d["put_waited_s"], 3),
    )


@check("Queue(3): a put() on the full queue blocks until a get() makes room, then completes")
def put_blocks(lab):
    cp = lab.checkpoint("put-blocked", MAIN)
    after = lab.checkpoint("maxsize-done", MAIN)
    putter = cp.get(cp.data["putter"])
    ok = (
        cp.data["putter_alive"]
        and cp.data["full"]
        and putter is not None
        and putter.state != "Z"
        and after.data["putter_exitcode"] == 0
        and after.data["got"] == [3, 2, 1, 4]
    )
    return expect(
        ok,
        f"while full: putter {cp.ps_line(cp.data['putter'])}; after one get(): putter exit code "
        f"{after.data['putter_exitcode']}, items in order {after.data['got']}",
        putter_state=putter.state if putter else None,
        got=after.data["got"],
    )


@check(
    "Queue(3): get_nowait() on an empty queue raises queue.Empty; the seed's get_nowait(3) is a TypeError"
)
def nowait_get(lab):
    d = lab.checkpoint("maxsize-done", MAIN).data
    ok = (
        d["get_nowait"] == "Empty"
        and d["seed_get_nowait_3"].startswith("TypeError")
        and d["empty_at_end"]
    )
    return expect(
        ok,
        f"get_nowait() -> {d['get_nowait']}; get_nowait(3) -> {d['seed_get_nowait_3']}",
        get_nowait=d["get_nowait"],
        seed_get_nowait_3=d["seed_get_nowait_3"].split(":")[0],
    )


# -- JoinableQueue --------------------------------------------------------
@check("JoinableQueue: the last producer's join() returns only when all 9 items are task_done()")
def join_waits(lab):
    d = lab.checkpoint("producers-joined", MAIN).data
    seen = d["seen"]
    return expect(
        max(seen) == d["produced"] and min(seen) >= d["produced"] // 3,
        f"items done when each producer's join() returned: {seen} (of {d['produced']})",
        seen_at_join=seen,
    )


@check(
    "JoinableQueue: after the producers' join, both daemonic consumers are still there, children of the shop, "
    "asleep (S) in get() on the empty queue"
)
def daemons_wait(lab):
    cp = lab.checkpoint("producers-joined", MAIN)
    rows = [cp.get(pid) for pid in cp.data["consumers"]]
    ok = (
        len(rows) == CONSUMERS
        and cp.data["daemon"] == [True] * CONSUMERS
        and all(p is not None and p.ppid == cp.data["shop"] and p.state == "S" for p in rows)
        and cp.data["done"] == cp.data["produced"]
    )
    return expect(
        ok,
        "; ".join(cp.ps_line(pid) for pid in cp.data["consumers"])
        + f"; daemon={cp.data['daemon']}; items done {cp.data['done']} of {cp.data['produced']} (queue empty)",
        daemon=cp.data["daemon"],
        consumers_asleep=sum(1 for p in rows if p is not None and p.state == "S"),
    )


@check(
    "JoinableQueue: when the shop ends, its daemonic consumers end with it: shop exit 0, consumers gone"
)
def daemons_end(lab):
    before = lab.checkpoint("producers-joined", MAIN)
    cp = lab.checkpoint("joinable-done", MAIN)
    keys = [before.process(pid).key for pid in before.data["consumers"]]
    left = [k.pid for k in keys if cp.has(k)]
    return expect(
        cp.data["shop_exitcode"] == 0 and not left and cp.data["done"] == before.data["produced"],
        f"shop exit code {cp.data['shop_exitcode']}; consumers {[k.pid for k in keys]} still present: "
        f"{left or 'none'}; items done {cp.data['done']}",
        shop_exitcode=cp.data["shop_exitcode"],
        consumers_left=len(left),
    )


@check("the main variant exits 0")
def exits_cleanly(lab):
    run = lab.run(MAIN)
    return expect(
        run.exit_code == 0 and not run.timed_out,
        f"exit code {run.exit_code}, timed out {run.timed_out}",
        exit_code=run.exit_code,
    )
