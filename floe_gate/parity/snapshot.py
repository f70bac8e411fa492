"""One point of the comparison: every (product, transform) and the engine it resolves to.

A snapshot is built from any ``FileSource`` (the working tree, or a ref read from
git objects) with the same loader and resolver as ``check``. A transform that a
point does not have is *absent*: ``engine()`` returns None for it.

A snapshot read from a branch (or commit) has that ``ref`` on every origin and
loader problem, so that what parity says about it names the branch
(``origin/prod:products/orders/floe.yaml:3:5``), not the working tree's file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from floe_gate.load.repository import ManifestUnusable, ParseCache, Repository, load_repository
from floe_gate.load.sources import FileSource
from floe_gate.problems import Problem
from floe_gate.resolve.engines import ResolvedTransform, resolve_product
from floe_gate.resolve.hierarchy import Hierarchy, Origin

Key = tuple[str, str]
"""``(product, transform)``."""


@dataclass(frozen=True)
class Placement:
    """Where one transform's engine comes from at one point."""

    engine: str
    origin: Origin
    """The transform's ``compute:`` value, or the ``default:`` that chose the engine."""
    explicit: bool
    """Whether the transform names its engine itself (``compute:``)."""
    item: Origin
    """The transform's entry in ``transforms:`` (the product's ``transforms:`` if unlisted)."""


@dataclass(frozen=True)
class EnvironmentBranch:
    name: str
    branch: str
    origin: Origin
    """The ``branch:`` value in the manifest that declared it."""


@dataclass
class Snapshot:
    label: str
    manifest_file: str
    environments: list[EnvironmentBranch]
    placements: dict[Key, Placement] = field(default_factory=dict)
    products: dict[str, Origin] = field(default_factory=dict)
    """Product name → its ``transforms:`` key (or its ``name:`` when it lists none)."""
    environments_origin: Origin | None = None
    problems: list[Problem] = field(default_factory=list)
    ref: str | None = None
    """The branch (or commit) read; None for the working tree."""

    def on(self, ref: str | None) -> Snapshot:
        """The same snapshot read from ``ref``: every origin and problem names it."""
        at = _Tagger(ref)
        return Snapshot(
            self.label, self.manifest_file,
            [EnvironmentBranch(e.name, e.branch, at(e.origin)) for e in self.environments],
            {
                key: Placement(p.engine, at(p.origin), p.explicit, at(p.item))
                for key, p in self.placements.items()
            },
            {name: at(origin) for name, origin in self.products.items()},
            at(self.environments_origin) if self.environments_origin is not None else None,
            [replace(problem, ref=ref) for problem in self.problems],
            ref,
        )  # fmt: skip

    def engine(self, key: Key) -> str | None:
        """The engine of ``key`` here, or None when the transform is absent."""
        placement = self.placements.get(key)
        return placement.engine if placement is not None else None

    def anchor(self, key: Key) -> Origin | None:
        """Where ``key`` is written here: its ``compute:``, its entry, or its product's list."""
        placement = self.placements.get(key)
        if placement is not None:
            return placement.origin if placement.explicit else placement.item
        return self.products.get(key[0])


def snapshot(
    source: FileSource,
    manifest_file: str,
    label: str,
    cache: ParseCache | None = None,
    ref: str | None = None,
) -> Snapshot:
    """Load and resolve ``source``, read from ``ref`` (None: the working tree); loader
    problems are kept in ``problems``. ``ManifestUnusable`` names ``ref`` too."""
    try:
        repository = load_repository(source, manifest_file, cache=cache)
    except ManifestUnusable as unusable:
        if ref is None:
            raise
        problems = [replace(problem, ref=ref) for problem in unusable.problems]
        raise ManifestUnusable(f"{ref}:{manifest_file} cannot be used", problems) from None
    taken = _resolved(repository, label)
    return taken.on(ref) if ref is not None else taken


def _resolved(repository: Repository, label: str) -> Snapshot:
    taken = Snapshot(
        label, repository.manifest.file, _environments(repository),
        environments_origin=Origin.of(repository.manifest.document, ("environments",), key=True),
        problems=list(repository.problems),
    )  # fmt: skip
    hierarchy = Hierarchy(repository)
    for node in repository.products:
        resolved = resolve_product(hierarchy, node)
        if resolved is None or resolved.name in taken.products:
            continue  # unknown domain or duplicate product: `check` reports those
        document = node.product.document
        listed = ("transforms",) if node.product.model.transforms else ("name",)
        taken.products[resolved.name] = Origin.of(document, listed, key=True)
        for transform in resolved.transforms:
            taken.placements.setdefault(
                (resolved.name, transform.name),
                _placement(transform, taken.products[resolved.name]),
            )
    return taken


class _Tagger:
    """``origin.on(ref)``, made once per origin object (a policy's ``default:`` is the
    origin of every transform that follows it)."""

    def __init__(self, ref: str | None) -> None:
        self.ref = ref
        self.tagged: dict[int, Origin] = {}

    def __call__(self, origin: Origin) -> Origin:
        found = self.tagged.get(id(origin))
        if found is None:
            found = self.tagged[id(origin)] = origin.on(self.ref)
        return found


def _placement(transform: ResolvedTransform, listed: Origin) -> Placement:
    document = transform.chain[-1].document
    item = (
        Origin.of(document, ("transforms", transform.index))
        if transform.index is not None
        else listed
    )
    explicit = transform.transform is not None and transform.transform.compute is not None
    return Placement(transform.engine, transform.origin, explicit, item)


def _environments(repository: Repository) -> list[EnvironmentBranch]:
    document = repository.manifest.document
    return [
        EnvironmentBranch(name, env.branch, Origin.of(document, ("environments", name, "branch")))
        for name, env in repository.manifest.model.environments.items()
    ]
