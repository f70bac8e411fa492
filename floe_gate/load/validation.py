"""Pydantic validation errors as located problems, with a did-you-mean for unknown keys.

Input values are never echoed: a wrongly typed value may be a secret.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from floe_gate.load.yaml_document import Path, YamlDocument
from floe_gate.problems import Problem, Severity

RULE = "FG002"


def validation_problems(
    document: YamlDocument,
    error: ValidationError,
    *,
    model: type[BaseModel],
    base: Path = (),
    context: str = "",
) -> list[Problem]:
    """One problem per validation error, at the key or value it concerns."""
    return [_problem(document, detail, model, base, context) for detail in error.errors()]


def _problem(
    document: YamlDocument, detail: ErrorDetails, model: type[BaseModel], base: Path, context: str
) -> Problem:
    loc = tuple(part for part in detail["loc"] if not _is_union_branch(part))
    path = (*base, *loc)
    dotted = ".".join(str(part) for part in path) or "document"
    if detail["type"] == "extra_forbidden":
        line, column = document.locate(path, key=True)
        message = f"unknown key {dotted!r}{_suggestion(str(loc[-1]), _known_keys(model, loc))}"
    elif detail["type"] == "missing":
        line, column = document.locate(path[:-1])
        message = f"missing required key {dotted!r}"
    else:
        line, column = document.locate(path)
        message = f"{dotted}: {_without_prefix(detail['msg'])}"
    prefix = f"{context}: " if context else ""
    return Problem(document.file, line, column, RULE, Severity.ERROR, prefix + message)


def _is_union_branch(part: str | int) -> bool:
    # pydantic adds the tried union member ("str", "EnvRef", "function-after[...]") to loc.
    return isinstance(part, str) and (
        part[:1].isupper() or "[" in part or part in {"str", "int", "float", "bool"}
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
    options = sorted(known)
    close = difflib.get_close_matches(key, options, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{hint} (known keys: {', '.join(options)})" if options else hint
