"""Validate a profile output the way dbt does when it reads ``profiles.yml``.

dbt renders the Jinja (``env_var``), picks the adapter's credentials class from
``type`` and validates the output against it. Needs dbt-core and the adapter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from floe_gate.testing.installed import importable


class AdapterRejectedProfile(AssertionError):
    """The dbt adapter refused the profile output."""


def missing_dbt_package(adapter_type: str) -> str | None:
    """The dbt distribution that profiles of ``adapter_type`` need and is not installed."""
    if not importable("dbt.config.profile"):
        return "dbt-core"
    if not importable(f"dbt.adapters.{adapter_type}"):
        return f"dbt-{adapter_type}"
    return None


def validate_with_adapter(output: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    """The adapter's credentials object for ``output``, rendered with ``env``."""
    from dbt.config.profile import Profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    set_invocation_context({**os.environ, **env})
    raw = {"target": "floe", "outputs": {"floe": dict(output)}}
    try:
        target, rendered = Profile.render_profile(raw, "floe", None, ProfileRenderer({}))
        threads = rendered.pop("threads", 1)
        if not isinstance(threads, int) or threads < 1:
            raise AdapterRejectedProfile(f"threads must be a positive integer, got {threads!r}")
        return Profile._credentials_from_profile(rendered, "floe", target)
    except Exception as error:
        if isinstance(error, AdapterRejectedProfile):
            raise
        raise AdapterRejectedProfile(f"dbt rejected the profile output: {error}") from error
