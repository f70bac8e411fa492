"""dbt's own ``manifest.json``, where the user gives one: the authority on a project's models.

``check``, ``compile`` and ``ci`` with ``--dbt-manifest PATH`` (repeatable, one per
dbt project, e.g. ``products/shop/target/manifest.json`` after ``dbt parse``) take the
models of a project from dbt instead of the scan (floe_gate.load.dbt_scan): which
models exist, their versions, whether they are enabled, their materialization and
the packages they come from. That includes what the scan cannot know: a config that
Jinja computes, a macro that sets it, a package installed outside the files git
lists (a ``local:`` package is a symbolic link, which floe-gate never follows).
Where the scan found the same model, its locations are kept (``enabled: false`` at
``dbt_project.yml:12:7``); a model only dbt knows is located at its file. The rest
(seeds, snapshots, macros, ``target.name`` lines) stays the scan's. A manifest
matches the product whose dbt project has its ``metadata.project_name``; ``dbt
parse`` fails on a package that is not installed, so with a manifest none is
reported missing (FG309). Reading JSON imports no dbt; a manifest over 256 MiB
(268,435,456 bytes) is refused unread (exit 2).
"""

from __future__ import annotations

import dataclasses
import json
import os
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from floe_gate.load.dbt_project import DbtProject
from floe_gate.load.dbt_scan import DbtModel, Setting, optional_version_text
from floe_gate.load.repository import Repository
from floe_gate.load.sources import CannotJudge


def apply_dbt_manifests(repository: Repository, paths: Sequence[Path]) -> None:
    """Replace the scanned models of each product whose project a manifest describes.

    ``CannotJudge`` for a manifest that cannot be read or matches no product.
    """
    for path in paths:
        manifest = read_manifest(path)
        project = _project_name(manifest, path)
        matched = False
        for index, node in enumerate(repository.products):
            dbt = node.dbt
            if dbt is None or dbt.scan.project != project:
                continue
            matched = True
            repository.products[index] = dataclasses.replace(node, dbt=with_manifest(dbt, manifest))
        if not matched:
            known = sorted({n.dbt.scan.project for n in repository.products if n.dbt})
            raise CannotJudge(
                f"--dbt-manifest {path}: dbt project {project!r} is no data product's "
                f"(projects: {', '.join(known) or 'none'})"
            )


def with_manifest(dbt: DbtProject, manifest: dict[str, Any]) -> DbtProject:
    """``dbt`` whose models are the manifest's, located where the scan located them."""
    scanned = {(m.package, m.name, m.version): m for m in dbt.scan.models}
    models = tuple(
        _model(dbt, node, scanned.get(_key(node)), dbt.scan.project)
        for node in _model_nodes(manifest)
    )
    packages = sorted({m.package for m in models if m.package != dbt.scan.project})
    scan = dataclasses.replace(
        dbt.scan, models=models, packages=tuple(packages), missing_packages=()
    )
    return dataclasses.replace(dbt, scan=scan)


MAX_MANIFEST_BYTES = 256 * 1024 * 1024
"""The bound on a dbt ``manifest.json`` read (a large project's is tens of MB)."""


def read_manifest(path: Path, label: str = "--dbt-manifest") -> dict[str, Any]:
    """The manifest at ``path``; ``CannotJudge`` saying why it cannot be used (after
    ``label``, the option or who wrote it)."""
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            content = b"" if size > MAX_MANIFEST_BYTES else stream.read(MAX_MANIFEST_BYTES + 1)
    except OSError as error:
        raise CannotJudge(f"{label} {path}: cannot be read ({error.strerror})") from None
    if size > MAX_MANIFEST_BYTES or len(content) > MAX_MANIFEST_BYTES:
        shown = f"{size:,}" if size > MAX_MANIFEST_BYTES else f"more than {MAX_MANIFEST_BYTES:,}"
        raise CannotJudge(
            f"{label} {path}: file of {shown} bytes is over the limit of "
            f"{MAX_MANIFEST_BYTES:,} bytes for a dbt manifest"
        )
    try:
        manifest = json.loads(content.decode("utf-8"))
    except ValueError as error:
        raise CannotJudge(f"{label} {path}: not JSON ({error})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("nodes"), dict):
        raise CannotJudge(f"{label} {path}: not a dbt manifest.json (no nodes)")
    return manifest


def _project_name(manifest: dict[str, Any], path: Path) -> str:
    metadata = manifest.get("metadata")
    name = metadata.get("project_name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        raise CannotJudge(
            f"--dbt-manifest {path}: names no project (metadata.project_name); "
            "write it with dbt 1.6 or later"
        )
    return name


def _model_nodes(manifest: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Enabled models, then disabled ones (``disabled``: unique id → its candidates)."""
    disabled = manifest.get("disabled")
    candidates: Iterable[Any] = manifest["nodes"].values()
    if isinstance(disabled, dict):
        candidates = [
            *candidates,
            *(n for nodes in disabled.values() if isinstance(nodes, list) for n in nodes),
        ]
    for node in candidates:
        if isinstance(node, dict) and node.get("resource_type") == "model":
            yield node


def _key(node: dict[str, Any]) -> tuple[str, str, str | None]:
    return (
        str(node.get("package_name")),
        str(node.get("name")),
        optional_version_text(node.get("version")),
    )


def _model(dbt: DbtProject, node: dict[str, Any], scanned: DbtModel | None, root: str) -> DbtModel:
    package, name, version = _key(node)
    written = node.get("config")
    config: dict[str, Any] = written if isinstance(written, dict) else {}
    path = scanned.path if scanned else _path(dbt, package, root, node)
    return DbtModel(
        name=name,
        version=version,
        package=package,
        path=path,
        language="python" if node.get("language") == "python" else "sql",
        materialized=_setting(config.get("materialized"), scanned, "materialized", path),
        enabled=_setting(config.get("enabled", True), scanned, "enabled", path),
        refs=frozenset(_refs(node)),
        latest=version is None or version == optional_version_text(node.get("latest_version")),
    )


def _setting(value: Any, scanned: DbtModel | None, key: str, path: str) -> Setting:
    """dbt's value, where the scan found it written (else at the model's file)."""
    found: Setting | None = getattr(scanned, key) if scanned is not None else None
    return Setting(value, found.where if found is not None else (path, 1, 1))


def _path(dbt: DbtProject, package: str, root: str, node: dict[str, Any]) -> str:
    relative = str(node.get("original_file_path") or node.get("path") or "")
    base = dbt.directory if package == root else posixpath.join(dbt.scan.install_path, package)
    return posixpath.normpath(posixpath.join(base, relative))


def _refs(node: dict[str, Any]) -> Iterator[str]:
    """The models it reads, as transforms name them: ``stg_orders``, ``dim_orders.v2``."""
    depends_on = node.get("depends_on")
    parents = depends_on.get("nodes") if isinstance(depends_on, dict) else None
    for parent in parents if isinstance(parents, list) else []:
        parts = str(parent).split(".")
        if parts[0] != "model" or len(parts) < 3:
            continue
        yield ".".join(parts[2:4]) if len(parts) == 4 and parts[3][:1] == "v" else parts[2]
