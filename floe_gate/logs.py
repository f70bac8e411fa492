"""structlog to stderr: human on a terminal, JSON with ``--log-format json``.

Every line carries the run's correlation id (bound as a structlog contextvar, and
filled in from :func:`floe_gate.observability.correlation_id` where a thread did
not inherit it). structlog itself is imported only when a line passes the level
(default ``warning``), so a quiet run, like the git hook's, never loads it.
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import Any

from floe_gate.observability import correlation_id

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}

_settings: dict[str, Any] = {"level": LEVELS["warning"], "format": "auto", "ready": False}


def configure(level: str = "warning", log_format: str = "auto") -> None:
    """Set the threshold and format; structlog is set up on the first line that passes."""
    _settings.update(level=LEVELS[level.lower()], format=log_format, ready=False)


def _add_correlation_id(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event.setdefault("correlation_id", correlation_id())
    return event


def _setup() -> Any:
    import structlog

    json_lines = _settings["format"] == "json" or (
        _settings["format"] == "auto" and not sys.stderr.isatty()
    )
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _add_correlation_id,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_settings["level"]),
        logger_factory=_StderrLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id())
    _settings["ready"] = True
    return structlog


class _StderrLoggerFactory:
    """A logger writing to the current ``sys.stderr`` (which tests may replace)."""

    def __call__(self, *args: Any) -> Any:
        import structlog

        return structlog.PrintLogger(sys.stderr)


class Logger:
    """A logger that costs one comparison for a line below the level."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _log(self, level: str, event: str, fields: dict[str, Any]) -> None:
        if LEVELS[level] < _settings["level"]:
            return
        structlog = _setup() if not _settings["ready"] else sys.modules["structlog"]
        getattr(structlog.get_logger(self.name), level)(event, logger=self.name, **fields)

    def debug(self, event: str, **fields: Any) -> None:
        self._log("debug", event, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._log("info", event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._log("warning", event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._log("error", event, fields)


def get_logger(name: str) -> Logger:
    return Logger(name)
