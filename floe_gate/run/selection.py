"""What a run selects and the vars it passes, as plain ``dbt build`` takes them.

``--select``, ``--exclude`` and ``--selector`` reach dbt unchanged; with none of
them dbt applies the project's default selector (``selectors.yml``, ``default:
true``) itself. ``--vars`` reaches every dbt invocation of the run, with the
environment as ``floe_env``, which the run owns.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from floe_gate.emit.render import ENVIRONMENT_VAR, dbt_vars


class BadVars(ValueError):
    """``--vars`` is not a YAML mapping, or sets the environment itself."""


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    selector: str | None = None

    def arguments(self) -> list[str]:
        """dbt's own options for this selection (none: dbt's default selection)."""
        found = []
        if self.select:
            found += ["--select", *self.select]
        if self.exclude:
            found += ["--exclude", *self.exclude]
        if self.selector:
            found += ["--selector", self.selector]
        return found


def run_vars(environment: str, given: str | None) -> str:
    """The ``--vars`` of every dbt invocation: ``given`` and ``floe_env``, as YAML."""
    values = dict(dbt_vars(environment))
    if given:
        try:
            parsed = yaml.safe_load(given)
        except yaml.YAMLError as error:
            raise BadVars(f"--vars is not YAML: {str(error).splitlines()[0]}") from error
        if parsed is None:
            parsed = {}
        if not isinstance(parsed, dict):
            raise BadVars("--vars must be a YAML mapping, e.g. '{start_date: 2026-01-01}'")
        if ENVIRONMENT_VAR in parsed and parsed[ENVIRONMENT_VAR] != environment:
            raise BadVars(
                f"--vars sets {ENVIRONMENT_VAR}, which the run sets to its environment "
                f"({environment}): choose the environment with --env"
            )
        values = {**parsed, **values}
    text: str = yaml.dump(values, Dumper=yaml.SafeDumper, default_flow_style=True, width=1_000_000)
    return text.strip()
