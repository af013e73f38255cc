"""A gallery program: says it is up, then waits for a signal. --handler: exit 0 on SIGTERM."""
import signal
import sys

if "--handler" in sys.argv:
    def stop(signum, frame):
        print("app: SIGTERM, stopping cleanly", flush=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
print("app: up", flush=True)
while True:
    signal.pause()
