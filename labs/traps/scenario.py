"""traps: six beginner's mistakes with multiprocessing, each run broken and then fixed.

One variant per trap (the first argument names it); each announces "broken"
and then "fixed" with what it observed:
  args-tuple    args=(1) is not a tuple; args=("hello") is five arguments.
  name-order    self.name set before super().__init__() is overwritten.
  daemon-late   daemon = True after start() raises; before start() it works.
  input-child   input() in a child: its stdin is /dev/null, so EOFError.
  queue-spawn   a Queue made at module level: under spawn each child makes its own.
  callback-args a Pool callback gets one argument; cb(a, b) kills the result thread.
The start method is fork, except for queue-spawn (spawn); each names it.
"""

import multiprocessing
import os
import sys
import threading

import psutil

from labkit import checkpoint, say, wait_gone

TRAP = sys.argv[1] if len(sys.argv) > 1 else ""
fork = multiprocessing.get_context("fork")
spawn = multiprocessing.get_context("spawn")

# The trap itself: a module-level Queue. A spawned child imports this file
# again (as __mp_main__) and so makes a Queue of its own here.
q = spawn.Queue() if TRAP == "queue-spawn" else None


def pipe_of(queue) -> str:
    return os.readlink(
        f"/proc/self/fd/{queue._reader.fileno()}"
    )  # the Queue's pipe, e.g. pipe:[1234]


# ---- args-tuple
REPORT = fork.SimpleQueue() if TRAP == "args-tuple" else None  # fork: the children inherit it


def show(x) -> None:
    REPORT.put(repr(x))


def trap_args_tuple() -> None:
    try:
        fork.Process(target=show, args=(1))  # (1) is just 1: not iterable
        error = "none"
    except TypeError as err:
        error = f"TypeError: {err}"
    p = fork.Process(target=show, args=("hello"))  # ("hello") is a str: five arguments
    p.start()
    p.join()
    checkpoint(
        "broken", int_error=error, children=len(fork.active_children()), str_exitcode=p.exitcode
    )
    p = fork.Process(target=show, args=(1,))  # the trailing comma makes the tuple
    p.start()
    got = REPORT.get()
    p.join()
    checkpoint("fixed", exitcode=p.exitcode, got=got)


# ---- name-order
class NamedTooEarly(fork.Process):
    def __init__(self, who, report):
        self.name = who  # overwritten by the line below
        super().__init__()
        self.report = report

    def run(self):
        self.report.put(multiprocessing.current_process().name)


class NamedAfter(fork.Process):
    def __init__(self, who, report):
        super().__init__(name=who)  # or set self.name after this line
        self.report = report

    def run(self):
        self.report.put(multiprocessing.current_process().name)


def trap_name_order() -> None:
    for label, cls in (("broken", NamedTooEarly), ("fixed", NamedAfter)):
        report = fork.SimpleQueue()
        p = cls("worker-a", report)
        p.start()
        seen = report.get()
        p.join()
        checkpoint(
            label, wanted="worker-a", parent_name=p.name, child_name=seen, exitcode=p.exitcode
        )


# ---- daemon-late
def hold(go, report) -> None:
    report.put(multiprocessing.current_process().daemon)
    go.wait()


def daemon_parent(report, end) -> None:
    """Runs in its own process: starts a daemon child and, when told, returns without joining it."""
    mine = fork.SimpleQueue()
    p = fork.Process(target=hold, args=(fork.Event(), mine))
    p.daemon = True  # before start(): fine
    p.start()
    report.put((p.pid, mine.get()))
    end.wait()  # returning ends the daemon child with us


def trap_daemon_late() -> None:
    report = fork.SimpleQueue()
    go = fork.Event()
    p = fork.Process(target=hold, args=(go, report))
    p.start()
    try:
        p.daemon = True
        error = "none"
    except AssertionError as err:
        error = f"AssertionError: {err}"
    child_daemon = report.get()
    checkpoint("broken", error=error, daemon=p.daemon, child_daemon=child_daemon, child=p.pid)
    go.set()
    p.join()

    # fixed: daemon = True before start(); when its parent ends, the daemon child is ended too
    report, end = fork.SimpleQueue(), fork.Event()
    parent = fork.Process(target=daemon_parent, args=(report, end))
    parent.start()
    child, child_daemon = report.get()
    checkpoint("fixed-running", parent=parent.pid, child=child, child_daemon=child_daemon)
    end.set()
    parent.join()
    wait_gone(child, timeout=10)
    checkpoint(
        "fixed",
        parent_exitcode=parent.exitcode,
        child=child,
        child_daemon=child_daemon,
        child_alive_after=psutil.pid_exists(child),
    )


# ---- input-child
def stdin_is() -> str:
    return os.readlink(f"/proc/self/fd/{sys.stdin.fileno()}")


def ask(report) -> None:
    report.put(stdin_is())
    try:
        input()
    except EOFError as err:
        report.put(f"EOFError: {err}")
        raise  # the child dies of it: exitcode 1
    report.put("no error")


def use(answer, report) -> None:
    report.put(stdin_is())
    report.put(f"got {answer!r}")


def trap_input_child() -> None:
    r, w = os.pipe()  # give the parent a stdin with one line
    os.write(w, b"42\n")
    os.close(w)
    os.dup2(r, 0)  # sys.stdin reads fd 0: now this pipe
    os.close(r)
    parent_stdin = stdin_is()
    report = fork.SimpleQueue()
    p = fork.Process(target=ask, args=(report,))
    p.start()
    child_stdin, outcome = report.get(), report.get()
    p.join()
    checkpoint(
        "broken",
        parent_stdin=parent_stdin,
        child_stdin=child_stdin,
        outcome=outcome,
        exitcode=p.exitcode,
    )
    answer = input()  # the parent reads; the child gets the answer
    p = fork.Process(target=use, args=(answer, report))
    p.start()
    child_stdin, outcome = report.get(), report.get()
    p.join()
    checkpoint(
        "fixed", parent_answer=answer, child_stdin=child_stdin, outcome=outcome, exitcode=p.exitcode
    )


# ---- queue-spawn
def produce(report, queue=None) -> None:
    target = queue if queue is not None else q  # the broken one uses the module's q
    target.put(os.getpid())
    report.put(pipe_of(target))


def trap_queue_spawn() -> None:
    report = spawn.SimpleQueue()
    p = spawn.Process(target=produce, args=(report,))
    p.start()
    child_pipe = report.get()
    p.join()
    checkpoint(
        "broken",
        method=spawn.get_start_method(),
        parent_pipe=pipe_of(q),
        child_pipe=child_pipe,
        parent_queue_empty=q.empty(),
        exitcode=p.exitcode,
    )
    p = spawn.Process(target=produce, args=(report, q))  # pass the Queue: the child gets this one
    p.start()
    child_pipe = report.get()
    got = q.get()
    p.join()
    checkpoint(
        "fixed",
        method=spawn.get_start_method(),
        parent_pipe=pipe_of(q),
        child_pipe=child_pipe,
        got=got,
        child=p.pid,
        exitcode=p.exitcode,
    )


# ---- callback-args
def trap_callback_args() -> None:
    died = threading.Event()
    seen = {}

    def hook(args):  # an exception that ends a thread lands here
        seen.update(thread=args.thread.name, error=f"{args.exc_type.__name__}: {args.exc_value}")
        died.set()

    threading.excepthook = hook

    def two_args(quotient, remainder):  # the trap: divmod's result is ONE tuple
        seen["called"] = True

    pool = fork.Pool(2)
    res = pool.apply_async(divmod, (17, 5), callback=two_args)
    died.wait()
    try:
        pool.terminate()
        stuck = "none"
    except AssertionError as err:  # even terminate() refuses: the result is pending for ever
        stuck = f"AssertionError: {err}"
    checkpoint(
        "broken",
        ready=res.ready(),
        result_thread_alive=pool._result_handler.is_alive(),
        terminate=stuck,
        **seen,
    )
    for w in pool._pool:  # so end its workers by hand
        w.kill()
        w.join()

    got = {}

    def one_arg(pair):
        got["q"], got["r"] = pair

    with fork.Pool(2) as pool:
        res = pool.apply_async(divmod, (17, 5), callback=one_arg)
        value = res.get()
        checkpoint("fixed", ready=res.ready(), value=list(value), callback_got=got)


TRAPS = {
    "args-tuple": trap_args_tuple,
    "name-order": trap_name_order,
    "daemon-late": trap_daemon_late,
    "input-child": trap_input_child,
    "queue-spawn": trap_queue_spawn,
    "callback-args": trap_callback_args,
}

if __name__ == "__main__":
    if TRAP not in TRAPS:
        sys.exit(f"traps: name one of {', '.join(TRAPS)}")
    say(f"trap {TRAP}: start method {'spawn' if TRAP == 'queue-spawn' else 'fork'}")
    TRAPS[TRAP]()
