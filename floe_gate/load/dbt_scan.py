"""A dbt project's nodes as dbt names and configures them, read without importing dbt.

What ``dbt parse`` would list for the gate's purposes (tests compare the two on the
same projects):

* **models** — ``.sql`` and ``.py`` files under ``model-paths``, named by their
  stem; a model whose properties (any ``.yml`` under ``model-paths``) declare
  ``versions:`` is one dbt model per version, named as dbt names it (``dim_orders``,
  version ``2``) from the file ``defined_in`` names or ``dim_orders_v2``.
* **config** — ``materialized`` and ``enabled``, decided as dbt decides them: a
  literal in the file's ``config(...)`` call, else the version's then the model's
  ``config:`` in its properties, else the most specific ``+materialized`` /
  ``+enabled`` of its project's ``dbt_project.yml`` ``models:`` tree. For a
  package's model the root project's tree comes first, over all of the package's
  own. A value Jinja computes is not known here (``None``).
* **packages** — every project under ``packages-install-path`` (``dbt_packages``)
  is scanned the same way; packages declared in ``packages.yml`` /
  ``dependencies.yml`` but not installed are named.
* **seeds and snapshots** — by name, so that a transform naming one is told what it is.
* **``target.name``** — every line of the project's own models, macros and snapshots
  that uses it.

The scan reads each file once and never renders Jinja; what Jinja decides at run
time (``enabled=target.name == 'prod'``) is left to dbt.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from floe_gate.load.yaml_document import YamlDocument

MODEL_SUFFIXES = (".sql", ".py")
PROPERTY_SUFFIXES = (".yml", ".yaml")
CONFIG_KEYS = ("materialized", "enabled")
PACKAGE_FILES = ("packages.yml", "dependencies.yml")

Location = tuple[str, int, int]
"""``(file, line, column)`` where a value was written."""

ReadText = Callable[[str], "str | None"]
ReadYaml = Callable[[str], "YamlDocument | None"]

CONFIG_CALL = re.compile(r"\bconfig\s*\(")
CONFIG_ARGUMENT = re.compile(
    r"""\b(materialized|enabled)\s*=\s*("[^"\n]*"|'[^'\n]*'|[Tt]rue\b|[Ff]alse\b)?"""
)
TARGET_NAME = r"""\btarget\s*(?:\.\s*name\b|\[\s*(?:'name'|"name")\s*\])"""
QUOTED = r"""(?:'([^'\n]*)'|"([^"\n]*)")"""
# target.name == 'prod', 'prod' != target.name, target.name in ['dev', 'staging']
TARGET_NAME_COMPARED = re.compile(
    rf"{TARGET_NAME}\s*(?:==|!=)\s*{QUOTED}"
    rf"|{QUOTED}\s*(?:==|!=)\s*{TARGET_NAME}"
    rf"|{TARGET_NAME}\s+(?:not\s+)?in\s*(\[[^\]\n]*\]|\([^)\n]*\))"
)
QUOTED_ITEM = re.compile(QUOTED)
SNAPSHOT_BLOCK = re.compile(r"{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%}")
REF = re.compile(
    r"""\bref\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]+)\3\s*)?"""
    r"""(?:\)|,\s*(?:v|version)\s*=\s*['"]?([\w.]+)['"]?|,)"""
)
"""``ref('model')``, ``ref('package', 'model')``, ``ref('model', v=2)`` (group 5: the version)."""


@dataclass(frozen=True)
class Setting:
    value: Any
    """The literal value; None when Jinja or an expression decides it."""
    where: Location


@dataclass(frozen=True)
class DbtModel:
    name: str
    version: str | None
    package: str
    """The dbt project that defines it: the root project's name or a package's."""
    path: str
    language: str
    """``sql`` or ``python``."""
    materialized: Setting | None
    """None: dbt's default (``view``; ``table`` for Python models)."""
    enabled: Setting | None
    """None: enabled (dbt's default)."""
    refs: frozenset[str] = frozenset()
    """The models its ``ref()`` calls name: ``stg_orders``, or ``dim_orders.v2`` for
    ``ref('dim_orders', v=2)``."""
    latest: bool = True
    """Whether a ``ref()`` naming no version means this node: its model's latest version
    (``latest_version:``, else the greatest), or an unversioned model."""

    @property
    def selector(self) -> str:
        """How dbt selects this node alone: ``dim_orders`` or ``dim_orders.v2``."""
        return selector(self.name, self.version)

    @property
    def materialization(self) -> str | None:
        """``view``, ``table``, ``ephemeral``…; None when Jinja decides it."""
        if self.materialized is None:
            return "table" if self.language == "python" else "view"
        value = self.materialized.value
        return value if isinstance(value, str) else None

    @property
    def is_enabled(self) -> bool:
        return self.enabled is None or self.enabled.value is not False

    @property
    def kind(self) -> str:
        """What the model is, for messages: ``model``, ``Python model``, ``ephemeral model``."""
        if self.language == "python":
            return "Python model"
        if self.materialization == "ephemeral":
            return "ephemeral model"
        return "model"


@dataclass(frozen=True)
class DeclaredPackage:
    name: str
    """What ``packages.yml`` calls it: ``dbt-labs/dbt_utils``, a git URL, a local path."""
    where: Location


@dataclass(frozen=True)
class DbtScan:
    project: str = ""
    """The root project's name (``name:``, else its directory's)."""
    models: tuple[DbtModel, ...] = ()
    """Every model of the project and its installed packages, disabled ones too."""
    seeds: dict[str, str] = field(default_factory=dict)
    """Seed name → its file."""
    snapshots: dict[str, str] = field(default_factory=dict)
    """Snapshot name → its file."""
    packages: tuple[str, ...] = ()
    """Names of the installed packages (their ``dbt_project.yml`` ``name:``)."""
    install_path: str = "dbt_packages"
    """Where ``dbt deps`` installs packages, relative to the repository's top."""
    missing_packages: tuple[DeclaredPackage, ...] = ()
    """Declared in ``packages.yml`` / ``dependencies.yml`` but not under the install path."""
    target_name_comparisons: tuple[tuple[Location, str], ...] = ()
    """Each name the root project's own files compare ``target.name`` with, where."""
    macros: dict[str, Location] = field(default_factory=dict)
    """Macro name → where the root project defines it."""


def under(sorted_files: list[str], prefix: str) -> list[str]:
    """The files of ``sorted_files`` whose path starts with ``prefix``."""
    start = bisect.bisect_left(sorted_files, prefix)
    end = bisect.bisect_left(sorted_files, prefix + "\U0010ffff")
    return sorted_files[start:end]


def scan_dbt_project(
    file: str, data: dict[str, Any], files: list[str], read_text: ReadText, read_yaml: ReadYaml
) -> DbtScan:
    """Scan the project whose ``dbt_project.yml`` is ``file`` (parsed as ``data``).

    ``files`` is every file of the repository, sorted.
    """
    directory = posixpath.dirname(file)
    root = _Project.of(file, data, read_yaml)
    scanner = _Scanner(files, read_text, read_yaml, root)
    models = list(scanner.models(root))
    install = data.get("packages-install-path", "dbt_packages")
    install_root = _join(directory, install if isinstance(install, str) else "dbt_packages")
    installed: list[_Project] = []
    for package_file in _package_projects(files, install_root):
        document = read_yaml(package_file)
        if document is not None and isinstance(document.data, dict):
            installed.append(_Project.of(package_file, document.data, read_yaml))
    for package in installed:
        models.extend(scanner.models(package))
    folders = {posixpath.basename(posixpath.dirname(p.file)) for p in installed}
    names = {p.name for p in installed}
    snapshots = scanner.snapshots(root, data)
    macros = scanner.macros(root, data)
    return DbtScan(
        project=root.name,
        models=tuple(models),
        seeds=_by_stem(files, root.paths(data, "seed-paths", "seeds"), (".csv",)),
        snapshots=snapshots,
        packages=tuple(sorted(names)),
        install_path=install_root,
        missing_packages=tuple(
            declared
            for declared in _declared_packages(directory, files, read_yaml)
            if _install_name(declared.name) not in folders | names
        ),
        target_name_comparisons=tuple(sorted(scanner.target_name_comparisons)),
        macros=macros,
    )


@dataclass(frozen=True)
class _Project:
    file: str
    directory: str
    name: str
    model_roots: tuple[str, ...]
    models_config: Any
    document: YamlDocument | None

    @classmethod
    def of(cls, file: str, data: dict[str, Any], read_yaml: ReadYaml) -> _Project:
        directory = posixpath.dirname(file)
        name = data.get("name")
        paths = data.get("model-paths", data.get("source-paths", ["models"]))
        return cls(
            file,
            directory,
            name if isinstance(name, str) else posixpath.basename(directory),
            _roots(directory, paths),
            data.get("models"),
            read_yaml(file),
        )

    def paths(self, data: dict[str, Any], key: str, default: str) -> tuple[str, ...]:
        return _roots(self.directory, data.get(key, [default]))


def _roots(directory: str, paths: Any) -> tuple[str, ...]:
    if not isinstance(paths, list):
        return ()
    return tuple(_join(directory, p) + "/" for p in paths if isinstance(p, str))


class _Scanner:
    def __init__(
        self, files: list[str], read_text: ReadText, read_yaml: ReadYaml, root: _Project
    ) -> None:
        self.files = files
        self.read_text = read_text
        self.read_yaml = read_yaml
        self.root = root
        self.target_name_comparisons: list[tuple[Location, str]] = []

    def models(self, project: _Project) -> Iterator[DbtModel]:
        sources = {
            path: rel
            for base in project.model_roots
            for path in under(self.files, base)
            if path.endswith(MODEL_SUFFIXES) and (rel := path[len(base) :])
        }
        properties = self._properties(project)
        names = {path: _stem(path) for path in sources}
        stems = {name: path for path, name in names.items()}
        claimed: set[str] = set()
        for name, entry in properties.items():
            for version in entry.versions:
                path = stems.get(version.defined_in or f"{name}_v{version.v}")
                if path is None:
                    continue
                claimed.add(path)
                yield self._model(project, path, sources[path], name, (version.v, entry, version))
        for path in sorted(set(sources) - claimed):
            name = names[path]
            own = properties.get(name)
            if own is not None and own.versions:
                continue  # a versioned model's own name without a version file: dbt's error
            yield self._model(project, path, sources[path], name, (None, own, None))

    def _model(
        self,
        project: _Project,
        path: str,
        relative: str,
        name: str,
        properties: tuple[str | None, _Properties | None, _Version | None],
    ) -> DbtModel:
        """``properties``: the version, the model's properties and the version's."""
        version, entry, declared = properties
        text = self.read_text(path) or ""
        in_file = _file_config(path, text)
        if project is self.root:
            self._note_target_name(path, text)
        folders = tuple(relative.split("/")[:-1])
        fqn = (project.name, *folders, name) + ((f"v{version}",) if version else ())
        config = {}
        for key in CONFIG_KEYS:
            root = _tree_setting(self.root, fqn, key) if project is not self.root else None
            setting = (
                root  # the root project's dbt_project.yml overrides all of a package's
                or in_file.get(key)
                or (declared.config.get(key) if declared else None)
                or (entry.config.get(key) if entry else None)
                or _tree_setting(project, fqn, key)
            )
            config[key] = setting
        return DbtModel(
            name=name,
            version=version,
            package=project.name,
            path=path,
            language="python" if path.endswith(".py") else "sql",
            materialized=config["materialized"],
            enabled=config["enabled"],
            refs=refs_in(text),
            latest=entry is None or version is None or version == entry.latest,
        )

    def _properties(self, project: _Project) -> dict[str, _Properties]:
        found: dict[str, _Properties] = {}
        for base in project.model_roots:
            for path in under(self.files, base):
                if not path.endswith(PROPERTY_SUFFIXES):
                    continue
                document = self.read_yaml(path)
                if document is None or not isinstance(document.data, dict):
                    continue
                entries = document.data.get("models")
                for index, entry in enumerate(entries if isinstance(entries, list) else []):
                    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                        found[entry["name"]] = _Properties.of(document, ("models", index), entry)
        return found

    def _note_target_name(self, path: str, text: str) -> None:
        if "target" not in text:
            return
        for match in TARGET_NAME_COMPARED.finditer(text):
            self.target_name_comparisons.extend(
                ((path, *_line_column(text, offset)), name)
                for offset, name in _compared_names(match)
            )

    def snapshots(self, root: _Project, data: dict[str, Any]) -> dict[str, str]:
        found: dict[str, str] = {}
        for base in root.paths(data, "snapshot-paths", "snapshots"):
            for path in under(self.files, base):
                if not path.endswith(".sql"):
                    continue
                text = self.read_text(path) or ""
                self._note_target_name(path, text)
                for match in SNAPSHOT_BLOCK.finditer(text):
                    found.setdefault(match.group(1), path)
        return found

    def macros(self, root: _Project, data: dict[str, Any]) -> dict[str, Location]:
        found: dict[str, Location] = {}
        for base in root.paths(data, "macro-paths", "macros"):
            for path in under(self.files, base):
                if not path.endswith(".sql"):
                    continue
                text = self.read_text(path) or ""
                self._note_target_name(path, text)
                for match in MACRO_BLOCK.finditer(text):
                    found.setdefault(match.group(1), (path, *_line_column(text, match.start())))
        return found


MACRO_BLOCK = re.compile(r"{%-?\s*macro\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")


@dataclass(frozen=True)
class _Version:
    v: str
    defined_in: str | None
    config: dict[str, Setting]


@dataclass(frozen=True)
class _Properties:
    config: dict[str, Setting]
    versions: tuple[_Version, ...]
    latest: str | None = None
    """The version ``ref()`` without ``v=`` means: ``latest_version:``, else the greatest."""

    @classmethod
    def of(
        cls, document: YamlDocument, path: tuple[str | int, ...], entry: dict[str, Any]
    ) -> _Properties:
        versions = []
        declared = entry.get("versions")
        for index, version in enumerate(declared if isinstance(declared, list) else []):
            if not isinstance(version, dict) or "v" not in version:
                continue
            defined_in = version.get("defined_in")
            versions.append(
                _Version(
                    version_text(version["v"]),
                    defined_in if isinstance(defined_in, str) else None,
                    _yaml_config(document, (*path, "versions", index), version),
                )
            )
        written = entry.get("latest_version")
        latest = version_text(written) if written is not None else _greatest(versions)
        return cls(_yaml_config(document, path, entry), tuple(versions), latest)


def _greatest(versions: list[_Version]) -> str | None:
    """dbt's default latest version: the greatest, numerically where the versions are numbers."""
    if not versions:
        return None

    def order(version: _Version) -> tuple[int, float, str]:
        try:
            return (1, float(version.v), version.v)
        except ValueError:
            return (0, 0.0, version.v)

    return max(versions, key=order).v


def refs_in(text: str) -> frozenset[str]:
    """What a model's ``ref()`` calls name: ``ref('pkg', 'name')`` → ``name``,
    ``ref('name', v=2)`` → ``name.v2``. Not a name Jinja builds (``ref('stg' ~ '_x')``):
    dbt's graph catches those at run time."""
    found: set[str] = set()
    if "ref" not in text:
        return frozenset()
    for match in REF.finditer(text):
        name = match.group(4) or match.group(2)
        found.add(f"{name}.v{match.group(5)}" if match.group(5) else name)
    return frozenset(found)


def _yaml_config(
    document: YamlDocument, path: tuple[str | int, ...], entry: dict[str, Any]
) -> dict[str, Setting]:
    config = entry.get("config")
    if not isinstance(config, dict):
        return {}
    return {
        key: _setting(document, (*path, "config", key), config[key])
        for key in CONFIG_KEYS
        if key in config
    }


def _tree_setting(project: _Project, fqn: tuple[str, ...], key: str) -> Setting | None:
    """dbt's ``models:`` tree: configs at each level down ``fqn``, the deepest winning."""
    node = project.models_config
    document = project.document
    if document is None or not isinstance(node, dict):
        return None  # no models: tree (most projects): nothing configured
    found = None
    path: tuple[str | int, ...] = ("models",)
    for part in ("", *fqn):
        if part:
            if not isinstance(node, dict) or not isinstance(node.get(part), dict):
                break
            node = node[part]
            path = (*path, part)
        if not isinstance(node, dict):
            break
        for written in (f"+{key}", key):
            if written in node and not isinstance(node[written], dict):
                found = _setting(document, (*path, written), node[written])
                break
    return found


def _setting(document: YamlDocument, path: tuple[str | int, ...], value: Any) -> Setting:
    line, column = document.locate(path)
    literal = value if isinstance(value, bool) or _plain(value) else None
    return Setting(literal, (document.file, line, column))


def _plain(value: Any) -> bool:
    return isinstance(value, str) and "{" not in value


def _file_config(path: str, text: str) -> dict[str, Setting]:
    """Literal ``materialized`` / ``enabled`` of the file's ``config(...)`` calls."""
    found: dict[str, Setting] = {}
    if "config" not in text:
        return found
    for call in CONFIG_CALL.finditer(text):
        end = _closing_parenthesis(text, call.end())
        for argument in CONFIG_ARGUMENT.finditer(text, call.end(), end):
            key, raw = argument.group(1), argument.group(2)
            value: Any = None
            if raw is not None and raw[0] in "'\"":
                value = raw[1:-1]
            elif raw is not None:
                value = raw.lower() == "true"
            rest = text[argument.end() : end].lstrip()
            if rest and rest[0] not in ",)":
                value = None  # an expression: enabled=false if ... else true
            found[key] = Setting(value, (path, *_line_column(text, argument.start())))
    return found


def _closing_parenthesis(text: str, start: int) -> int:
    depth = 1
    for index in range(start, min(len(text), start + 10_000)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return min(len(text), start + 10_000)


def _declared_packages(
    directory: str, files: list[str], read_yaml: ReadYaml
) -> Iterator[DeclaredPackage]:
    for name in PACKAGE_FILES:
        path = _join(directory, name)
        if path not in under(files, path):
            continue
        document = read_yaml(path)
        if document is None or not isinstance(document.data, dict):
            continue
        entries = document.data.get("packages")
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict):
                continue
            for key in ("package", "git", "local", "tarball", "private"):
                if isinstance(entry.get(key), str):
                    line, column = document.locate(("packages", index, key))
                    yield DeclaredPackage(entry[key], (document.file, line, column))
                    break


def _install_name(declared: str) -> str:
    """The directory ``dbt deps`` most likely installs a declared package into."""
    last = declared.rstrip("/").rsplit("/", 1)[-1]
    return last.removesuffix(".git").removesuffix(".tar.gz")


def _package_projects(files: list[str], install_root: str) -> list[str]:
    prefix = install_root + "/"
    return [
        path
        for path in under(files, prefix)
        if path.count("/", len(prefix)) == 1 and path.endswith("/dbt_project.yml")
    ]


def _by_stem(files: list[str], roots: tuple[str, ...], suffixes: tuple[str, ...]) -> dict[str, str]:
    return {
        _stem(path): path
        for base in roots
        for path in under(files, base)
        if path.endswith(suffixes)
    }


def version_text(value: Any) -> str:
    """A model version as dbt names its node and floe.yaml writes it: ``2`` (YAML's
    ``2`` or ``2.0``), ``beta``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def optional_version_text(value: Any) -> str | None:
    """``version_text``, or None for a model without versions."""
    return None if value is None else version_text(value)


def selector(name: str, version: str | None) -> str:
    """How dbt selects one node, and floe.yaml names it: ``dim_orders``, ``dim_orders.v2``."""
    return name if version is None else f"{name}.v{version}"


def _stem(path: str) -> str:
    """``models/a/orders.sql`` → ``orders`` (string slicing: called for every model file)."""
    name = path[path.rfind("/") + 1 :]
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def _join(directory: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(directory, path))


def _compared_names(match: re.Match[str]) -> Iterator[tuple[int, str]]:
    """The names a ``TARGET_NAME_COMPARED`` match compares with, each at its quote."""
    for group in range(1, 5):
        if match.group(group) is not None:
            yield match.start(group) - 1, match.group(group)
    listed = match.group(5)
    if listed is not None:
        for item in QUOTED_ITEM.finditer(listed):
            yield match.start(5) + item.start(), item.group(1) or item.group(2) or ""


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
