"""FG404 — a local path outside the work directory.

A pull request chooses where DuckDB opens its database file and spills, what it
attaches, and where engines hand data over: ``path: /etc/passwd`` or
``temp_directory: ~/.ssh`` would make ``dbt build`` open or write a file that no
review of the repository shows. A local path must stay inside the work directory
(where dbt runs: relative, without ``..`` leading out of it), or inside a directory
the manifest allows explicitly with ``compute.allowed_paths``::

    compute:
      allowed_paths: [/data]               # absolute directories, chosen by the platform
      shared_storage: warehouse/shared     # fine: inside the work directory
      targets:
        duckdb:
          path: /etc/passwd                # FG404
          temp_directory: ../../spill      # FG404
          attach: [{path: /data/lake.duckdb, alias: lake}]   # fine: allowed
      environments:
        prod:
          duckdb: {path: /data/prod.duckdb}                  # fine: allowed

Checked: DuckDB's ``path``, ``temp_directory`` and ``attach[].path`` (in the manifest's
targets and environments and in every policy) and ``compute.shared_storage``. URLs
(``s3://``, ``gs://``, ``https://``, ``md:``, ...) and ``:memory:`` are not local paths;
``file://`` is. ``~`` counts as outside. Only ``allowed_paths`` in the manifest counts,
and the problem cannot be waived (FG501): the manifest's allow-list is the platform's
decision, a waiver is the pull request's.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from floe_gate.context import Context
from floe_gate.load.yaml_document import KeyPath, YamlDocument
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG404"
TITLE = "path outside the work directory"
DUCKDB_PATH_KEYS = ("path", "temp_directory")
_REMOTE = re.compile(r"(?!file:)[A-Za-z][A-Za-z0-9+.-]+://.+|md:.*|motherduck:.*", re.DOTALL)


def check(context: Context) -> Iterator[Problem]:
    repository = context.repository
    manifest = repository.manifest.document
    allowed = _allowed(repository.manifest.model.compute.allowed_paths)
    compute = _mapping(_mapping(manifest.data).get("compute"))
    storage = compute.get("shared_storage")
    if isinstance(storage, str) and not is_allowed(storage, allowed):
        yield _problem(manifest, ("compute", "shared_storage"))
    for name, settings in _mapping(compute.get("targets")).items():
        if name == "duckdb":
            yield from _duckdb(manifest, ("compute", "targets", name), settings, allowed)
    for environment, engines in _mapping(compute.get("environments")).items():
        settings = _mapping(engines).get("duckdb")
        base = ("compute", "environments", environment, "duckdb")
        yield from _duckdb(manifest, base, settings, allowed)
    for node in repository.policies.values():
        document = node.policy.document
        targets = _mapping(_mapping(_mapping(document.data).get("compute")).get("targets"))
        yield from _duckdb(
            document, ("compute", "targets", "duckdb"), targets.get("duckdb"), allowed
        )


def is_allowed(value: str, allowed: list[str]) -> bool:
    """Whether ``value`` is a URL, ``:memory:``, or inside the work directory or ``allowed``."""
    if value == ":memory:" or value.startswith(":memory:") or _REMOTE.fullmatch(value):
        return True
    local = value.removeprefix("file://") if value.lower().startswith("file://") else value
    if local.startswith("~") or "\x00" in local:
        return False
    path = posixpath.normpath(local.replace("\\", "/"))
    relative = not posixpath.isabs(path) and not re.match(r"[A-Za-z]:", path)
    if relative and path != ".." and not path.startswith("../"):
        return True
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in allowed)


def _allowed(paths: list[str]) -> list[str]:
    return [posixpath.normpath(path) for path in paths if posixpath.isabs(path)]


def _duckdb(
    document: YamlDocument, base: KeyPath, settings: Any, allowed: list[str]
) -> Iterator[Problem]:
    settings = _mapping(settings)
    for key in DUCKDB_PATH_KEYS:
        value = settings.get(key)
        if isinstance(value, str) and not is_allowed(value, allowed):
            yield _problem(document, (*base, key))
    attach = settings.get("attach")
    for index, item in enumerate(attach if isinstance(attach, list) else []):
        value = _mapping(item).get("path")
        if isinstance(value, str) and not is_allowed(value, allowed):
            yield _problem(document, (*base, "attach", index, "path"))


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _problem(document: YamlDocument, path: KeyPath) -> Problem:
    return located(
        Origin.of(document, path),
        ID,
        f"{'.'.join(str(part) for part in path)}: a local path outside the work directory; "
        "use a relative path inside it, a URL, or add its directory to compute.allowed_paths "
        "in the manifest",
    )
