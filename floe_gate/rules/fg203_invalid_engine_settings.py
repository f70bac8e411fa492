"""FG203 — engine settings its plugin does not accept.

Target settings (``compute.targets.<engine>`` in the manifest, deep-merged with the
policies down a product's chain, then with ``compute.environments.<env>.<engine>``)
are validated by the engine's own plugin, because dbt adapters silently ignore
settings they do not know::

    compute:
      targets:
        duckdb: {memory_limit: lots}   # FG203: 'lots' is not a size DuckDB accepts

When every engine the manifest approves fails validation, one more error at
``compute.approved`` says so: no transform could run anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

from floe_gate.load.validation import describe_error
from floe_gate.problems import Problem
from floe_gate.resolve.hierarchy import Level, Origin
from floe_gate.resolve.settings import effective_settings
from floe_gate.rules.context import Context, located
from floe_gate.rules.fg202_engine_not_installed import unusable
from floe_gate.rules.secrets import is_literal, is_secret_key

ID = "FG203"
TITLE = "invalid engine settings"


def check(context: Context) -> Iterator[Problem]:
    seen: set[Problem] = set()
    failing: dict[str, str] = {}
    for chain, engine, environment in _settings_to_check(context):
        for problem in _validate(context, chain, engine, environment):
            failing.setdefault(engine, "invalid settings")
            if problem not in seen:
                seen.add(problem)
                yield problem
    yield from _aggregate(context, failing)


def _settings_to_check(context: Context) -> Iterator[tuple[tuple[Level, ...], str, str | None]]:
    hierarchy = context.hierarchy
    chains = [(hierarchy.root,)] + [
        chain for d in hierarchy.known_domains() if (chain := hierarchy.domain_chain(d))
    ]
    environments: list[str | None] = [None, *context.repository.manifest.model.environments]
    for chain in chains:
        for engine in chain[-1].approved:
            if unusable(context, engine) is None:
                for environment in environments:
                    yield chain, engine, environment


def _validate(
    context: Context, chain: tuple[Level, ...], engine: str, environment: str | None
) -> Iterator[Problem]:
    plugin = context.registry.get(engine)
    settings = effective_settings(chain, engine, environment)
    values = {
        "timeout_seconds": context.repository.manifest.model.compute.timeout_seconds,
        **settings.values,
    }
    try:
        plugin.parse_config(values)
    except ValidationError as error:
        where = f" in environment {environment}" if environment else ""
        for detail in error.errors():
            path, key, message = describe_error(detail, plugin.config_model, values)
            if path and is_secret_key(path[-1]) and is_literal(detail.get("input")):
                continue  # FG401 reports literal secrets, with a better message
            origin: Origin = settings.origin(path, key=key)
            yield located(
                origin,
                ID,
                f"{engine} settings{where}: {message}",
                related=[layer.document.file for layer in settings.layers],
            )


def _aggregate(context: Context, failing: dict[str, str]) -> Iterator[Problem]:
    manifest = context.repository.manifest
    approved = manifest.model.compute.approved
    reasons = {engine: failing.get(engine) or _not_usable(context, engine) for engine in approved}
    if approved and all(reasons.values()):
        summary = "; ".join(f"{engine}: {reason}" for engine, reason in reasons.items())
        yield located(
            Origin.of(manifest.document, ("compute", "approved")),
            ID,
            f"every approved engine fails validation, so no transform can run ({summary})",
        )


def _not_usable(context: Context, engine: str) -> str | None:
    return "not installed or not loadable" if unusable(context, engine) else None
