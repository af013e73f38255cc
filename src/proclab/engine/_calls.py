"""The one place where docker-py's exceptions become proclab's.

Every call into docker-py runs inside ``docker_call(operation, target)``: a
failure leaves as a ``ContainerError`` (or ``ContainerGone``, ``ImageMissing``,
``EngineUnavailable``) that names the operation, the container and Docker's
explanation, so no docker-py exception reaches a user as a traceback.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import docker.errors
import requests.exceptions

from ..errors import (
    CallTimeout,
    ContainerError,
    ContainerGone,
    EngineUnavailable,
    ImageMissing,
    ProclabError,
)

T = TypeVar("T")

# Every request to the engine has a deadline; a long wait (a container's exit) says its own.
API_TIMEOUT_S = 120


@contextmanager
def docker_call(operation: str, target: str = "", *, image: str | None = None) -> Iterator[None]:
    try:
        yield
    except ProclabError:
        raise
    except docker.errors.ImageNotFound as err:
        raise ImageMissing(image or target) from err
    except docker.errors.NotFound as err:
        raise ContainerGone(operation, target, _explain(err)) from err
    except docker.errors.APIError as err:
        raise ContainerError(operation, target, _explain(err)) from err
    except docker.errors.DockerException as err:   # refused before any request, e.g. mem_limit = "lots"
        raise ContainerError(operation, target, str(err)) from err
    except requests.exceptions.ReadTimeout as err:
        raise ContainerError(operation, target, f"the engine did not answer within its deadline ({err})") from err
    except requests.exceptions.ConnectionError as err:
        raise EngineUnavailable(f"the Docker engine stopped answering during {operation} {target}: {err}") from err
    except requests.exceptions.RequestException as err:
        raise ContainerError(operation, target, str(err)) from err


def _explain(err: docker.errors.APIError) -> str:
    text = err.explanation or str(err)
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return str(text).strip()


def within(seconds: float, operation: str, target: str, fn: Callable[[], T]) -> T:
    """fn() in a worker thread, or CallTimeout if it has not returned within ``seconds``.

    docker-py reads an exec's output with no socket timeout at all, so an exec that never
    ends (``sleep 20``, a probe the scenario SIGSTOPs) would hold the harness for as long;
    the abandoned thread ends when the container is removed, which ends the exec.
    """
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as err:     # re-raised in the caller's thread below
            box["error"] = err

    from .engines import carry

    # carry: the worker talks to this thread's engine (run --engine A --engine B)
    worker = threading.Thread(target=carry(work), name=f"docker {operation}", daemon=True)
    worker.start()
    worker.join(max(0.0, seconds))
    if worker.is_alive():
        raise CallTimeout(operation, target, f"it did not finish within {seconds:.1f} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
