"""``profiles.yml`` text: deterministic, so the same inputs give the same bytes."""

from __future__ import annotations

from typing import Any

import yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_profiles(profiles: dict[str, Any]) -> str:
    text: str = yaml.dump(
        profiles,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=120,
    )
    return text
