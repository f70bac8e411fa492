"""Local directories engines write into but never create: made before dbt starts.

A DuckDB ``path: warehouse/dev.duckdb`` fails every node with ``IO Error: Cannot
open file`` when ``warehouse/`` is missing. ``run`` creates such directories when
they are relative (dbt resolves them against the directory it runs in, which is
``run``'s) and stay inside it; an absolute directory, or one reached through
``..``, belongs to the machine (a mount, a volume): ``run`` refuses the product
with health's message instead of creating it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from floe_gate.compute import ComputeConfig, ComputePlugin


def prepare_directories(
    plugins: Mapping[str, ComputePlugin[Any]],
    configs: Mapping[str, ComputeConfig],
    engines: Iterable[str],
    cwd: Path,
) -> list[str]:
    """Create the owned directories of ``engines``; why the others are unusable (or [])."""
    problems = []
    for engine, directory, setting in _directories(plugins, configs, engines):
        path = cwd / directory
        if _owned(directory):
            path.mkdir(parents=True, exist_ok=True)
        elif not path.is_dir():
            problems.append(
                f"engine {engine}: directory {directory} of its {setting} does not exist: "
                f"create it (mkdir -p {directory}) or change {setting}"
            )
    return problems


def _directories(
    plugins: Mapping[str, ComputePlugin[Any]],
    configs: Mapping[str, ComputeConfig],
    engines: Iterable[str],
) -> Iterator[tuple[str, str, str]]:
    for engine in sorted(set(engines)):
        if engine in plugins and engine in configs:
            for directory, setting in plugins[engine].local_directories(configs[engine]):
                yield engine, directory, setting


def _owned(directory: str) -> bool:
    posix = PurePosixPath(directory.replace("\\", "/"))
    return not posix.is_absolute() and ".." not in posix.parts and ":" not in directory
