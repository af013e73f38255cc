"""Every container a proclab process makes carries one run id, whichever thread makes it.

``run --jobs N`` creates its first containers from N threads at once; Ctrl-C then removes
this process's containers by that label. A run id made lazily (``@cache``) could be made
twice in that race, and the container labelled with the losing id survived the Ctrl-C.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_threads_racing_to_their_first_container_get_one_run_id():
    # a fresh interpreter: nothing has asked for the run id yet
    code = textwrap.dedent("""
        import threading
        import sys
        sys.setswitchinterval(1e-6)     # switch threads as often as CPython allows: the race, every time
        from proclab.engine import _client
        gate = threading.Barrier(64)
        seen = set()
        def first_container():
            gate.wait()
            seen.add(_client.labels(lab="x")[_client.RUN_LABEL])
        threads = [threading.Thread(target=first_container) for _ in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(len(seen), _client.run_id() in seen)
    """)
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert out.split() == ["1", "True"], out
