"""FG304 — a transform's resource overrides are not a valid pod.

``resources:`` overrides fields of the transform's workload preset
(``cpu_request``, ``cpu_limit``, ``memory_request``, ``memory_limit``,
``ephemeral_storage_request``, ``ephemeral_storage_limit``). Each must be a
Kubernetes quantity (``500m``, ``2``, ``4Gi``) and each request at most its limit,
or Kubernetes rejects the job.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

from floe_gate.context import Context
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin
from floe_gate.resolve.resources import transform_resources

ID = "FG304"
TITLE = "invalid resource overrides"


def check(context: Context) -> Iterator[Problem]:
    for product in context.products:
        document = product.node.product.document
        for resolved in product.transforms:
            transform = resolved.transform
            if (
                transform is None
                or transform.resources is None
                or context.unusable(resolved.engine)
            ):
                continue
            try:
                transform_resources(context.registry.get(resolved.engine), transform)
            except ValidationError as error:
                for detail in error.errors():
                    field = next((p for p in detail["loc"] if isinstance(p, str)), None)
                    path: tuple[str | int, ...] = ("transforms", resolved.index or 0, "resources")
                    message = detail["msg"].removeprefix("Value error, ")
                    if field in (transform.resources.model_dump(exclude_none=True)):
                        path = (*path, field)
                        message = f"{field}: {message}"
                    yield located(
                        Origin.of(document, path),
                        ID,
                        f"resources of transform {resolved.name}: {message}",
                        subject=f"{product.name}:{resolved.name}",
                        related=[level.file for level in product.chain],  # engine's preset
                    )
            except Exception:  # noqa: S112 - an unknown preset is FG303's problem
                continue
