"""A gallery program: says it is up, then waits for a signal. Options (combinable):
--handler           exit 0 on SIGTERM
--handler-delay S   on SIGTERM, take S seconds before exiting 0 (slower than a short grace period)
--zombies N         fork N children that exit at once and are never waited for (zombies at rest)
--children N        fork N children that wait for a signal (default action: SIGTERM ends them)
--exit-after S      ignore SIGTERM and SIGINT, and exit 3 on its own S seconds after its start
--exit-unless PATH  with --exit-after: stay up when PATH exists (the doctor's kit, copied only
                    into its stop container: so it ends early only in the SIGINT container)
"""

import os
import signal
import sys
import time

START = time.monotonic()


def opt(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


delay = opt("--handler-delay")
if "--handler" in sys.argv or delay:

    def stop(signum, frame):
        print(f"app: {signal.Signals(signum).name}, stopping cleanly", flush=True)
        if delay:
            time.sleep(float(delay))  # the slow clean-up being modelled, not a synchronisation
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
for _ in range(int(opt("--zombies", 0))):
    if os.fork() == 0:
        os._exit(0)
for _ in range(int(opt("--children", 0))):
    if os.fork() == 0:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        while True:
            signal.pause()
exit_after = opt("--exit-after")
if exit_after and not (opt("--exit-unless") and os.path.exists(opt("--exit-unless"))):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print(f"app: up, exiting on my own {exit_after} s after my start", flush=True)
    left = float(exit_after) - (time.monotonic() - START)
    time.sleep(max(0.0, left))  # the image's own behaviour: it ends after N s
    print("app: exiting 3", flush=True)
    sys.exit(3)
print("app: up", flush=True)
while True:
    signal.pause()
