"""What the gate needs of a dbt project, read without importing dbt.

The profile name (``profile:`` in ``dbt_project.yml``) and the names of its models:
the stems of ``.sql`` and ``.py`` files under its model paths.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field

from floe_gate.load.yaml_document import YamlDocument

MODEL_SUFFIXES = (".sql", ".py")


@dataclass(frozen=True)
class DbtProject:
    file: str
    directory: str
    name: str | None
    profile: str | None
    model_paths: tuple[str, ...]
    models: frozenset[str] = field(default_factory=frozenset)
    document: YamlDocument | None = None


def model_files(all_files: Iterable[str]) -> list[str]:
    """The files that can be dbt models, sorted: the index ``read_dbt_project`` searches."""
    return sorted(name for name in all_files if name.endswith(MODEL_SUFFIXES))


def _under(sorted_files: list[str], prefix: str) -> list[str]:
    start = bisect.bisect_left(sorted_files, prefix)
    end = bisect.bisect_left(sorted_files, prefix + "\U0010ffff")
    return sorted_files[start:end]


def read_dbt_project(file: str, document: YamlDocument, models_index: list[str]) -> DbtProject:
    """``models_index`` comes from ``model_files``; searching it keeps loading linear."""
    data = document.data if isinstance(document.data, dict) else {}
    directory = posixpath.dirname(file)
    paths = data.get("model-paths", data.get("source-paths", ["models"]))
    model_paths = tuple(p for p in paths if isinstance(p, str)) if isinstance(paths, list) else ()
    roots = tuple(posixpath.normpath(posixpath.join(directory, p)) + "/" for p in model_paths)
    models = frozenset(
        posixpath.splitext(posixpath.basename(name))[0]
        for root in roots
        for name in _under(models_index, root)
    )
    return DbtProject(
        file=file,
        directory=directory,
        name=_text(data.get("name")),
        profile=_text(data.get("profile")),
        model_paths=model_paths,
        models=models,
        document=document,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
