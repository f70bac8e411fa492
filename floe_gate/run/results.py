"""What a run did, node by node: the data the summary and ``--format json`` render."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 2
"""2: a stage names its engine only (every engine's dbt target is the environment)."""
FAILED = frozenset({"error", "fail", "runtime error"})
"""dbt statuses that fail a run (a skipped node fails it too: it did not run)."""


@dataclass(frozen=True)
class NodeResult:
    product: str
    unique_id: str
    name: str
    resource_type: str
    engine: str
    stage: int
    status: str
    """dbt's status: success, error, skipped, pass, fail, warn; or skipped by floe-gate."""
    duration_seconds: float
    message: str | None = None
    rows_affected: int | None = None
    tests: tuple[str, ...] = ()
    """For a test: the nodes it tests."""

    @property
    def failed(self) -> bool:
        return self.status in FAILED or self.status == "skipped"

    def as_json(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "unique_id": self.unique_id,
            "name": self.name,
            "resource_type": self.resource_type,
            "engine": self.engine,
            "stage": self.stage,
            "status": self.status,
            "duration_seconds": round(self.duration_seconds, 3),
            "message": self.message,
            "rows_affected": self.rows_affected,
            "tests": list(self.tests),
        }


@dataclass(frozen=True)
class StageResult:
    index: int
    engine: str
    nodes: tuple[str, ...]
    duration_seconds: float


@dataclass
class ProductRun:
    name: str
    dbt_project: str
    stages: list[StageResult] = field(default_factory=list)
    results: list[NodeResult] = field(default_factory=list)
    error: str | None = None
    """Why the product could not run at all (dbt could not parse it, ...)."""

    @property
    def failed(self) -> bool:
        return self.error is not None or any(result.failed for result in self.results)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dbt_project": self.dbt_project,
            "status": "failed" if self.failed else "success",
            "error": self.error,
            "stages": [
                {
                    "index": stage.index,
                    "engine": stage.engine,
                    "nodes": list(stage.nodes),
                    "duration_seconds": round(stage.duration_seconds, 3),
                }
                for stage in self.stages
            ],
            "results": [result.as_json() for result in self.results],
        }


@dataclass
class RunReport:
    environment: str
    correlation_id: str
    products: list[ProductRun] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(product.failed for product in self.products)

    def counts(self) -> dict[str, int]:
        counted = Counter(result.status for p in self.products for result in p.results)
        return dict(sorted(counted.items()))

    def as_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "environment": self.environment,
            "correlation_id": self.correlation_id,
            "status": "failed" if self.failed else "success",
            "summary": self.counts(),
            "products": [product.as_json() for product in self.products],
        }
