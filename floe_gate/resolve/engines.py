"""Which engine runs each transform: its own ``compute:``, else its product's default.

Models of the product's dbt project that ``transforms:`` does not list run on the
product's default engine too: each enabled model (one entry per version of a
versioned model, named ``dim_orders.v2``), those of installed dbt packages included.
"""

from __future__ import annotations

from dataclasses import dataclass

from floe_gate.config.models import Transform
from floe_gate.load.dbt_project import DbtModel
from floe_gate.load.repository import ProductNode
from floe_gate.resolve.hierarchy import Hierarchy, Level, Origin


@dataclass(frozen=True)
class ResolvedTransform:
    product: str
    name: str
    engine: str
    origin: Origin
    """The ``compute:`` key of the transform, or the ``default:`` that chose the engine."""
    chain: tuple[Level, ...]
    listed: bool
    index: int | None
    """Position in ``transforms:``; None for a model the product does not list."""
    transform: Transform | None
    models: tuple[DbtModel, ...] = ()
    """The dbt models it selects (every version of a versioned model named alone)."""
    package: str | None = None
    """The installed dbt package defining this unlisted model; None for the project's own."""


@dataclass(frozen=True)
class ResolvedProduct:
    node: ProductNode
    chain: tuple[Level, ...]
    transforms: tuple[ResolvedTransform, ...]

    @property
    def name(self) -> str:
        return self.node.product.model.name

    @property
    def level(self) -> Level:
        return self.chain[-1]


def resolve_product(hierarchy: Hierarchy, node: ProductNode) -> ResolvedProduct | None:
    """None when the product's domain is unknown (a problem of its own)."""
    chain = hierarchy.product_chain(node)
    if chain is None:
        return None
    level = chain[-1]
    product = node.product
    resolved: list[ResolvedTransform] = []
    dbt = node.dbt
    covered: set[DbtModel] = set()
    for index, transform in enumerate(product.model.transforms):
        if transform.compute is not None:
            engine = transform.compute
            origin = Origin.of(product.document, ("transforms", index, "compute"))
        else:
            engine, origin = level.default, level.default_origin
        models = tuple(dbt.matching(transform.name)) if dbt is not None else ()
        covered.update(models)
        resolved.append(
            ResolvedTransform(
                product.model.name,
                transform.name,
                engine,
                origin,
                chain,
                True,
                index,
                transform,
                models,
            )
        )
    root = dbt.scan.project if dbt is not None else None
    listed = {t.name for t in product.model.transforms}
    unlisted = [] if dbt is None else [m for m in dbt.scan.models if m not in covered]
    for model in sorted(unlisted, key=lambda m: (m.selector, m.package)):
        if not model.is_enabled or model.selector in listed:
            continue  # disabled: dbt runs it nowhere; listed: a problem of its own already
        resolved.append(
            ResolvedTransform(
                product.model.name,
                model.selector,
                level.default,
                level.default_origin,
                chain,
                False,
                None,
                None,
                (model,),
                model.package if model.package != root else None,
            )
        )
    return ResolvedProduct(node, chain, tuple(resolved))
