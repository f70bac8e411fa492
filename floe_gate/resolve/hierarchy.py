"""The governance hierarchy: manifest → policy → sub-policy … → data product.

At every level the approved list and the default are either the level's own or
inherited from the nearest ancestor that set them; each value remembers the file,
line and column it was written at, so a problem can name the whole chain.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from typing import Literal

from floe_gate.load.repository import ProductNode, Repository
from floe_gate.load.yaml_document import KeyPath, YamlDocument


@dataclass(frozen=True)
class Origin:
    """Where a value was written."""

    file: str
    line: int
    column: int
    ref: str | None = field(default=None, compare=False)
    """The branch (or commit) the file was read from, when not the tree under review."""

    def on(self, ref: str | None) -> Origin:
        """The same place, in the file as ``ref`` holds it."""
        return Origin(self.file, self.line, self.column, ref)

    @classmethod
    def of(cls, document: YamlDocument, path: KeyPath, *, key: bool = False) -> Origin:
        line, column = document.locate(path, key=key)
        return cls(document.file, line, column)


@dataclass(frozen=True)
class Level:
    kind: Literal["manifest", "policy", "product"]
    label: str
    file: str
    document: YamlDocument
    base: KeyPath
    """The key path of this level's compute section inside its document."""
    approved: tuple[str, ...]
    approved_origin: Origin
    approved_declared: bool
    default: str
    default_origin: Origin
    default_declared: bool
    product: str | None = None
    """The data product's name, on a product level: the subject of its problems."""

    def origin(self, *path: str | int, key: bool = False) -> Origin:
        return Origin.of(self.document, (*self.base, *path), key=key)


def chain_text(levels: tuple[Level, ...] | list[Level]) -> str:
    return " → ".join(level.file for level in levels)


class Hierarchy:
    """Effective approved lists and defaults, computed once per level."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        manifest = repository.manifest
        compute = manifest.model.compute
        base: KeyPath = ("compute",)
        self.root = Level(
            kind="manifest",
            label="the platform manifest",
            file=manifest.file,
            document=manifest.document,
            base=base,
            approved=tuple(compute.approved),
            approved_origin=Origin.of(manifest.document, (*base, "approved")),
            approved_declared=True,
            default=compute.default,
            default_origin=Origin.of(manifest.document, (*base, "default")),
            default_declared=True,
        )
        self._domains: dict[str, tuple[Level, ...]] = {}

    def domain_chain(self, domain: str) -> tuple[Level, ...] | None:
        """Levels from the manifest down to ``domain``; None if no policy defines it."""
        domain = domain.strip("/")
        if domain not in self.repository.policies or self.is_broken(domain):
            return None
        if domain not in self._domains:
            parent = posixpath.dirname(domain)
            above = (self._nearest_chain(parent) if parent else None) or (self.root,)
            self._domains[domain] = (*above, self._policy_level(domain, above[-1]))
        return self._domains[domain]

    def _nearest_chain(self, domain: str) -> tuple[Level, ...] | None:
        while domain:
            chain = self.domain_chain(domain)
            if chain is not None:
                return chain
            domain = posixpath.dirname(domain)
        return None

    def is_broken(self, domain: str) -> bool:
        """Whether ``domain``'s policy, or a policy above a defined one, exists but is invalid.

        Such a domain is not resolved at all: skipping the broken level would let its
        sub-domains escape the narrowing it may have meant.
        """
        domain = domain.strip("/")
        broken = self.repository.broken_policies
        if domain in broken:
            return True
        if domain not in self.repository.policies:
            return False
        while domain:
            domain = posixpath.dirname(domain)
            if domain in broken:
                return True
        return False

    def known_domains(self) -> list[str]:
        return sorted(self.repository.policies)

    def product_chain(self, node: ProductNode) -> tuple[Level, ...] | None:
        above = self.domain_chain(node.product.model.domain)
        if above is None:
            return None
        product = node.product
        level = _child_level(
            "product",
            f"data product {product.model.name}",
            product.file,
            product.document,
            ("compute",),
            product.model.compute.approved,
            product.model.compute.default,
            above[-1],
        )
        return (*above, replace(level, product=product.model.name))

    def _policy_level(self, domain: str, parent: Level) -> Level:
        loaded = self.repository.policies[domain].policy
        compute = loaded.model.compute
        return _child_level(
            "policy", f"domain {domain}", loaded.file, loaded.document, ("compute",),
            compute.approved, compute.default, parent,
        )  # fmt: skip


def _child_level(  # noqa: PLR0917 - one value per part of a level
    kind: Literal["policy", "product"],
    label: str,
    file: str,
    document: YamlDocument,
    base: KeyPath,
    approved: list[str] | None,
    default: str | None,
    parent: Level,
) -> Level:
    return Level(
        kind=kind,
        label=label,
        file=file,
        document=document,
        base=base,
        approved=tuple(approved) if approved is not None else parent.approved,
        approved_origin=(
            Origin.of(document, (*base, "approved")) if approved is not None
            else parent.approved_origin
        ),
        approved_declared=approved is not None,
        default=default if default is not None else parent.default,
        default_origin=(
            Origin.of(document, (*base, "default")) if default is not None
            else parent.default_origin
        ),
        default_declared=default is not None,
    )  # fmt: skip
