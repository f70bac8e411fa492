"""Which settings hold literal credentials (shared by FG203, FG401 and FG402)."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from floe_gate.compute.models import EnvRef
from floe_gate.compute.secrets import is_credential_name as is_secret_key
from floe_gate.compute.secrets import (
    is_literal,
    is_user_with_password,
    secret_in_value,
    without_url_password,
)
from floe_gate.load.yaml_document import KeyPath

__all__ = [
    "BY_NAME",
    "is_literal",
    "is_literal_secret",
    "is_secret_key",
    "literal_secret",
    "redact_literal_secrets",
]

REDACTED = "FLOE_GATE_REDACTED"
BY_NAME = "a credential by its name"


def literal_secret(
    key: object, value: Any, path: KeyPath, model: type[BaseModel] | None
) -> str | None:
    """What literal secret ``key: value`` at ``path`` in an engine's settings holds (FG401),
    e.g. "a password in a URL"; None if it holds none. Never the value itself.

    A value is a secret by its shape (:func:`secret_in_value`), a login name by a
    ``name:password`` form, and any other literal by its key's name, unless the
    plugin's config ``model`` declares that very field as a plain value rather than a
    credential (DuckDB's ``attach[].secret`` names a secret; it is not one).
    """
    found = secret_in_value(value)
    if found is not None:
        return found
    if is_user_with_password(key, value):
        return "a password after the user name"
    if not (is_secret_key(key) and is_literal(value)):
        return None
    declared = model is not None and isinstance(key, str) and _declared_plain(model, (*path, key))
    return None if declared else BY_NAME


def is_literal_secret(
    key: object, value: Any, path: KeyPath, model: type[BaseModel] | None
) -> bool:
    """Whether ``key: value`` at ``path`` in an engine's settings is a literal secret (FG401)."""
    return literal_secret(key, value, path, model) is not None


def redact_literal_secrets(
    value: Any,
    found: list[KeyPath] | None = None,
    path: KeyPath = (),
    model: type[BaseModel] | None = None,
) -> Any:
    """``value`` with every literal secret (what FG401 reports) replaced by a stand-in.

    FG401 reports literal secrets; the other rules judge settings as if each were a
    reference, so that a literal secret is reported once and hides no other mistake.
    The stand-in is an ``{env: NAME}`` reference where the setting takes one, else the
    value without its URL password (or a placeholder). ``found`` collects the paths of
    the secrets replaced.
    """
    if isinstance(value, dict):
        return {
            key: _redacted(key, item, found, (*path, key), model) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redacted(None, item, found, (*path, i), model) for i, item in enumerate(value)]
    return value


def _redacted(
    key: object,
    item: Any,
    found: list[KeyPath] | None,
    path: KeyPath,
    model: type[BaseModel] | None,
) -> Any:
    if not is_literal_secret(key, item, path[:-1], model):
        return redact_literal_secrets(item, found, path, model)
    if found is not None:
        found.append(path)
    if model is not None and _declared_plain(model, path):
        stripped = without_url_password(item) if isinstance(item, str) else item
        return stripped if secret_in_value(stripped) is None and stripped != item else REDACTED
    return {"env": REDACTED}


def _declared_plain(model: type[BaseModel], path: KeyPath) -> bool:
    """Whether ``path`` is a named field of a ``model`` (not a key the user chose, as in a
    mapping or extra keys) whose type admits no ``{env: NAME}``."""
    annotation: Any = model
    named = False
    for part in path:
        annotation, named = _child(annotation, part)
        if annotation is None:
            return False
    return named and not _admits_env_ref(annotation)


def _child(annotation: Any, part: str | int) -> tuple[Any, bool]:
    """The type of ``part`` inside a value of type ``annotation`` (None if not declared),
    and whether ``part`` is a field the model names."""
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            field = member.model_fields.get(part) if isinstance(part, str) else None
            if field is not None:
                return field.annotation, True
        origin, arguments = typing.get_origin(member), typing.get_args(member)
        if origin is list and isinstance(part, int) and arguments:
            return arguments[0], False
        if origin is dict and isinstance(part, str) and len(arguments) == 2:
            return arguments[1], False
    return None, False


def _members(annotation: Any) -> list[Any]:
    """The types a value of ``annotation`` may have (unions and ``Annotated`` unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [m for argument in typing.get_args(annotation) for m in _members(argument)]
    return [annotation]


def _admits_env_ref(annotation: Any) -> bool:
    return any(
        member is Any
        or (isinstance(member, type) and issubclass(member, EnvRef))
        or typing.get_origin(member) is not None
        for member in _members(annotation)
    )
