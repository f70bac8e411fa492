"""What the plugin under test has installed: its distribution, extras and dbt adapter.

The suite uses this to refuse a check that would prove nothing (no adapter to
validate a profile with, no driver to reach a target with) and to say which
``pip install`` fixes it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from importlib.metadata import Distribution, PackageNotFoundError, distribution, entry_points

from packaging.requirements import Requirement

ENTRY_POINT_GROUP = "floe.computes"


def plugin_distribution(plugin_class: type) -> Distribution | None:
    """The installed distribution registering ``plugin_class``'s package, if any."""
    package = plugin_class.__module__.partition(".")[0]
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.module.partition(".")[0] == package and entry_point.dist is not None:
            return entry_point.dist
    return None


def has_extra(dist: Distribution, extra: str) -> bool:
    return extra in (dist.metadata.get_all("Provides-Extra") or [])


def unmet_extra(dist: Distribution, extra: str) -> list[str]:
    """Requirements of ``dist[extra]`` not installed (or at a version outside their range)."""
    unmet: list[str] = []
    _visit(dist, {extra}, unmet, seen=set())
    return unmet


def _visit(dist: Distribution, extras: set[str], unmet: list[str], seen: set[str]) -> None:
    for text in dist.requires or ():
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or marker.evaluate({"extra": ""}):
            continue  # a base requirement: pip installed it with the distribution
        if not any(marker.evaluate({"extra": extra}) for extra in extras):
            continue
        requirement.marker = None  # named without it in messages
        try:
            installed = distribution(requirement.name)
        except PackageNotFoundError:
            unmet.append(str(requirement))
            continue
        if not requirement.specifier.contains(installed.version, prereleases=True):
            unmet.append(f"{requirement} (installed: {installed.version})")
        elif requirement.extras and requirement.name not in seen:
            seen.add(requirement.name)
            _visit(installed, set(requirement.extras), unmet, seen)


def importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a parent package is missing
        return False


def pip_install(plugin_class: type, extra: str, fallback: Iterable[str]) -> str:
    """``pip install '<plugin>[extra]'`` if the plugin's distribution has it, else fallback."""
    dist = plugin_distribution(plugin_class)
    if dist is not None and has_extra(dist, extra):
        return f"pip install '{dist.metadata['Name']}[{extra}]'"
    return "pip install " + " ".join(f"'{requirement}'" for requirement in fallback)
