"""Which setting names hold credentials: these must be ``{env: NAME}`` references."""

from __future__ import annotations

import re
from typing import Any

CREDENTIAL_NAME = re.compile(
    r"password|passwd|secret|token|private_key|credential|key_id|access_key|account_key"
    r"|connection_string|keyfile|passphrase",
    re.IGNORECASE,
)


def is_credential_name(name: object) -> bool:
    return isinstance(name, str) and CREDENTIAL_NAME.search(name) is not None


def is_literal(value: Any) -> bool:
    """A value written in place, rather than an ``{env: NAME}`` reference."""
    return isinstance(value, str | int | float | bytes) and not isinstance(value, bool)


def literal_credentials(values: dict[str, Any]) -> list[str]:
    """Names in ``values`` that hold credentials written as literals."""
    return sorted(k for k, v in values.items() if is_credential_name(k) and is_literal(v))
