"""The one place where docker-py's exceptions become proclab's.

Every call into docker-py runs inside ``docker_call(operation, target)``: a
failure leaves as a ``ContainerError`` (or ``ContainerGone``, ``ImageMissing``,
``EngineUnavailable``) that names the operation, the container and Docker's
explanation, so no docker-py exception reaches a user as a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import docker.errors
import requests.exceptions

from ..errors import ContainerError, ContainerGone, EngineUnavailable, ImageMissing, ProclabError

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
    except (
        docker.errors.DockerException
    ) as err:  # refused before any request, e.g. mem_limit = "lots"
        raise ContainerError(operation, target, str(err)) from err
    except requests.exceptions.ReadTimeout as err:
        raise ContainerError(
            operation, target, f"the engine did not answer within its deadline ({err})"
        ) from err
    except requests.exceptions.ConnectionError as err:
        raise EngineUnavailable(
            f"the Docker engine stopped answering during {operation} {target}: {err}"
        ) from err
    except requests.exceptions.RequestException as err:
        raise ContainerError(operation, target, str(err)) from err


def _explain(err: docker.errors.APIError) -> str:
    text = err.explanation or str(err)
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return str(text).strip()
