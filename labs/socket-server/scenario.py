"""socket-server: the seed's upper-case echo server, on the loopback interface.

Part 1: a process per connection. N clients give N handler processes, each a
child of the server process. Part 2: the seed's Pool(4) server with 6 clients.
4 workers serve at once and 2 clients wait, connected but unanswered, until a
served client leaves.

Who serves whom is read from the kernel. For each client's connection, the
scenario finds (with psutil, from /proc) which processes hold the other end.
Clients hold their connections open until the main process tells them to
hang up, so every checkpoint is taken at a moment that is certain.
"""

import multiprocessing
import os
import socket
import time

import psutil

from labkit import checkpoint, say

HOST = "127.0.0.1"  # loopback only: the lab container has no network, but it has lo
PORT_PER_CONNECTION = 8080  # the seed's port
PORT_POOL = 8081
CLIENTS_PER_CONNECTION = 5
POOL_WORKERS, POOL_CLIENTS = 4, 6  # the seed: Pool(4), "open 6 clients and 2 will wait"
WAIT_LIMIT_S = 10


# -- the server side (the seed's code, with its loop bounded so the lab ends) ---


def talk(conn: socket.socket) -> int:
    """The seed's handler: echo each message in upper case until the client hangs up."""
    while True:
        try:
            msg = conn.recv(1024)
            if not msg:
                break
            conn.send(msg.upper())
        except OSError:
            break
    conn.close()
    return os.getpid()


def listen(port: int) -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, port))
    server.listen(5)
    return server


def serve_per_connection(ctx, listening, accepted, done) -> None:
    """The seed's first server: accept, then start a Process for the connection."""
    server = listen(PORT_PER_CONNECTION)
    listening.set()
    handlers = []
    for _ in range(CLIENTS_PER_CONNECTION):  # the seed loops forever; the lab serves N and stops
        conn, _addr = server.accept()
        p = ctx.Process(target=talk, args=(conn,))
        p.start()
        conn.close()  # the child has its own copy; the seed keeps this one open
        handlers.append(p)
        accepted.release()  # tell main: handed over (and our copy closed)
    for p in handlers:
        p.join()
    done.put({p.pid: p.exitcode for p in handlers})


def serve_with_pool(ctx, listening, accepted, done) -> None:
    """The seed's second server: hand each connection to a Pool(4) worker."""
    server = listen(PORT_POOL)
    listening.set()
    pool = ctx.Pool(POOL_WORKERS)
    conns, results = [], []
    for _ in range(POOL_CLIENTS):
        conn, _addr = server.accept()
        results.append(
            pool.apply_async(talk, (conn,))
        )  # the socket travels to the worker (fd passing)
        conns.append(conn)
        accepted.release()  # tell main: accepted and queued for the pool
    served_by = [r.get(timeout=30) for r in results]
    for conn in conns:
        conn.close()
    pool.close()
    pool.join()
    done.put(served_by)


# -- the client side ------------------------------------------------------------


def client(n: int, port: int, reports, hangup) -> None:
    """The seed's client, scripted: send one line, read the echo, hold on until told to hang up."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((HOST, port))
    msg = f"hello from client {n}"
    s.sendall(msg.encode())
    reports.put(("sent", os.getpid(), s.getsockname()[1]))
    reply = s.recv(1024).decode()  # blocks until a server process answers
    reports.put(("reply", os.getpid(), reply))
    hangup.wait()
    s.close()


# -- the main process: starts everything and looks -----------------------------


def state_of(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def wait_until_sleeping(pids) -> None:
    """Wait (with a deadline) until the kernel shows each pid asleep: they have
    reported reaching recv(), this covers the last instructions before it blocks."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while any(state_of(p) != "S" for p in pids):
        if time.monotonic() > deadline:
            raise RuntimeError(f"clients {list(pids)} never blocked")
        time.sleep(0.001)


def wait_accepted(accepted, count: int) -> None:
    """Block until the server has accept()ed `count` connections. A client's
    connect() returns as soon as the kernel has queued the connection (the
    listen backlog); the server process holds it only once it has accepted it."""
    for _ in range(count):
        if not accepted.acquire(timeout=WAIT_LIMIT_S):
            raise RuntimeError("the server stopped accepting connections")


def holders(server_pid: int, client_port: int) -> list[int]:
    """Pids (the server or its children) holding the server end of this client's connection."""
    found = []
    server = psutil.Process(server_pid)
    for proc in [server, *server.children()]:
        for c in proc.connections(kind="tcp"):
            if c.raddr and c.raddr.port == client_port and c.status == psutil.CONN_ESTABLISHED:
                found.append(proc.pid)
                break
    return sorted(found)


class Clients:
    """Client processes and what they have reported so far."""

    def __init__(self, ctx, port: int, count: int):
        self.reports = ctx.Queue()
        self.hangups = [ctx.Event() for _ in range(count)]
        self.procs = [
            ctx.Process(target=client, args=(n, port, self.reports, self.hangups[n]))
            for n in range(count)
        ]
        self.port_of: dict[int, int] = {}
        self.reply_of: dict[int, str] = {}

    def start(self) -> None:
        for p in self.procs:
            p.start()

    def wait_for(self, sent: int, replies: int) -> None:
        while len(self.port_of) < sent or len(self.reply_of) < replies:
            kind, pid, value = self.reports.get(timeout=WAIT_LIMIT_S)
            (self.port_of if kind == "sent" else self.reply_of)[pid] = value

    def hang_up(self, pid: int) -> None:
        self.hangups[[p.pid for p in self.procs].index(pid)].set()

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]


def part_per_connection(ctx) -> None:
    main = os.getpid()
    listening, accepted, done = ctx.Event(), ctx.Semaphore(0), ctx.Queue()
    server = ctx.Process(target=serve_per_connection, args=(ctx, listening, accepted, done))
    server.start()
    listening.wait()
    clients = Clients(ctx, PORT_PER_CONNECTION, CLIENTS_PER_CONNECTION)
    clients.start()
    clients.wait_for(sent=CLIENTS_PER_CONNECTION, replies=CLIENTS_PER_CONNECTION)
    wait_accepted(accepted, CLIENTS_PER_CONNECTION)
    served = {str(pid): holders(server.pid, port) for pid, port in clients.port_of.items()}
    say(
        f"{CLIENTS_PER_CONNECTION} clients connected; server {server.pid} serves them from {served}"
    )
    checkpoint(
        "per-connection",
        main=main,
        server=server.pid,
        clients=clients.pids(),
        served_by=served,
        replies={str(k): v for k, v in clients.reply_of.items()},
        port=PORT_PER_CONNECTION,
    )

    for pid in clients.pids():
        clients.hang_up(pid)
    exits = done.get(timeout=WAIT_LIMIT_S)
    for p in clients.procs + [server]:
        p.join()
    say(f"clients hung up; the handlers exited with {exits}; the server exited {server.exitcode}")
    checkpoint(
        "per-connection-done",
        main=main,
        server=server.pid,
        handler_exits={str(k): v for k, v in exits.items()},
        server_exit=server.exitcode,
        client_exits=[p.exitcode for p in clients.procs],
    )


def part_pool(ctx) -> None:
    main = os.getpid()
    listening, accepted, done = ctx.Event(), ctx.Semaphore(0), ctx.Queue()
    server = ctx.Process(target=serve_with_pool, args=(ctx, listening, accepted, done))
    server.start()
    listening.wait()
    clients = Clients(ctx, PORT_POOL, POOL_CLIENTS)
    clients.start()
    clients.wait_for(sent=POOL_CLIENTS, replies=POOL_WORKERS)
    wait_accepted(accepted, POOL_CLIENTS)
    waiting = [p for p in clients.pids() if p not in clients.reply_of]
    wait_until_sleeping(waiting)
    workers = sorted(p.pid for p in psutil.Process(server.pid).children())
    served = {str(pid): holders(server.pid, clients.port_of[pid]) for pid in clients.pids()}
    say(
        f"Pool({POOL_WORKERS}) server {server.pid}, workers {workers}: clients {sorted(clients.reply_of)} "
        f"answered, {waiting} connected and waiting"
    )
    checkpoint(
        "pool-full",
        main=main,
        server=server.pid,
        workers=workers,
        clients=clients.pids(),
        answered=sorted(clients.reply_of),
        waiting=waiting,
        served_by=served,
        port=PORT_POOL,
    )

    leaver = sorted(clients.reply_of)[0]  # one served client leaves
    clients.hang_up(leaver)
    clients.wait_for(sent=POOL_CLIENTS, replies=POOL_WORKERS + 1)
    newcomer = next(p for p in clients.reply_of if p in waiting)
    still_waiting = [p for p in waiting if p != newcomer]
    wait_until_sleeping(still_waiting)
    served_now = {
        str(pid): holders(server.pid, clients.port_of[pid])
        for pid in clients.pids()
        if pid != leaver
    }
    say(
        f"client {leaver} left; waiting client {newcomer} is now answered by {served_now[str(newcomer)]}"
    )
    checkpoint(
        "pool-one-left",
        main=main,
        server=server.pid,
        workers=sorted(p.pid for p in psutil.Process(server.pid).children()),
        leaver=leaver,
        leaver_served_by=served[str(leaver)],
        newcomer=newcomer,
        still_waiting=still_waiting,
        served_by=served_now,
    )

    for pid in clients.pids():
        clients.hang_up(pid)
    clients.wait_for(sent=POOL_CLIENTS, replies=POOL_CLIENTS)
    served_by = done.get(timeout=WAIT_LIMIT_S)
    for p in clients.procs + [server]:
        p.join()
    say(f"all {POOL_CLIENTS} clients served, by pids {served_by}")
    checkpoint(
        "pool-done",
        main=main,
        server=server.pid,
        served_by=served_by,
        replies={str(k): v for k, v in clients.reply_of.items()},
        server_exit=server.exitcode,
        client_exits=[p.exitcode for p in clients.procs],
    )


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    say("socket-server lab: main process starts")
    part_per_connection(ctx)
    part_pool(ctx)
