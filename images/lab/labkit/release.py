"""Release a checkpoint without a snapshot: ``python3 -m labkit.release FIFO``."""

import sys

from .probe import release

if __name__ == "__main__":
    sys.exit(0 if release(sys.argv[1]) else 3)
