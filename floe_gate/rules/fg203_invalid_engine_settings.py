"""FG203 — engine settings its plugin does not accept.

Target settings (``compute.targets.<engine>`` in the manifest, deep-merged with the
policies down a product's chain, then with ``compute.environments.<env>.<engine>``)
are validated by the engine's own plugin, because dbt adapters silently ignore
settings they do not know::

    compute:
      targets:
        duckdb: {memory_limit: lots}   # FG203: memory_limit: not a size DuckDB accepts

Each mistake is reported once, where it is written; a mistake in
``compute.environments.<env>`` names its environment. Literal secrets are left to
FG401. When every engine the manifest approves fails validation with the
manifest's own settings, one more error at ``compute.approved`` says so: no
transform could run anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

from floe_gate.context import Context
from floe_gate.load.validation import describe_error
from floe_gate.load.yaml_document import KeyPath
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Level, Origin
from floe_gate.resolve.secrets import redact_literal_secrets
from floe_gate.resolve.settings import effective_settings

ID = "FG203"
TITLE = "invalid engine settings"


def check(context: Context) -> Iterator[Problem]:
    # One report per mistake: the same settings are validated along every chain and in
    # every environment, and a mistake is reported where it is first found (at the
    # manifest, without an environment, when it is written there).
    seen: set[tuple[object, ...]] = set()
    failing: dict[str, str] = {}
    for chain, engine, environment in _settings_to_check(context):
        for key, problem in _validate(context, chain, engine, environment):
            if len(chain) == 1:  # the aggregate is about the platform, not one domain
                failing.setdefault(engine, "invalid settings")
            if key not in seen:
                seen.add(key)
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
            if context.unusable(engine) is None:
                for environment in environments:
                    yield chain, engine, environment


def _validate(
    context: Context, chain: tuple[Level, ...], engine: str, environment: str | None
) -> Iterator[tuple[tuple[object, ...], Problem]]:
    """``(what the mistake is, its problem)`` for each validation error."""
    plugin = context.registry.get(engine)
    settings = effective_settings(chain, engine, environment)
    # Literal secrets are FG401's: validate as if each were an {env: NAME} reference, so
    # that a plugin refusing one is not a second report, and hides no other mistake.
    secrets: list[KeyPath] = []
    values = redact_literal_secrets(
        {"timeout_seconds": context.timeout_seconds, **settings.values},
        secrets,
        model=plugin.config_model,
    )
    adapter_overrides = context.adapter_overrides(environment, engine) if environment else []
    try:
        plugin.parse_config(values)
    except ValidationError as error:
        where = f" in environment {environment}" if environment else ""
        for detail in error.errors():
            path, key, message = describe_error(detail, plugin.config_model, values)
            if not path:  # about the settings as a whole, not a "document"
                message = message.removeprefix("document: ")
            if any(path[: len(secret)] == secret for secret in secrets):
                continue  # a literal secret where a plain value belongs: FG401 reports it
            if path[:1] and path[0] in adapter_overrides:
                continue  # FG204: an environment choosing another adapter
            origin: Origin = settings.origin(path, key=key)
            # An error about the whole settings (a model validator's) has no place of its
            # own: it is the same mistake wherever the settings are validated.
            mistake = (engine, origin, message) if path else (engine, message)
            yield (
                mistake,
                located(
                    origin,
                    ID,
                    f"{engine} settings{where}: {message}",
                    related=[layer.document.file for layer in settings.layers],
                ),
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
    return "not installed or not loadable" if context.unusable(engine) else None
