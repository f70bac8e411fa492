"""FG401 — a literal secret in committed configuration.

Committed configuration never holds secrets: they end up verbatim in the generated
``profiles.yml``, in logs and in every clone. A credential must be an environment
reference, rendered into profiles as ``{{ env_var('NAME') }}``::

    targets:
      snowflake:
        password: hunter2                   # FG401
        password: {env: SNOWFLAKE_PASSWORD} # fine

Every value under ``compute`` (the manifest's targets, environments and
``shared_storage``, and every policy's) is judged three ways:

* by its key's name, on every segment of a dotted key: ``password``, ``token``,
  ``secret``, ``private_key``, ``key_id``, ``access_key``, ``account_key``,
  ``api_key``, ``credential``, ``passphrase``, ``hmac``, ``sas``, … (so Spark's
  ``spark.hadoop.fs.s3a.access.key`` and ``…fs.azure.account.key.ACCOUNT…`` are
  credentials);
* by a password in a URL's user information: ``postgres://admin:PW@host/db``,
  ``s3://KEY:SECRET@bucket``, ``user:pw@host``, or in a connection string
  (``password=…``, ``AccountKey=…``); and a login name written ``name:password``;
* by the shape of a well-known credential: AWS access key ids, PEM private keys,
  Azure SAS signatures (``…&sig=…``), GCS HMAC key ids, GitHub, Slack, Google and
  Databricks tokens, JSON web tokens.

A setting the engine's plugin declares as a plain value is not a credential by its
name alone (DuckDB's ``attach[].secret`` is the *name* of a secret). A URL takes no
password: keep it out (a DuckDB ``secrets`` entry, or the engine's own credential
settings, each ``{env: NAME}``). The value itself is never printed, and FG401 cannot
be waived (FG501): a secret that was committed must be removed and rotated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from floe_gate.context import Context
from floe_gate.load.yaml_document import KeyPath, YamlDocument
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin
from floe_gate.resolve.secrets import BY_NAME, literal_secret

ID = "FG401"
TITLE = "literal secret"


def check(context: Context) -> Iterator[Problem]:
    repository = context.repository
    yield from _scan(context, repository.manifest.document, ("compute",))
    for node in repository.policies.values():
        yield from _scan(context, node.policy.document, ("compute",))


def _scan(context: Context, document: YamlDocument, base: KeyPath) -> Iterator[Problem]:
    value: Any = document.data
    for part in base:
        value = value.get(part) if isinstance(value, dict) else None
    yield from _walk(context, document, base, value)


def _walk(context: Context, document: YamlDocument, path: KeyPath, value: Any) -> Iterator[Problem]:
    """Literal secrets in ``value`` at ``path`` (a key path under ``compute``)."""
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return
    engine_at = _engine_at(path)
    model = _model(context, path, engine_at) if engine_at is not None else None
    settings_path = path[engine_at + 1 :] if engine_at is not None else ()
    for key, item in items:
        name = key if isinstance(value, dict) else None
        what = literal_secret(name, item, settings_path, model)
        if what is None:
            yield from _walk(context, document, (*path, key), item)
            continue
        dotted = ".".join(str(part) for part in (*path, key))
        yield located(
            Origin.of(document, (*path, key)),
            ID,
            f"{dotted} holds a literal secret{'' if what == BY_NAME else f' ({what})'}; "
            + _advice(what),
        )


def _advice(what: str) -> str:
    if "URL" in what or "connection string" in what:
        return (
            "take the credential out and pass it as an environment reference {env: NAME} "
            "(the engine's credential settings, or a DuckDB secret)"
        )
    return "write an environment reference {env: NAME} instead"


def _engine_at(path: KeyPath) -> int | None:
    """Where in ``path`` the engine is named: ``compute.targets.ENGINE``,
    ``compute.environments.ENV.ENGINE``; None outside engine settings."""
    if path[1:2] == ("targets",):
        return 2 if len(path) > 2 else None
    if path[1:2] == ("environments",):
        return 3 if len(path) > 3 else None
    return None


def _model(context: Context, path: KeyPath, engine_at: int) -> type[BaseModel] | None:
    """The config model of the engine whose settings ``path`` is in, if its plugin is usable."""
    engine = path[engine_at]
    if not isinstance(engine, str) or context.unusable(engine):
        return None
    return context.registry.get(engine).config_model
