"""Start a lab's scenario inside the container.

The harness ships the lab folder in the environment (``PROCLAB_LAB``: a
base64 gzip tar), so a lab folder from anywhere runs without rebuilding the
image and without bind mounts. boot unpacks it into /lab and then *execs* the
scenario, so the scenario keeps boot's pid (pid 1 when there is no init).
"""
from __future__ import annotations

import base64
import io
import os
import sys
import tarfile

LAB_DIR = os.environ.get("PROCLAB_LAB_DIR", "/lab")


def unpack(blob: str, dest: str) -> None:
    data = base64.b64decode(blob)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(dest, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(dest)


def main() -> None:
    blob = os.environ.pop("PROCLAB_LAB", None)
    if blob:
        os.makedirs(LAB_DIR, exist_ok=True)
        unpack(blob, LAB_DIR)
        scenario = os.path.join(LAB_DIR, "scenario.py")
    elif len(sys.argv) > 1 and sys.argv[1].endswith(".py"):
        scenario = sys.argv.pop(1)
    else:
        sys.exit("labkit.boot: no lab given (PROCLAB_LAB is unset and no scenario path was passed)")
    os.chdir(os.environ.get("PROCLAB_WORKDIR", "/tmp"))
    argv = [sys.executable, scenario, *sys.argv[1:]]
    os.execve(sys.executable, argv, dict(os.environ))


if __name__ == "__main__":
    main()
