"""FG203 — engine settings its plugin does not accept.

Target settings (``compute.targets.<engine>`` in the manifest, deep-merged with the
policies down a product's chain, then with ``compute.environments.<env>.<engine>``)
are validated by the engine's own plugin, because dbt adapters silently ignore
settings they do not know::

    compute:
      targets:
        duckdb: {memory_limit: lots}   # FG203: memory_limit: not a size DuckDB accepts

Settings are judged where they are used: along each domain's chain, for the
engines every level of it approves (an engine a policy approves beyond its parent
is FG101's alone). Each mistake is reported once, where it is written; one about
the settings as a whole (a missing required key) at the first file that configures
the engine. A manifest setting that is wrong whatever the policies add is reported
even where no domain uses the engine; settings the manifest leaves to the policies
are not required of it. A mistake in ``compute.environments.<env>`` names its
environment. Literal secrets are left to FG401. When every engine the manifest
approves fails validation with the manifest's own settings, and so in every domain,
one more error at ``compute.approved`` says so: no transform could run anywhere.
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
from floe_gate.resolve.settings import EffectiveSettings, effective_settings

ID = "FG203"
TITLE = "invalid engine settings"


def check(context: Context) -> Iterator[Problem]:
    # One report per mistake: the same settings are validated along every chain and in
    # every environment, and a mistake is reported where it is first found (at the
    # manifest, without an environment, when it is written there).
    seen: set[tuple[object, ...]] = set()
    fails: dict[tuple[str, int], bool] = {}  # (engine, chain) → fails in some environment
    domains = _domain_chains(context)
    for position, chain, engine, environment in _settings_to_check(context, domains):
        found = list(_validate(context, chain, engine, environment))
        fails[engine, position] = fails.get((engine, position), False) or bool(found)
        for key, problem, written in found:
            if position == 0 and domains and not written:
                continue  # what the manifest leaves out, the domains' policies may add
            if key not in seen:
                seen.add(key)
                yield problem
    # The manifest's own settings fail, and so do those of every domain using the engine.
    failing = {
        engine
        for engine, position in fails
        if position == 0 and all(failed for (e, _), failed in fails.items() if e == engine)
    }
    yield from _aggregate(context, failing)


def _domain_chains(context: Context) -> list[tuple[Level, ...]]:
    hierarchy = context.hierarchy
    return [chain for d in hierarchy.known_domains() if (chain := hierarchy.domain_chain(d))]


def _settings_to_check(
    context: Context, domains: list[tuple[Level, ...]]
) -> Iterator[tuple[int, tuple[Level, ...], str, str | None]]:
    """``(position, chain, engine, environment)``; position 0 is the manifest alone."""
    environments: list[str | None] = [None, *context.repository.manifest.model.environments]
    for position, chain in enumerate([(context.hierarchy.root,), *domains]):
        for engine in context.approved_along(chain):
            if context.unusable(engine) is None:
                for environment in environments:
                    yield position, chain, engine, environment


def _validate(
    context: Context, chain: tuple[Level, ...], engine: str, environment: str | None
) -> Iterator[tuple[tuple[object, ...], Problem, bool]]:
    """``(what the mistake is, its problem, whether it is about a value written)`` for
    each validation error."""
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
            origin, written, subject = _place(chain, engine, settings, path, key)
            yield (
                (engine, origin, message) if path or subject else (engine, message),
                located(
                    origin,
                    ID,
                    f"{engine} settings{subject}{where}: {message}",
                    related=[layer.document.file for layer in settings.layers],
                ),
                written,
            )


def _place(
    chain: tuple[Level, ...], engine: str, settings: EffectiveSettings, path: KeyPath, key: bool
) -> tuple[Origin, bool, str]:
    """Where a mistake at ``path`` is reported, whether it is about a value written, and
    whose settings they are when nothing configures the engine (`` for domain X``).

    A mistake about the settings as a whole (a missing key, a model validator's) has no
    place of its own: it is the same wherever the settings are validated, so it is
    reported at the first file that configures the engine; when none does, where the
    domain approves the engine.
    """
    if path and settings.writes(path):
        return settings.origin(path, key=key), True, ""
    if settings.configured or len(chain) == 1:
        first = settings.layers[0]
        return Origin.of(first.document, first.path, key=True), False, ""
    level = next(lv for lv in reversed(chain) if lv.approved_declared)
    return level.origin("approved", level.approved.index(engine)), False, f" for {chain[-1].label}"


def _aggregate(context: Context, failing: set[str]) -> Iterator[Problem]:
    """``failing``: engines that fail with the manifest's settings and in every domain
    approving them."""
    manifest = context.repository.manifest
    approved = manifest.model.compute.approved
    reasons = {
        engine: ("invalid settings" if engine in failing else None) or _not_usable(context, engine)
        for engine in approved
    }
    if approved and all(reasons.values()):
        summary = "; ".join(f"{engine}: {reason}" for engine, reason in reasons.items())
        yield located(
            Origin.of(manifest.document, ("compute", "approved")),
            ID,
            f"every approved engine fails validation, so no transform can run ({summary})",
        )


def _not_usable(context: Context, engine: str) -> str | None:
    return "not installed or not loadable" if context.unusable(engine) else None
