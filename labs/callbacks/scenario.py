"""callbacks: the course's crawler. Downloading a page is slow I/O, so a Pool's workers do it;
parsing it is done by a callback, in the main process, as each download finishes.

A small HTTP server runs in a process of its own on 127.0.0.1 (the container has no network
but loopback). Main hands 6 page fetches to Pool(3) with apply_async(get_page, callback=parse_page):

  1. the server holds the first 3 requests: the 3 workers sleep waiting for the reply, and no
     page has been parsed (checkpoint ``downloading``);
  2. released, every page comes back; parse_page runs in main, in the Pool's result-handler
     thread, and records its pid beside the pid of the worker that fetched the page and the
     local port of that worker's connection, which the server logged too (checkpoint ``parsed``);
  3. close()+join() ends the workers; the server is stopped (checkpoint ``done``).

Moments are made certain with a Semaphore, an Event and the kernel's sleep state, never with sleeps.
"""

import http.client
import http.server
import multiprocessing
import os
import re
import socket
import threading

from labkit import checkpoint, say, wait_asleep

PAGES = 6
WORKERS = 3


def page_html(n: int) -> str:
    links = "".join(f'<a href="/page/{m}">page {m}</a> ' for m in (n + 1, n + 2) if m < PAGES)
    return f"<html><head><title>Page {n}</title></head><body><h1>Page {n}</h1>{links}</body></html>"


def serve(ready, held, release, log) -> None:
    """The web server: one process, a thread per request (ThreadingHTTPServer), on loopback."""

    class Pages(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            n = int(self.path.rsplit("/", 1)[1])
            log.put(
                {"path": self.path, "client": list(self.client_address), "server_pid": os.getpid()}
            )
            if n < WORKERS:  # the first 3 requests wait until main has looked
                held.release()
                release.wait()
            body = page_html(n).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # the log goes to main, not to stderr
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    ready.put(server.server_address[1])
    server.serve_forever()


def get_page(url: str) -> dict:
    """In a worker: download one page (slow I/O)."""
    host, port, path = re.match(r"http://([^:/]+):(\d+)(/.*)", url).groups()
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.connect()
    local_port = conn.sock.getsockname()[1]
    conn.request("GET", path)
    html = conn.getresponse().read().decode()
    conn.close()
    return {
        "url": url,
        "html": html,
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "local_port": local_port,
    }


def main() -> None:
    ctx = multiprocessing.get_context("fork")
    me = os.getpid()
    ready, log, held, release = ctx.Queue(), ctx.Queue(), ctx.Semaphore(0), ctx.Event()
    server = ctx.Process(target=serve, args=(ready, held, release, log), name="server", daemon=True)
    server.start()
    port = ready.get(timeout=20)
    pool = ctx.Pool(WORKERS)
    workers = sorted(p.pid for p in multiprocessing.active_children() if p.pid != server.pid)
    parsed, lock = [], threading.Lock()

    def parse_page(page: dict) -> None:
        """The callback: runs in main when a download finishes, and parses the page."""
        title = re.search(r"<title>(.*?)</title>", page["html"]).group(1)
        links = re.findall(r'href="([^"]+)"', page["html"])
        with lock:
            parsed.append(
                {
                    "url": page["url"],
                    "title": title,
                    "links": links,
                    "size": len(page["html"]),
                    "fetched_by": page["pid"],
                    "fetcher_parent": page["ppid"],
                    "local_port": page["local_port"],
                    "parsed_by": os.getpid(),
                    "thread": threading.current_thread().name,
                }
            )

    urls = [f"http://127.0.0.1:{port}/page/{n}" for n in range(PAGES)]
    pending = [pool.apply_async(get_page, (url,), callback=parse_page) for url in urls]
    for _ in range(WORKERS):
        held.acquire(timeout=20)  # the server has 3 requests, one from each worker
    awake = wait_asleep(workers)  # each worker sleeps in recv(), waiting for its reply
    with lock:
        parsed_so_far = len(parsed)
    say(
        f"{WORKERS} downloads held by the server ({server.pid}, port {port}); workers {workers} asleep; "
        f"pages parsed so far: {parsed_so_far}"
    )
    checkpoint(
        "downloading",
        main=me,
        server=server.pid,
        workers=workers,
        port=port,
        awake=awake,
        interfaces=[name for _, name in socket.if_nameindex()],
        in_flight=WORKERS,
        parsed=parsed_so_far,
        main_thread=threading.current_thread().name,
    )
    release.set()
    for r in pending:
        r.wait(timeout=30)  # a result is ready only after its callback has run
    requests = [log.get(timeout=5) for _ in range(PAGES)]
    say(
        f"parsed {[p['title'] for p in parsed]}, each in pid {sorted({p['parsed_by'] for p in parsed})}; "
        f"fetched by {sorted({p['fetched_by'] for p in parsed})}"
    )
    checkpoint(
        "parsed",
        main=me,
        server=server.pid,
        workers=workers,
        pages=parsed,
        requests=requests,
        ready=[r.ready() for r in pending],
        successful=[r.successful() for r in pending],
    )
    pool.close()
    pool.join()
    server.terminate()
    server.join()
    checkpoint(
        "done",
        main=me,
        server=server.pid,
        workers=workers,
        server_exitcode=server.exitcode,
        children=sorted(p.pid for p in multiprocessing.active_children()),
    )


if __name__ == "__main__":
    main()
