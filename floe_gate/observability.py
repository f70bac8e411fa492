"""One correlation id per run, shared by every log line, error and report.

The id comes from ``FLOE_CORRELATION_ID`` when a caller (a scheduler, a CI job)
already has one, else from the GitHub Actions run id and attempt, else it is new.
"""

from __future__ import annotations

import os
import uuid
from contextvars import ContextVar

_correlation_id: ContextVar[str | None] = ContextVar("floe_correlation_id", default=None)


def _id_from_environment() -> str | None:
    explicit = os.environ.get("FLOE_CORRELATION_ID", "").strip()
    if explicit:
        return explicit
    run_id = os.environ.get("GITHUB_RUN_ID", "").strip()
    if run_id:
        return f"gh-{run_id}-{os.environ.get('GITHUB_RUN_ATTEMPT', '1').strip() or '1'}"
    return None


def correlation_id() -> str:
    """The current run's correlation id, created on first use."""
    current = _correlation_id.get()
    if current is None:
        current = _id_from_environment() or uuid.uuid4().hex
        _correlation_id.set(current)
    return current


def set_correlation_id(value: str) -> None:
    _correlation_id.set(value)
