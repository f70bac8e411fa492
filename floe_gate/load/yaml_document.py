"""YAML with locations: every key and list item keeps its ``line:col``.

Parsing goes through libyaml (the C composer); values are built here so that
duplicate keys are caught, size, depth and alias expansion are bounded (a huge file
or an alias bomb ends as a located problem, not as exhausted memory) and nothing but
plain data (mappings, lists, scalars) is ever constructed.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml

from floe_gate.problems import Problem, ProblemsFound, Severity
from floe_gate.rules.fg001_invalid_yaml import ID as INVALID_YAML

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_FILE_BYTES = 1024 * 1024
"""The default bound on a configuration file's size (the manifest's ``max_file_bytes``)."""
INDICATORS = (":", "-", "[", "{", "?", ",")
"""What starts a mapping (``key:``, ``? key``, ``{``), a sequence (``- item``, ``[``) or
separates the items of a flow collection (``,``)."""

# A key path inside a YAML document: mapping keys and sequence indexes, outermost first
# (not a filesystem path).
KeyPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A parsed YAML file: its value and where each part of it was written."""

    file: str
    data: Any
    locations: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    """Where each value starts."""
    key_locations: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    """Where the key of each mapping entry starts."""

    def locate(self, path: KeyPath, *, key: bool = False) -> tuple[int, int]:
        """``(line, col)`` of ``path`` (its key if ``key``), or of its nearest located ancestor."""
        if key and path in self.key_locations:
            return self.key_locations[path]
        for end in range(len(path), -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found
        return (1, 1)


def load_yaml(file: str, content: bytes, *, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Parse one YAML document; ``ProblemsFound`` (rule FG001) if it is not valid YAML."""
    if len(content) > max_bytes:
        raise too_large(file, len(content), max_bytes)
    text = _decode(file, content)
    try:
        _refuse_deep_nesting_and_too_many_values(file, text)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        line, column = _error_location(text, error)
        raise _problem(file, line, column, f"invalid YAML: {_one_line(error)}") from None
    except yaml.reader.ReaderError as error:  # a character YAML forbids, e.g. a control character
        line, column = _reader_error_location(text, error.position)
        reason = str(error).split("\n", 1)[0]
        raise _problem(file, line, column, f"invalid YAML: {reason}") from None
    except yaml.YAMLError as error:
        raise _problem(file, 1, 1, f"invalid YAML: {error}") from None
    document = YamlDocument(file=file, data=None)
    if node is not None:
        document.data = _Builder(document).build(node, (), 0)
    return document


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    _resolved: dict[tuple[type[yaml.Node], str | None, Any], str] = {}  # noqa: RUF012

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
        """The implicit tag (``!!int``, ``!!str``...), as PyYAML resolves it, remembered.

        The composer asks for every node, and the answer depends on nothing else: the
        regular expressions run once per distinct short scalar of the run, not per node.
        """
        key = (kind, value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if value is None or len(value) <= _REMEMBERED_SCALAR_LENGTH:
                self._resolved[key] = tag
        return tag


_REMEMBERED_SCALAR_LENGTH = 128
"""Longer scalars (descriptions, SQL) rarely repeat: they are resolved each time, and
the memo stays small."""


def _error_location(text: str, error: yaml.MarkedYAMLError) -> tuple[int, int]:
    """Where the user can act: a line of the file, never the one past its end.

    At the end of the stream PyYAML's problem mark points one line past the file (``8:1`` in
    a 7-line file, which GitHub cannot annotate); the context mark ("while parsing a flow
    sequence") then says where the unfinished construct starts, else the last line does.
    """
    lines = text.splitlines() or [""]
    for mark in (error.problem_mark, error.context_mark):
        if mark is not None and mark.line < len(lines):
            return mark.line + 1, min(mark.column, len(lines[mark.line])) + 1
    return len(lines), 1


def _one_line(error: yaml.YAMLError) -> str:
    """The reason without PyYAML's ``in "<unicode string>", line 3, column 5`` lines."""
    problem = getattr(error, "problem", None)
    reason = problem if isinstance(problem, str) and problem else str(error)
    return " ".join(reason.split())


def _decode(file: str, content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_location(content, error.start)
        raise _problem(file, line, column, "file is not valid UTF-8") from None


def _byte_location(content: bytes, offset: int) -> tuple[int, int]:
    """``(line, col)`` of a byte offset, the column counted in characters as YAML marks are."""
    before = content[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", "replace")) + 1


def _reader_error_location(text: str, position: int) -> tuple[int, int]:
    # libyaml reports a byte offset into the UTF-8 text, PyYAML's own reader a character index.
    if issubclass(_Loader, yaml.SafeLoader):
        position = len(text[:position].encode("utf-8"))
    return _byte_location(text.encode("utf-8"), position)


class FileTooLarge(ProblemsFound):
    """A file refused for its size, before it is parsed (or even read)."""


def too_large(file: str, size: int, max_bytes: int) -> FileTooLarge:
    message = (
        f"file of {size:,} bytes is over the limit of {max_bytes:,} bytes "
        "(the manifest's max_file_bytes)"
    )
    return FileTooLarge([Problem(file, 1, 1, INVALID_YAML, Severity.ERROR, message)])


def _refuse_deep_nesting_and_too_many_values(file: str, text: str) -> None:
    """Stop deep nesting and huge documents before composing, from the stream of events.

    libyaml's composer recurses, and crashes on deep nesting; a document of millions of
    values would take gigabytes as nodes. The first value deeper than ``MAX_DEPTH`` is
    refused where the builder would refuse it, the first value past ``MAX_NODES`` where
    it is written (aliases count once here; the builder bounds what they expand to).
    """
    # Each collection starts at an indicator and its values are next to one (key: value,
    # - item, a, b): with no more of them than MAX_DEPTH, no value can be deeper nor the
    # values many, and the events need not be parsed twice.
    if sum(text.count(indicator) for indicator in INDICATORS) <= MAX_DEPTH:
        return
    depth = 0  # collections open around the next event: the depth of the value it starts
    values = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.NodeEvent):
            if depth > MAX_DEPTH:
                raise _problem(file, *_mark(event), f"nesting deeper than {MAX_DEPTH}")
            values += 1
            if values > MAX_NODES:
                raise _problem(file, *_mark(event), f"too many values (more than {MAX_NODES})")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _mark(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _problem(file: str, line: int, column: int, message: str) -> ProblemsFound:
    return ProblemsFound([Problem(file, line, column, INVALID_YAML, Severity.ERROR, message)])


class _Builder:
    """Plain data from the node tree, and where each value and key was written.

    Called for every value of every file (tens of thousands in a large platform), so
    scalars, the most values, are handled in place, without a call of their own.
    """

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.locations = document.locations
        self.key_locations = document.key_locations
        self.constructor = yaml.constructor.SafeConstructor()
        self.nodes = 0

    def build(self, node: yaml.Node, path: KeyPath, depth: int) -> Any:
        self._count(node, depth)
        mark = node.start_mark
        self.locations[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _count(self, node: yaml.Node, depth: int) -> None:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            self._refuse(node, depth)

    def _refuse(self, node: yaml.Node, depth: int) -> NoReturn:
        if depth > MAX_DEPTH:
            raise _problem(self.document.file, *_position(node), f"nesting deeper than {MAX_DEPTH}")
        raise _problem(
            self.document.file,
            *_position(node),
            f"more than {MAX_NODES} values after expanding aliases (an alias bomb?)",
        )

    def _mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        key_locations = self.key_locations
        depth += 1  # of its keys and values
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                raise _problem(
                    self.document.file, *_position(key_node), "merge keys (<<) are not supported"
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise _problem(self.document.file, *_position(key_node), "keys must be scalars")
            self.nodes += 1  # _count(), in place
            if depth > MAX_DEPTH or self.nodes > MAX_NODES:
                self._refuse(key_node, depth)
            key = key_node.value if key_node.tag == STRING_TAG else self._scalar(key_node)
            if key in result:
                first = key_locations[(*path, key)]
                raise _problem(
                    self.document.file,
                    *_position(key_node),
                    f"duplicate key {key!r} (first written at line {first[0]})",
                )
            key_path = (*path, key)
            mark = key_node.start_mark
            key_locations[key_path] = (mark.line + 1, mark.column + 1)
            if value_node.tag == STRING_TAG and isinstance(value_node, yaml.ScalarNode):
                # build() for the most common value, a string, in place
                self.nodes += 1
                if depth > MAX_DEPTH or self.nodes > MAX_NODES:
                    self._refuse(value_node, depth)
                mark = value_node.start_mark
                self.locations[key_path] = (mark.line + 1, mark.column + 1)
                result[key] = value_node.value
            else:
                result[key] = self.build(value_node, key_path, depth)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == STRING_TAG:  # most values: the constructor would return it as it is
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            raise _problem(
                self.document.file, *_position(node), f"invalid value: {_one_line(error)}"
            ) from None
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError):
            # SafeConstructor fails with bare Python errors, e.g. on ``!!int abc``, ``!!int ""``,
            # ``!!bool x`` or an integer of more than 4300 digits. The value is not echoed.
            raise _problem(
                self.document.file, *_position(node), f"invalid value for the tag {node.tag}"
            ) from None


MERGE_TAG = "tag:yaml.org,2002:merge"
STRING_TAG = "tag:yaml.org,2002:str"


def _position(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)
