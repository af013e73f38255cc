"""The session-end leak guard's facts: which proclab containers a test run left behind."""

from __future__ import annotations


def docker_ok() -> bool:
    try:
        from proclab import engine

        engine.client()
        return True
    except Exception:
        return False


def leaked_by_tests(c) -> bool:
    """A proclab container made by this test process, or by a harness (a test's subprocess) that died."""
    from proclab import engine

    owner = c.labels.get(engine.OWNER_LABEL)
    if not owner:  # not made by a proclab run (e.g. `docker run proclab/lab` by hand)
        return False
    return owner == engine.owner() or not engine.owner_alive(
        owner, c.labels.get(engine.OWNER_CONTAINER_LABEL)
    )
