"""The seed's warning, run on Linux: start a spawn Process at module level,
with no `if __name__ == '__main__':` guard.

Under spawn the child imports this file again to find `hello`, so the
module-level code runs again in the child, and the child tries to start a
Process of its own. multiprocessing refuses (RuntimeError) instead of
starting processes forever; the child exits 1.
"""

import multiprocessing
import os

print(f"module-level code runs in pid {os.getpid()} as {__name__}", flush=True)


def hello() -> None:
    print("hello from the child", flush=True)


ctx = multiprocessing.get_context("spawn")
p = ctx.Process(target=hello)
p.start()
p.join()
print(f"pid {os.getpid()}: the child exited with {p.exitcode}", flush=True)
