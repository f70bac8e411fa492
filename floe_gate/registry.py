"""Compute plugin discovery through the ``floe.computes`` entry-point group.

Discovery reads installed distributions' metadata only, and little of it: the
``entry_points.txt`` of each, parsed only where it declares the group, and a
distribution's name and version only once its engine is asked for. A plugin's module
is imported the first time that plugin is asked for. A plugin that fails to import,
to instantiate or to match this floe-gate's API is reported with its name,
distribution and reason, and the other plugins keep working. Two distributions
registering the same engine name are a conflict: neither is used until one goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import EntryPoint, distributions
from typing import Any

from floe_gate.compute.plugin import ComputePlugin, IncompletePluginError, api_incompatibility

ENTRY_POINT_GROUP = "floe.computes"


class PluginStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    INCOMPATIBLE = "incompatible"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Registration:
    """One ``floe.computes`` entry point of one installed distribution."""

    name: str
    target: str
    distribution: str
    distribution_version: str

    @classmethod
    def of(cls, entry_point: EntryPoint) -> Registration:
        """Reads the distribution's metadata once (``dist.name``, ``dist.version`` each would)."""
        metadata = entry_point.dist.metadata if entry_point.dist is not None else None
        return cls(
            name=entry_point.name,
            target=entry_point.value,
            distribution=metadata["Name"] if metadata is not None else "(unknown distribution)",
            distribution_version=metadata["Version"] if metadata is not None else "",
        )

    def describe(self) -> str:
        return f"{self.distribution} {self.distribution_version} ({self.target})".strip()


@dataclass(frozen=True)
class PluginRecord:
    """What ``floe-gate plugins`` shows for one engine name."""

    name: str
    registrations: tuple[Registration, ...]
    status: PluginStatus
    version: str | None = None
    api_version: str | None = None
    reason: str | None = None

    @property
    def distribution(self) -> str:
        return ", ".join(r.distribution for r in self.registrations)

    @property
    def distribution_version(self) -> str:
        return ", ".join(r.distribution_version for r in self.registrations)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "api_version": self.api_version,
            "distribution": self.distribution,
            "distribution_version": self.distribution_version,
            "entry_point": ", ".join(r.target for r in self.registrations),
            "status": self.status.value,
            "reason": self.reason,
        }


class PluginLoadError(Exception):
    """A plugin could not be provided; the message says which, from where, and why."""

    def __init__(self, record: PluginRecord) -> None:
        where = f" from {record.distribution}" if record.registrations else ""
        super().__init__(f"compute plugin {record.name!r}{where} is unusable: {record.reason}")
        self.record = record


class PluginRegistry:
    """Installed compute plugins, loaded on demand and each loaded at most once."""

    def __init__(self, registrations: list[Registration] | None = None) -> None:
        self._by_name: dict[str, tuple[Registration, ...]] = {}
        self._unread: dict[str, list[EntryPoint]] = {}
        """Entry points of engines not asked for yet: their distributions' metadata is unread."""
        if registrations is None:
            for entry_point in _entry_points():
                self._unread.setdefault(entry_point.name, []).append(entry_point)
        for registration in registrations or ():
            self._add(registration)
        self._loaded: dict[str, tuple[PluginRecord, ComputePlugin[Any] | None]] = {}

    def names(self) -> list[str]:
        """Engine names installed, without importing any plugin."""
        return sorted(self._by_name.keys() | self._unread.keys())

    def get(self, name: str) -> ComputePlugin[Any]:
        """The plugin for engine ``name``; ``PluginLoadError`` explains when there is none."""
        record, plugin = self._load(name)
        if plugin is None:
            raise PluginLoadError(record)
        return plugin

    def record(self, name: str) -> PluginRecord:
        return self._load(name)[0]

    def records(self) -> list[PluginRecord]:
        """Every installed plugin, loaded, with its status; failures do not stop the rest."""
        return [self.record(name) for name in self.names()]

    def _load(self, name: str) -> tuple[PluginRecord, ComputePlugin[Any] | None]:
        if name not in self._loaded:
            self._loaded[name] = _load(name, self._registrations(name), self.names())
        return self._loaded[name]

    def _registrations(self, name: str) -> tuple[Registration, ...]:
        seen: set[str] = set()
        for entry_point in self._unread.pop(name, ()):
            registration = Registration.of(entry_point)
            distribution = _canonical(registration.distribution)
            if distribution not in seen:  # else a later copy on sys.path, which is not imported
                seen.add(distribution)
                self._add(registration)
        return self._by_name.get(name, ())

    def _add(self, registration: Registration) -> None:
        known = self._by_name.get(registration.name, ())
        if registration not in known:
            self._by_name[registration.name] = (*known, registration)


def _entry_points() -> list[EntryPoint]:
    """The group's entry points, in ``sys.path`` order, as ``entry_points(group=...)`` finds them.

    That call parses every distribution's entry points (the development environment
    has ~180 distributions); only files that declare the group are parsed here. Where
    one distribution is installed twice, ``PluginRegistry`` keeps the first, as
    ``entry_points`` does.
    """
    header = f"[{ENTRY_POINT_GROUP}]"  # a section header is a whole line: [group]
    return [
        entry_point
        for dist in distributions()
        if header in (dist.read_text("entry_points.txt") or "")
        for entry_point in dist.entry_points.select(group=ENTRY_POINT_GROUP)
    ]


def _canonical(distribution: str) -> str:
    """A distribution's name as PEP 503 compares them: ``Floe_Compute.X`` is ``floe-compute-x``."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _load(
    name: str, registrations: tuple[Registration, ...], installed: list[str]
) -> tuple[PluginRecord, ComputePlugin[Any] | None]:
    def failed(status: PluginStatus, reason: str, **known: str) -> tuple[PluginRecord, None]:
        return PluginRecord(name, registrations, status, reason=reason, **known), None

    if not registrations:
        return failed(
            PluginStatus.ERROR,
            f"no installed distribution registers it (installed: {', '.join(installed) or 'none'})",
        )
    if len(registrations) > 1:
        claimants = " and ".join(r.describe() for r in registrations)
        return failed(
            PluginStatus.CONFLICT,
            f"engine name {name!r} is registered by {claimants}; uninstall all but one",
        )
    registration = registrations[0]
    try:
        plugin_class = EntryPoint(name, registration.target, ENTRY_POINT_GROUP).load()
    except (Exception, SystemExit) as error:
        return failed(PluginStatus.ERROR, f"import failed: {type(error).__name__}: {error}")
    if not (isinstance(plugin_class, type) and issubclass(plugin_class, ComputePlugin)):
        return failed(
            PluginStatus.ERROR,
            f"entry point {registration.target} is not a ComputePlugin subclass",
        )
    try:
        plugin = plugin_class()
    except IncompletePluginError as error:
        return failed(PluginStatus.ERROR, str(error))
    except (Exception, SystemExit) as error:
        return failed(PluginStatus.ERROR, f"instantiation failed: {type(error).__name__}: {error}")
    try:  # plugin code too: a property may raise (e.g. a failed metadata lookup)
        claimed_name = plugin.name
        known = {"version": str(plugin.version), "api_version": str(plugin.floe_api_version)}
    except (Exception, SystemExit) as error:
        return failed(
            PluginStatus.ERROR,
            f"reading its name, version or API version failed: {type(error).__name__}: {error}",
        )
    if claimed_name != name:
        return failed(
            PluginStatus.ERROR,
            f"entry point {name!r} loads a plugin that calls itself {claimed_name!r}",
            **known,
        )
    incompatibility = api_incompatibility(known["api_version"])
    if incompatibility is not None:
        return failed(PluginStatus.INCOMPATIBLE, incompatibility, **known)
    return PluginRecord(name, registrations, PluginStatus.OK, **known), plugin
