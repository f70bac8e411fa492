"""What the gate needs of a dbt project, read without importing dbt.

The profile name (``profile:`` in ``dbt_project.yml``) and its nodes as dbt sees
them (floe_gate.load.dbt_scan): models with their versions, materialization and
``enabled``, the models of installed packages, seeds and snapshots.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import cached_property

from floe_gate.load.dbt_scan import (
    MODEL_SUFFIXES,
    DbtModel,
    DbtScan,
    ReadText,
    ReadYaml,
    scan_dbt_project,
)
from floe_gate.load.yaml_document import YamlDocument

__all__ = ["MODEL_SUFFIXES", "DbtModel", "DbtProject", "read_dbt_project"]


@dataclass(frozen=True)
class DbtProject:
    file: str
    directory: str
    name: str | None
    profile: str | None
    model_paths: tuple[str, ...]
    scan: DbtScan = field(default_factory=DbtScan)
    document: YamlDocument | None = None

    @cached_property
    def models(self) -> frozenset[str]:
        """dbt's names of every model, disabled and package ones too."""
        return frozenset(model.name for model in self.scan.models)

    def matching(self, transform: str) -> list[DbtModel]:
        """The models a transform name selects: ``dim_orders`` (every version) or
        ``dim_orders.v2`` (one), among the root project's and the packages' models."""
        return self._by_name.get(transform, [])

    @cached_property
    def _by_name(self) -> dict[str, list[DbtModel]]:
        index: dict[str, list[DbtModel]] = {}
        for model in self.scan.models:
            index.setdefault(model.name, []).append(model)
            if model.version is not None:
                index.setdefault(model.selector, []).append(model)
        return index


def read_dbt_project(
    file: str,
    document: YamlDocument,
    files: list[str],
    read_text: ReadText,
    read_yaml: ReadYaml,
) -> DbtProject:
    """``files`` is every file of the repository, sorted; searching it keeps loading linear."""
    data = document.data if isinstance(document.data, dict) else {}
    paths = data.get("model-paths", data.get("source-paths", ["models"]))
    model_paths = tuple(p for p in paths if isinstance(p, str)) if isinstance(paths, list) else ()
    return DbtProject(
        file=file,
        directory=posixpath.dirname(file),
        name=_text(data.get("name")),
        profile=_text(data.get("profile")),
        model_paths=model_paths,
        scan=scan_dbt_project(file, data, files, read_text, read_yaml),
        document=document,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
