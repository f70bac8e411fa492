"""OpenTelemetry spans and metrics, through the API unless an exporter is configured.

Without configuration every span and instrument is a no-op and OpenTelemetry is
not even imported (:func:`observed`), so the git hook pays nothing for it. The SDK
(the ``otel`` extra) is imported inside :func:`configure` only, which runs when
``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT``
is set (with the OTLP exporter, if installed) or with ``--otel console``.

Instruments (names from the compute-plugin research):

* ``floe.compute.validation.duration_ms`` — histogram; ``plugin``, ``status`` (health)
* ``floe.compute.validation.errors`` — counter; ``plugin``, ``error_type`` (health)
* ``floe.compute.profile.generation_ms`` — histogram; ``plugin`` (compile)
* ``floe.gate.problems`` — counter; ``rule``, ``severity`` (check)
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from floe_gate import __version__
from floe_gate.observability import correlation_id

if TYPE_CHECKING:
    from opentelemetry import metrics, trace

    from floe_gate.problems import Problem

SCOPE = "floe_gate"
OTLP_ENDPOINT_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
)

# Providers OpenTelemetry's API would load itself (through entry points) on first use.
PROVIDER_VARIABLES = ("OTEL_PYTHON_TRACER_PROVIDER", "OTEL_PYTHON_METER_PROVIDER")

_tracer_provider: Any = None
_meter_provider: Any = None
_instruments: dict[str, Any] = {}


class SpanLike(Protocol):
    """What a command does with its span: a real span, or :class:`_Unobserved`."""

    def set_attribute(self, key: str, value: Any) -> None: ...


class _Unobserved:
    """Span and instrument of a run nothing observes, so that OpenTelemetry is not imported."""

    def set_attribute(self, key: str, value: Any) -> None:
        """Dropped, as OpenTelemetry's API drops it without a provider."""

    def add(self, amount: float, attributes: Mapping[str, Any] | None = None) -> None:
        """Dropped, as OpenTelemetry's API drops it without a provider."""

    def record(self, amount: float, attributes: Mapping[str, Any] | None = None) -> None:
        """Dropped, as OpenTelemetry's API drops it without a provider."""


def observed() -> bool:
    """Whether a span or a metric can reach an exporter; if not, the API's are no-ops.

    It can through this module's providers, a provider named in the environment, or
    OpenTelemetry set up by other code of this process (which then imported it).
    """
    return (
        _tracer_provider is not None
        or _meter_provider is not None
        or any(os.environ.get(name, "").strip() for name in PROVIDER_VARIABLES)
        or any(name in sys.modules for name in ("opentelemetry.trace", "opentelemetry.metrics"))
    )


def otlp_configured() -> bool:
    return any(os.environ.get(name, "").strip() for name in OTLP_ENDPOINT_VARIABLES)


def configure_from_environment(otel: str | None) -> None:
    """Set up exporters for ``--otel console`` or the OTLP environment; else stay no-op."""
    if otel == "console":
        try:
            from opentelemetry.sdk.metrics.export import ConsoleMetricExporter
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter
        except ImportError:
            _warn("--otel console needs the OpenTelemetry SDK: pip install 'floe-gate[otel]'")
            return
        configure(
            span_exporters=[ConsoleSpanExporter(out=sys.stderr)],
            metric_exporters=[ConsoleMetricExporter(out=sys.stderr)],
        )
        return
    if not otlp_configured():
        return
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import (  # type: ignore[import-not-found,unused-ignore]
            OTLPMetricExporter,
        )
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found,unused-ignore]
            OTLPSpanExporter,
        )
    except ImportError:
        _warn(
            "OTLP endpoint set but opentelemetry-exporter-otlp is not installed; "
            "telemetry is not exported"
        )
        return
    configure(span_exporters=[OTLPSpanExporter()], metric_exporters=[OTLPMetricExporter()])


def _warn(message: str) -> None:
    from floe_gate.logs import get_logger

    get_logger(__name__).warning(message)


def configure(
    *,
    span_exporters: Sequence[Any] = (),
    metric_readers: Sequence[Any] = (),
    metric_exporters: Sequence[Any] = (),
) -> None:
    """Route this process's spans and metrics through the SDK to these exporters/readers.

    ``span_exporters`` get a simple (synchronous) span processor each, ``metric_readers``
    are used as they are (e.g. an ``InMemoryMetricReader`` in tests) and each of
    ``metric_exporters`` is wrapped in a periodic reader that :func:`shutdown` flushes.
    The providers are this module's, not OpenTelemetry's global ones, so a test can
    configure again.
    """
    global _tracer_provider, _meter_provider  # noqa: PLW0603 - the process's providers
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    shutdown()
    resource = Resource.create({"service.name": "floe-gate", "service.version": __version__})
    tracer_provider = TracerProvider(resource=resource)
    for exporter in span_exporters:
        tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    readers = list(metric_readers) + [
        PeriodicExportingMetricReader(exporter, export_interval_millis=60_000)
        for exporter in metric_exporters
    ]
    _tracer_provider = tracer_provider
    _meter_provider = MeterProvider(resource=resource, metric_readers=readers)


def shutdown() -> None:
    """Flush and drop the configured providers (no-op when none is configured)."""
    global _tracer_provider, _meter_provider  # noqa: PLW0603 - the process's providers
    for provider in (_tracer_provider, _meter_provider):
        if provider is not None:
            provider.shutdown()
    _tracer_provider = _meter_provider = None
    _instruments.clear()


def tracer() -> trace.Tracer:
    if _tracer_provider is not None:
        return _tracer_provider.get_tracer(SCOPE, __version__)  # type: ignore[no-any-return]
    from opentelemetry import trace

    return trace.get_tracer(SCOPE, __version__)


def _meter() -> metrics.Meter:
    if _meter_provider is not None:
        return _meter_provider.get_meter(SCOPE, __version__)  # type: ignore[no-any-return]
    from opentelemetry import metrics

    return metrics.get_meter(SCOPE, __version__)


# name → (histogram or counter, unit, description)
INSTRUMENTS: dict[str, tuple[str, str, str]] = {
    "floe.compute.validation.duration_ms": (
        "histogram", "ms", "Duration of a plugin's validate_connection"
    ),
    "floe.compute.validation.errors": ("counter", "1", "Failed validate_connection attempts"),
    "floe.compute.profile.generation_ms": (
        "histogram", "ms", "Duration of a plugin's generate_dbt_profile"
    ),
    "floe.gate.problems": ("counter", "1", "Problems reported by check"),
    "floe.run.transform.duration_ms": ("histogram", "ms", "Duration of a transform's dbt node"),
    "floe.run.statement.duration_ms": ("histogram", "ms", "Duration of one SQL statement"),
    "floe.run.statement.timeouts": ("counter", "1", "Statements cancelled at their timeout"),
    "floe.run.statement.ooms": ("counter", "1", "Statements that exceeded memory_limit"),
}  # fmt: skip


def _instrument(name: str) -> Any:
    if not observed():
        return _Unobserved()
    if name not in _instruments:
        kind, unit, description = INSTRUMENTS[name]
        meter = _meter()
        create = meter.create_histogram if kind == "histogram" else meter.create_counter
        _instruments[name] = create(name, unit=unit, description=description)
    return _instruments[name]


@contextmanager
def command_span(
    command: str, attributes: Mapping[str, str | int | float | bool] | None = None
) -> Iterator[SpanLike]:
    """One span per command run, carrying the run's correlation id."""
    if not observed():
        yield _Unobserved()
        return
    with tracer().start_as_current_span(
        f"floe-gate {command}",
        attributes={
            "floe.command": command,
            "floe.correlation_id": correlation_id(),
            **(attributes or {}),
        },
    ) as span:
        yield span


def record_problems(span: SpanLike, problems: Iterable[Problem], *, count: bool = False) -> None:
    """Problems by severity on ``span``; with ``count``, also the ``floe.gate.problems`` counter."""
    listed = list(problems)
    by_severity = Counter(problem.severity.value for problem in listed)
    for severity in ("error", "warning", "note"):
        span.set_attribute(f"floe.problems.{severity}", by_severity.get(severity, 0))
    if count:
        counter = _instrument("floe.gate.problems")
        for problem in listed:
            counter.add(1, {"rule": problem.rule, "severity": problem.severity.value})


def record_validation(plugin: str, status: str, duration_ms: float) -> None:
    _instrument("floe.compute.validation.duration_ms").record(
        duration_ms, {"plugin": plugin, "status": status}
    )


def record_validation_error(plugin: str, error_type: str) -> None:
    _instrument("floe.compute.validation.errors").add(
        1, {"plugin": plugin, "error_type": error_type}
    )


def record_profile_generation(plugin: str, duration_ms: float) -> None:
    _instrument("floe.compute.profile.generation_ms").record(duration_ms, {"plugin": plugin})


def record_transform(engine: str, transform: str, status: str, duration_ms: float) -> None:
    _instrument("floe.run.transform.duration_ms").record(
        duration_ms, {"engine": engine, "transform": transform, "status": status}
    )


def record_statement(engine: str, transform: str | None, duration_ms: float) -> None:
    _instrument("floe.run.statement.duration_ms").record(
        duration_ms, {"engine": engine, "transform": transform or ""}
    )


def record_statement_failure(engine: str, kind: str, transform: str | None) -> None:
    """``kind`` is ``timeouts`` or ``ooms``."""
    _instrument(f"floe.run.statement.{kind}").add(
        1, {"engine": engine, "transform": transform or ""}
    )
