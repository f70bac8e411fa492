"""Pydantic validation errors as located problems, with a did-you-mean for unknown keys.

Input values are never echoed: a wrongly typed value may be a secret.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from floe_gate.load.yaml_document import KeyPath, YamlDocument
from floe_gate.problems import Problem, Severity
from floe_gate.rules.fg002_invalid_configuration import ID as INVALID_CONFIGURATION


def validation_problems(
    document: YamlDocument,
    error: ValidationError,
    *,
    model: type[BaseModel],
    base: KeyPath = (),
    context: str = "",
) -> list[Problem]:
    """One problem per validation error, at the key or value it concerns."""
    return [_problem(document, detail, model, base, context) for detail in error.errors()]


def _problem(
    document: YamlDocument,
    detail: ErrorDetails,
    model: type[BaseModel],
    base: KeyPath,
    context: str,
) -> Problem:
    loc, key, message = describe_error(detail, model, _value_at(document.data, base), base)
    line, column = document.locate((*base, *loc), key=key)
    prefix = f"{context}: " if context else ""
    return Problem(
        document.file, line, column, INVALID_CONFIGURATION, Severity.ERROR, prefix + message
    )


def describe_error(
    detail: ErrorDetails, model: type[BaseModel], data: object, shown_base: KeyPath = ()
) -> tuple[KeyPath, bool, str]:
    """``(path in data, at its key?, message)`` for one validation error of ``data``."""
    loc = _data_loc(data, detail["loc"], detail["type"])
    dotted = ".".join(str(part) for part in (*shown_base, *loc)) or "document"
    if detail["type"] == "extra_forbidden":
        known = _known_keys(model, loc)
        return loc, True, f"unknown key {dotted!r}{_suggestion(str(loc[-1]), known)}"
    if detail["type"] == "missing":
        return loc[:-1], False, f"missing required key {dotted!r}"
    return loc, False, f"{dotted}: {_without_prefix(detail['msg'])}"


def _data_loc(data: object, loc: tuple[str | int, ...], error_type: str) -> KeyPath:
    """``loc`` without the union members pydantic adds to it, keeping every key of the data.

    A user's key may look like a union member (``Token``, ``str``), so a part that names a
    key or item of the data is always kept.
    """
    kept: list[str | int] = []
    current: object = data
    for index, part in enumerate(loc):
        names_data = (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        )
        missing_key = error_type == "missing" and index == len(loc) - 1
        if names_data or missing_key or not _is_union_branch(part):
            kept.append(part)
            current = current[part] if names_data else None  # type: ignore[index]
    return tuple(kept)


def _value_at(data: object, path: KeyPath) -> object:
    for part in path:
        try:
            data = data[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _is_union_branch(part: str | int) -> bool:
    # pydantic adds the tried union member ("str", "EnvRef", "function-after[...]") to loc;
    # a string with a length limit is "constrained-str".
    return isinstance(part, str) and (
        part[:1].isupper()
        or "[" in part
        or part in {"str", "constrained-str", "int", "float", "bool"}
    )


def _without_prefix(message: str) -> str:
    return message.removeprefix("Value error, ")


def _known_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> Iterable[str]:
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None or isinstance(part, int):
            continue
        field = current.model_fields.get(str(part))
        current = _model_of(field.annotation) if field else None
    return current.model_fields if current is not None else ()


def _model_of(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_of(argument)
        if found is not None:
            return found
    return None


def _suggestion(key: str, known: Iterable[str]) -> str:
    import difflib  # only for an unknown key

    options = sorted(known)
    close = difflib.get_close_matches(key, options, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{hint} (known keys: {', '.join(options)})" if options else hint
