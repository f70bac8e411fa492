"""Load a whole platform repository: manifest, policy tree, waivers, data products.

Everything that can be read is read; everything that cannot becomes a located
problem, so that one run reports every problem at once.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from floe_gate.compute.models import MAX_STRING_LENGTH
from floe_gate.config.models import DataProduct, Manifest, Policy, Waivers
from floe_gate.load.dbt_project import DbtProject, read_dbt_project
from floe_gate.load.sources import CannotJudge, FileSource
from floe_gate.load.validation import validation_problems
from floe_gate.load.yaml_document import (
    MAX_FILE_BYTES,
    FileTooLarge,
    KeyPath,
    YamlDocument,
    load_yaml,
    too_large,
)
from floe_gate.problems import Problem, ProblemsFound, Severity
from floe_gate.rules.fg001_invalid_yaml import ID as INVALID_YAML
from floe_gate.rules.fg002_invalid_configuration import ID as INVALID_CONFIGURATION

PRODUCT_FILE = "floe.yaml"
POLICY_FILE = "policy.yaml"
WAIVERS_FILE = "waivers.yaml"
DBT_PROJECT_FILE = "dbt_project.yml"

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Loaded(Generic[ModelT]):
    """A validated file and the document that remembers where each value was written."""

    file: str
    model: ModelT
    document: YamlDocument


@dataclass(frozen=True)
class PolicyNode:
    domain: str
    policy: Loaded[Policy]


@dataclass(frozen=True)
class ProductNode:
    product: Loaded[DataProduct]
    dbt: DbtProject | None


@dataclass
class Repository:
    manifest: Loaded[Manifest]
    policy_root: str
    policies: dict[str, PolicyNode] = field(default_factory=dict)
    products: list[ProductNode] = field(default_factory=list)
    waivers: Loaded[Waivers] | None = None
    problems: list[Problem] = field(default_factory=list)
    broken_policies: dict[str, str] = field(default_factory=dict)
    """Domain → its policy file, which exists but is invalid (its problems are reported)."""
    broken_dbt_projects: set[str] = field(default_factory=set)
    """``dbt_project.yml`` files that exist but are not valid YAML."""
    broken_products: dict[str, str | None] = field(default_factory=dict)
    """``floe.yaml`` files that exist but are invalid → the ``name:`` written in them
    (None when not even that can be read); their problems are reported."""
    source: FileSource | None = None
    """Where the files came from, for what reads more than YAML (compile's ref scan)."""
    files: list[str] = field(default_factory=list)
    """Every file of ``source``, sorted, as listed once for the load."""


class ParseCache:
    """Parsed YAML by file and content, shared by the loads of one run.

    Parity loads the same repository at several refs whose files are mostly
    identical; each distinct content is parsed once.
    """

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, bytes], YamlDocument | list[Problem]] = {}

    def document(
        self, file: str, content: bytes, *, max_bytes: int = MAX_FILE_BYTES
    ) -> YamlDocument:
        key = (file, content)  # bytes hash and compare fast; no digest module to import
        if key not in self._parsed:
            try:
                self._parsed[key] = load_yaml(file, content, max_bytes=max_bytes)
            except ProblemsFound as found:
                self._parsed[key] = found.problems
        parsed = self._parsed[key]
        if isinstance(parsed, list):
            raise ProblemsFound(list(parsed))
        return parsed


def load_repository(
    source: FileSource, manifest_file: str = "manifest.yaml", *, cache: ParseCache | None = None
) -> Repository:
    """Read the platform; ``CannotJudge`` if there is no usable manifest at all."""
    reader = _Reader(source, cache or ParseCache())
    files = reader.files()
    problems: list[Problem] = []
    manifest_file = posixpath.normpath(manifest_file)  # ./manifest.yaml is manifest.yaml
    skipped = reader.source.skipped()
    if manifest_file in skipped:
        raise CannotJudge(f"{manifest_file} is {skipped[manifest_file]}")
    problems.extend(_not_read(skipped))
    if manifest_file not in files:
        raise CannotJudge(f"no manifest: {manifest_file} is not in the repository")
    manifest = _load(reader, manifest_file, Manifest, problems)
    if manifest is None:
        raise _unusable_manifest(manifest_file, problems)
    reader.max_bytes = manifest.model.max_file_bytes
    policy_root = posixpath.normpath(
        posixpath.join(posixpath.dirname(manifest_file), manifest.model.policies)
    )
    repository = Repository(
        manifest=manifest, policy_root=policy_root, problems=problems, source=source, files=files
    )
    if policy_root == ".." or policy_root.startswith(("../", "/")):
        problems.append(
            Problem(manifest_file, *manifest.document.locate(("policies",)), INVALID_CONFIGURATION,
                    Severity.ERROR, "policies: the policy tree must be inside the repository")
        )  # fmt: skip
    else:
        _load_policies(reader, files, repository)
    _load_products(reader, files, repository)
    problems.extend(reader.too_large)
    return repository


_READ_NAMES = {PRODUCT_FILE, POLICY_FILE, WAIVERS_FILE, DBT_PROJECT_FILE}


def _not_read(skipped: dict[str, str]) -> list[Problem]:
    """A configuration file or SQL model that is a symlink (or not a file) is a located problem.

    Other files (a symlinked script, say) are left out silently: the gate reads none of them.
    """
    return [
        Problem(path, 1, 1, INVALID_YAML, Severity.ERROR, f"not read: {why}")
        for path, why in sorted(skipped.items())
        if posixpath.basename(path) in _READ_NAMES or path.endswith(".sql")
    ]


class ManifestUnusable(CannotJudge):
    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


def _unusable_manifest(manifest_file: str, problems: list[Problem]) -> ManifestUnusable:
    return ManifestUnusable(f"{manifest_file} cannot be used", problems)


def _load_policies(source: _Reader, files: list[str], repository: Repository) -> None:
    prefix = "" if repository.policy_root == "." else repository.policy_root + "/"
    for file in files:
        if not file.startswith(prefix):
            continue
        relative = file[len(prefix) :]
        if relative == WAIVERS_FILE:
            repository.waivers = _load(source, file, Waivers, repository.problems)
        elif posixpath.basename(relative) == POLICY_FILE and "/" in relative:
            loaded = _load(source, file, Policy, repository.problems)
            domain = posixpath.dirname(relative)
            if loaded is not None:
                repository.policies[domain] = PolicyNode(domain, loaded)
            else:
                repository.broken_policies[domain] = file


def _load_products(source: _Reader, files: list[str], repository: Repository) -> None:
    documents: dict[str, DbtProject] = {}
    known = set(files)
    sorted_files = sorted(files)
    broken = repository.broken_dbt_projects
    for file in files:
        if posixpath.basename(file) != PRODUCT_FILE:
            continue
        loaded = _load(source, file, DataProduct, repository.problems)
        if loaded is None:
            repository.broken_products[file] = _written_name(source, file)
            continue
        dbt_file = posixpath.normpath(
            posixpath.join(posixpath.dirname(file), loaded.model.dbt_project, DBT_PROJECT_FILE)
        )
        if dbt_file not in documents and dbt_file not in broken and dbt_file in known:
            document = _document(source, dbt_file, repository.problems)
            if document is not None:
                documents[dbt_file] = read_dbt_project(
                    dbt_file, document, sorted_files, source.text, source.quiet_document
                )
            else:
                repository.broken_dbt_projects.add(dbt_file)
        repository.products.append(ProductNode(loaded, documents.get(dbt_file)))


def _written_name(source: _Reader, file: str) -> str | None:
    """The ``name:`` of a floe.yaml that failed to load, if it can be read at all (its
    problems are reported already: not through ``quiet_document``, which records them)."""
    try:
        data: Any = source.document(file).data
    except (ProblemsFound, OSError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


MAX_MODEL_BYTES = 16 * 1024 * 1024
"""The bound on a dbt model, macro or snapshot file the scan reads (FG001): fixed, as
these are no configuration files (``max_file_bytes``), and far above written SQL."""


def model_too_large(file: str, size: int) -> Problem:
    message = (
        f"file of {size:,} bytes is over the limit of {MAX_MODEL_BYTES:,} bytes for a dbt "
        "model, macro or snapshot: not read, so its config is not judged"
    )
    return Problem(file, 1, 1, INVALID_YAML, Severity.ERROR, message)


class _Reader:
    """The source, with its YAML parsed through the run's cache."""

    def __init__(self, source: FileSource, cache: ParseCache) -> None:
        self.source = source
        self.cache = cache
        self.max_bytes = MAX_FILE_BYTES
        self.too_large: list[Problem] = []
        """dbt properties, model, macro and snapshot files refused for their size (they are
        located problems too)."""

    def files(self) -> list[str]:
        return self.source.files()

    def document(self, file: str) -> YamlDocument:
        """The parsed file; a file over ``max_bytes`` is refused before it is read."""
        size = self.source.size(file)
        if size > self.max_bytes:
            raise too_large(file, size, self.max_bytes)
        return self.cache.document(file, self.source.read(file), max_bytes=self.max_bytes)

    def text(self, file: str) -> str | None:
        """A model's, macro's or snapshot's text; None if unreadable (dbt reports that, not
        the gate) or over ``MAX_MODEL_BYTES`` (a located problem: it is not read)."""
        try:
            size = self.source.size(file)
            if size > MAX_MODEL_BYTES:
                if all(problem.file != file for problem in self.too_large):
                    self.too_large.append(model_too_large(file, size))
                return None
            return self.source.read(file).decode("utf-8", errors="replace")
        except OSError:
            return None

    def quiet_document(self, file: str) -> YamlDocument | None:
        """A dbt properties or packages file; None if absent or not YAML the gate reads.

        dbt's own YAML loader is laxer than the gate's (it accepts duplicate keys): what
        dbt would refuse is dbt's to report, what it accepts must not become a problem. A
        file over the size limit is the exception: skipping it would hide it from the gate.
        """
        try:
            return self.document(file)
        except FileTooLarge as refused:
            if all(problem.file != file for problem in self.too_large):
                self.too_large.extend(refused.problems)
            return None
        except (ProblemsFound, OSError):
            return None


def _document(source: _Reader, file: str, problems: list[Problem]) -> YamlDocument | None:
    try:
        return source.document(file)
    except ProblemsFound as found:
        problems.extend(found.problems)
    except OSError as error:
        problems.append(Problem(file, 1, 1, INVALID_YAML, Severity.ERROR, f"unreadable: {error}"))
    return None


def _load(
    source: _Reader, file: str, model: type[ModelT], problems: list[Problem]
) -> Loaded[ModelT] | None:
    document = _document(source, file, problems)
    if document is None:
        return None
    data: Any = document.data
    if not isinstance(data, dict):
        problems.append(
            Problem(file, *document.locate(()), INVALID_CONFIGURATION, Severity.ERROR,
                    f"{model.__name__} must be a mapping (apiVersion, kind, ...)")
        )  # fmt: skip
        return None
    wrong_keys = [] if _keys_usable(data) else list(_unusable_keys(document, data, ()))
    if wrong_keys:
        problems.extend(wrong_keys)
        return None
    try:
        return Loaded(file, model.model_validate(data), document)
    except ValidationError as error:
        problems.extend(validation_problems(document, error, model=model))
        return None


def _unusable_keys(document: YamlDocument, data: object, path: KeyPath) -> Iterator[Problem]:
    """Keys that are no names, each at that key: a key YAML reads as something else
    (``~``, ``.nan``, a date, ``!!binary``), or one longer than any string may be.

    The key itself is not echoed.
    """
    children: list[tuple[str | int, object]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            reason = _unusable_key(key)
            if reason is None:
                children.append((key, value))
                continue
            where = ".".join(str(part) for part in path) or "document"
            yield Problem(
                document.file, *document.locate((*path, key), key=True), INVALID_CONFIGURATION,
                Severity.ERROR, f"{where}: {reason}",
            )  # fmt: skip
    elif isinstance(data, list):
        children = list(enumerate(data))
    for key, value in children:
        if isinstance(value, (dict, list)):  # only they have keys
            yield from _unusable_keys(document, value, (*path, key))


def _keys_usable(data: object) -> bool:
    """Whether ``_unusable_keys`` finds nothing: the usual answer, found without a
    generator and a key path per value."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str) or len(key) > MAX_STRING_LENGTH:
                return False
            if isinstance(value, (dict, list)) and not _keys_usable(value):
                return False
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, (dict, list)) and not _keys_usable(item):
                return False
    return True


def _unusable_key(key: object) -> str | None:
    if not isinstance(key, str):
        return f"a key must be a string, not {_kind(key)} (quote it to mean the text)"
    if len(key) > MAX_STRING_LENGTH:
        return f"a key of {len(key)} characters is longer than {MAX_STRING_LENGTH}"
    return None


def _kind(key: object) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "a boolean"
    if isinstance(key, int | float):
        return "a number"
    if isinstance(key, bytes):
        return "binary data"
    if isinstance(key, date):
        return "a date"
    return type(key).__name__
