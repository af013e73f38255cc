"""What the pipes lab proves: a Pipe carries objects both ways; recv() raises EOFError
only once every copy of the sending end is closed, in every process; a forgotten copy
in the reader itself hangs it; Pipe(duplex=False) is a one-way OS pipe."""

from proclab.checks import check, expect

MAIN, HANG = "main", "one-end-open"


@check(
    "hello: the child's message arrives in the parent, and the parent's reply arrives in the child"
)
def hello_both_ways(lab):
    d = lab.checkpoint("hello", MAIN).data
    return expect(
        d["got"] == ["Hello", "got 'hi back'"] and d["exitcode"] == 0,
        f"parent received {d['got']}; child exit code {d['exitcode']}",
        received=d["got"],
    )


@check("a duplex Pipe() is a pair of connected sockets; Pipe(duplex=False) is an OS pipe")
def what_the_kernel_sees(lab):
    hello = lab.checkpoint("hello", MAIN).data
    one_way = lab.checkpoint("one-way", MAIN).data
    duplex_kinds = {e.split(":")[0] for e in hello["ends"]}
    one_way_kind = one_way["ends"][0].split(":")[0]
    return expect(
        duplex_kinds == {"socket"}
        and one_way_kind == "pipe"
        and hello["ends"][0] != hello["ends"][1],
        f"Pipe() ends: {hello['ends']}; Pipe(duplex=False) receiving end: {one_way['ends'][0]}",
        duplex=sorted(duplex_kinds),
        one_way=one_way_kind,
    )


@check(
    "eof: with its unused sending end closed, the reader gets all 10 items, then EOFError, and exits 0"
)
def eof_when_all_closed(lab):
    got = lab.checkpoint("got-all", MAIN).data
    d = lab.checkpoint("eof", MAIN).data
    return expect(
        got["closed_send_end"] and d["received"] == 10 and d["saw_eof"] and d["exitcode"] == 0,
        f"reader received {d['received']} items, EOFError={d['saw_eof']}, exit code {d['exitcode']}",
        received=d["received"],
        saw_eof=d["saw_eof"],
        exitcode=d["exitcode"],
    )


@check(
    "eof: after its close() the reader holds only the receiving end; the parent holds neither end"
)
def who_holds_what_main(lab):
    got = lab.checkpoint("got-all", MAIN).data
    closed = lab.checkpoint("main-closed", MAIN).data
    send, recv = closed["send_end"], closed["recv_end"]
    ok = (
        send not in got["child_sockets"]
        and recv in got["child_sockets"]
        and send not in closed["main_sockets"]
        and recv not in closed["main_sockets"]
    )
    return expect(
        ok,
        f"sending end {send}, receiving end {recv}; reader holds {got['child_sockets']}; "
        f"parent holds {closed['main_sockets'] or 'no socket'}",
        reader_sockets=len(got["child_sockets"]),
        parent_sockets=len(closed["main_sockets"]),
    )


@check(
    "one-end-open: the run never ends by itself; the harness's timeout ends it (the expected outcome)"
)
def hang_times_out(lab):
    run = lab.run(HANG)
    cp = run.checkpoint("timeout")
    return expect(
        run.timed_out and run.expect_timeout and run.exit_code is None and not run.has("eof"),
        f"timed out after {run.duration_s:.1f} s (timeout_s={cp.data['timeout_s']}); "
        f"checkpoints reached: {[c.name for c in run.checkpoints]}",
        timed_out=run.timed_out,
        duration_s=round(run.duration_s, 2),
        timeout_s=cp.data["timeout_s"],
    )


@check(
    "one-end-open: the reader got all 10 items, and it still holds the sending end itself; the parent holds none"
)
def who_holds_what_hang(lab):
    got = lab.checkpoint("got-all", HANG).data
    closed = lab.checkpoint("main-closed", HANG).data
    send = closed["send_end"]
    ok = (
        got["received"] == 10
        and not got["closed_send_end"]
        and send in got["child_sockets"]
        and send not in closed["main_sockets"]
    )
    return expect(
        ok,
        f"reader received {got['received']} and holds {got['child_sockets']} (sending end {send}); "
        f"parent holds {closed['main_sockets'] or 'no socket'}",
        received=got["received"],
        reader_sockets_hang=len(got["child_sockets"]),
    )


@check(
    "one-end-open: at the timeout the reader still waits in recv() (S) and the parent waits in join() (S)"
)
def reader_blocked(lab):
    got = lab.checkpoint("got-all", HANG)
    cp = lab.checkpoint("timeout", HANG)
    reader, parent = cp.get(got.data["child"]), cp.get(got.data["main"])
    top = cp.top_row(got.data["child"])
    ok = (
        reader is not None
        and reader.state == "S"
        and reader.ppid == got.data["main"]
        and parent is not None
        and parent.state == "S"
        and top is not None
        and top.state == "S"
    )
    return expect(
        ok,
        f"{cp.at_s - got.at_s:.1f} s after the last item: reader {cp.ps_line(got.data['child'])}; "
        f"parent {cp.ps_line(got.data['main'])}; top says {top.state if top else None}",
        reader_state=reader.state if reader else None,
        seconds_waiting=round(cp.at_s - got.at_s, 2),
    )


@check(
    "one-way: the receiving end cannot send, the sending end cannot receive, a closed end raises OSError"
)
def one_way_rules(lab):
    d = lab.checkpoint("one-way", MAIN).data
    ok = (
        d["got"] == "one way"
        and d["exitcode"] == 0
        and d["send_on_read_end"].startswith("OSError")
        and d["recv_on_send_end"].startswith("OSError")
        and d["recv_after_eof"].startswith("EOFError")
        and d["recv_on_closed_end"].startswith("OSError")
    )
    return expect(
        ok,
        f"got {d['got']!r}; r.send -> {d['send_on_read_end']}; w.recv -> {d['recv_on_send_end']}; "
        f"r.recv after the writer closed -> {d['recv_after_eof'].rstrip(': ')}; "
        f"recv on a closed end -> {d['recv_on_closed_end']}",
        send_on_read_end=d["send_on_read_end"],
        recv_on_send_end=d["recv_on_send_end"],
        recv_on_closed_end=d["recv_on_closed_end"],
    )


@check("the main variant exits 0")
def exits_cleanly(lab):
    run = lab.run(MAIN)
    return expect(
        run.exit_code == 0 and not run.timed_out,
        f"exit code {run.exit_code}, timed out {run.timed_out}",
        exit_code=run.exit_code,
    )
