"""Helpers for ``validate_connection``: bounded in time, and never raising."""

from __future__ import annotations

import contextvars
import socket
import threading
import time
from collections.abc import Callable

from floe_gate.compute.models import ConnectionResult, ConnectionStatus

DEFAULT_CHECK_TIMEOUT_SECONDS = 5.0
PROBE_TIMEOUT_SECONDS = 1.5
"""A TCP probe's limit: well inside a check's own, so its answer is precise."""


def elapsed_ms(started: float) -> float:
    return max(0.0, (time.perf_counter() - started) * 1000)


def unhealthy(started: float, message: str) -> ConnectionResult:
    return ConnectionResult(
        status=ConnectionStatus.UNHEALTHY, latency_ms=elapsed_ms(started), message=message
    )


def bounded_check(
    check: Callable[[], ConnectionResult],
    timeout_seconds: float = DEFAULT_CHECK_TIMEOUT_SECONDS,
) -> ConnectionResult:
    """Run ``check`` in a worker thread; UNHEALTHY if it raises or exceeds the timeout.

    A driver call stuck in C code cannot be interrupted from Python, so the worker
    is a daemon thread that is abandoned, not joined, when it overruns.
    """
    started = time.perf_counter()
    outcome: list[ConnectionResult] = []
    failure: list[BaseException] = []

    def worker() -> None:
        try:
            outcome.append(check())
        except BaseException as error:
            failure.append(error)

    context = contextvars.copy_context()  # the run's correlation id, for errors raised in check
    thread = threading.Thread(
        target=context.run, args=(worker,), name="floe-health-check", daemon=True
    )
    thread.start()
    thread.join(timeout_seconds)
    if thread.is_alive():
        return unhealthy(started, f"no answer within {timeout_seconds:g} s")
    if failure:
        error = failure[0]
        return unhealthy(started, f"check failed: {type(error).__name__}: {error}")
    return outcome[0]


def tcp_unreachable(host: str, port: int, timeout: float = PROBE_TIMEOUT_SECONDS) -> str:
    """Why ``host:port`` accepts no TCP connection, or "" if it does.

    Drivers retry a refused connection for many seconds; probing first lets a plugin
    answer "cannot reach" at once.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return ""
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except OSError as error:
        return error.strerror or type(error).__name__
