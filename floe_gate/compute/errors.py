"""Structured compute errors (FR-022, FR-023).

Every error carries the correlation id of the run that raised it, so a failure
in a log, a report or a Kubernetes job can be traced back to one run.
"""

from __future__ import annotations

from collections.abc import Sequence

from floe_gate.observability import correlation_id as current_correlation_id


class ComputeError(Exception):
    """Base of every error a compute plugin raises."""

    def __init__(
        self,
        message: str,
        *,
        plugin_name: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.plugin_name = plugin_name
        self.correlation_id = correlation_id or current_correlation_id()

    def __str__(self) -> str:
        prefix = f"[{self.plugin_name}] " if self.plugin_name else ""
        return f"{prefix}{self.message} (correlation id {self.correlation_id})"


class ComputeConnectionError(ComputeError):
    """The compute target could not be reached or refused the connection."""

    def __init__(
        self,
        message: str,
        *,
        plugin_name: str | None = None,
        original_error: BaseException | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, plugin_name=plugin_name, correlation_id=correlation_id)
        self.original_error = original_error


class ComputeTimeoutError(ComputeError):
    """A connection or a statement exceeded its configured timeout."""

    def __init__(
        self,
        message: str,
        *,
        timeout_seconds: float,
        plugin_name: str | None = None,
        query_id: str | None = None,
        duration_seconds: float | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, plugin_name=plugin_name, correlation_id=correlation_id)
        self.timeout_seconds = timeout_seconds
        self.query_id = query_id
        self.duration_seconds = duration_seconds


class ComputeConfigurationError(ComputeError):
    """A compute configuration is invalid; ``validation_errors`` lists each reason."""

    def __init__(
        self,
        message: str,
        *,
        plugin_name: str | None = None,
        validation_errors: Sequence[str] = (),
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, plugin_name=plugin_name, correlation_id=correlation_id)
        self.validation_errors = tuple(validation_errors)


class ComputeQueryError(ComputeError):
    """A statement failed on the engine (for example it ran out of memory)."""

    def __init__(
        self,
        message: str,
        *,
        plugin_name: str | None = None,
        query_id: str | None = None,
        original_error: BaseException | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, plugin_name=plugin_name, correlation_id=correlation_id)
        self.query_id = query_id
        self.original_error = original_error
