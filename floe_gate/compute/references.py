"""Filling ``{env: NAME}`` references from this process's environment, for health checks.

Profiles never hold secret values (dbt fills ``env_var`` at run time); a plugin's
``validate_connection`` connects with its driver and so needs the values themselves.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from floe_gate.compute.models import EnvRef


class UnsetVariables(LookupError):
    """References whose environment variables are not set; the message names each."""

    def __init__(self, unset: list[tuple[str, str]]) -> None:
        self.unset = unset
        """(variable, setting) pairs."""
        named = ", ".join(f"{variable} ({setting})" for variable, setting in unset)
        super().__init__(f"environment variable(s) not set: {named}")


def resolve_references(
    references: Mapping[str, EnvRef], environ: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """Each setting's value from its reference; ``UnsetVariables`` naming every unset one."""
    unset = [(ref.env, setting) for setting, ref in references.items() if ref.env not in environ]
    if unset:
        raise UnsetVariables(unset)
    return {setting: environ[ref.env] for setting, ref in references.items()}
