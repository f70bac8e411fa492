"""Which setting names hold credentials (shared by FG203 and FG401)."""

from __future__ import annotations

import re
from typing import Any

SECRET_KEY = re.compile(
    r"password|passwd|secret|token|private_key|credential|key_id|access_key|keyfile|passphrase",
    re.IGNORECASE,
)


def is_secret_key(name: object) -> bool:
    return isinstance(name, str) and SECRET_KEY.search(name) is not None


def is_literal(value: Any) -> bool:
    """A value written in place, rather than an ``{env: NAME}`` reference."""
    return isinstance(value, str | int | float | bytes) and not isinstance(value, bool)
