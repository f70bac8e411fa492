"""Which setting names hold credentials (shared by FG203 and FG401)."""

from floe_gate.compute.secrets import is_credential_name as is_secret_key
from floe_gate.compute.secrets import is_literal

__all__ = ["is_literal", "is_secret_key"]
