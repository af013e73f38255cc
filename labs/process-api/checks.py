"""What process-api proves."""

from proclab.checks import check, expect


@check("target, args, kwargs and name reach the child, which runs in a new process")
def args_reach_child(lab):
    cp = lab.checkpoint("target-args")
    parent = lab.checkpoint("before-run-call").data["parent"]
    child = cp.process(cp.data["pid"])
    return expect(
        cp.data["x"] == "姑娘"
        and cp.data["y"] == "来玩啊!"
        and cp.data["who"] == "kwargs"
        and cp.data["name"] == "greeter"
        and child.ppid == parent
        and cp.data["pid"] != parent,
        f"child {child} (name {cp.data['name']!r}) got x={cp.data['x']!r} y={cp.data['y']!r} "
        f"who={cp.data['who']!r}; parent pid {parent}",
    )


@check("start() calls the subclass's run() in a new child process")
def subclass_start(lab):
    runs = [cp for cp in lab.run().checkpoints if cp.name == "subclass-run"]
    parent = lab.checkpoint("before-run-call").data["parent"]
    first = runs[0]
    return expect(
        first.data["pid"] != parent
        and first.data["ppid"] == parent
        and first.data["name"] == "chat-Jedan",
        f"run() ran in pid {first.data['pid']} (ppid {first.data['ppid']}), name {first.data['name']!r}",
    )


@check("calling run() directly runs it in the parent: no new process")
def run_is_just_a_method(lab):
    runs = [cp for cp in lab.run().checkpoints if cp.name == "subclass-run"]
    parent = lab.checkpoint("before-run-call").data["parent"]
    direct = runs[1]
    return expect(
        len(runs) == 2 and direct.data["pid"] == parent and not direct.children(parent),
        f"run() called directly ran in pid {direct.data['pid']} = the parent {parent}; "
        f"the parent's children then: {[p.pid for p in direct.children(parent)]}",
    )


@check("join() after the start loop: all children are alive at once")
def all_alive_at_once(lab):
    cp = lab.checkpoint("all-started")
    alive = [cp.get(pid) for pid in cp.data["children"]]
    return expect(
        all(p is not None and p.state != "Z" for p in alive),
        f"{len(alive)} children alive together: {[str(p) for p in alive]}",
    )


@check("join() inside the loop is serial, after the loop concurrent: N x work vs about 1 x work")
def serial_vs_concurrent(lab):
    d = lab.checkpoint("timed").data
    serial, concurrent, n, work = d["serial_s"], d["concurrent_s"], d["n"], d["work_s"]
    return expect(
        serial >= n * work and concurrent < serial / 2,
        f"{n} children x {work} s: serial {serial} s (>= {n * work}), concurrent {concurrent} s "
        f"(ratio {serial / concurrent:.1f}x)",
        serial_s=serial,
        concurrent_s=concurrent,
        ratio=round(serial / concurrent, 2),
    )


@check("8 processes appending to one file with O_APPEND: every line arrives whole")
def appends_are_whole(lab):
    d = lab.checkpoint("appended").data
    return expect(
        d["lines"] == d["expected_lines"] == d["whole_lines"],
        f"{d['writers']} writers: {d['lines']} lines, {d['whole_lines']} whole, "
        f"{d['expected_lines']} expected",
        **d,
    )
