"""Snowflake target settings, as a manifest writes them under ``compute.targets.snowflake``.

dbt-snowflake silently ignores profile keys it does not know, so every key is
declared here and anything else is rejected before dbt sees it. Secrets (the
password, or the private key and its passphrase) are ``{env: NAME}`` references.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from floe_gate.compute import ComputeConfig, Credential, EnvRef

# Unquoted Snowflake identifiers: dbt-snowflake quotes none of these.
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_$]*$"
Identifier = Annotated[str, Field(pattern=IDENTIFIER, max_length=255)]


class SnowflakeConfig(ComputeConfig):
    """Settings of a Snowflake account dbt connects to."""

    plugin: Literal["snowflake"] = "snowflake"
    account: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=255,
        description="Account identifier, e.g. acme-xy123 (orgname-accountname)",
    )
    user: EnvRef | Annotated[str, Field(min_length=1, max_length=255)] = Field(
        description="Login name, or {env: NAME}"
    )
    password: Credential | None = Field(default=None, description="{env: NAME}")
    private_key: Credential | None = Field(
        default=None, description="Key-pair authentication: PEM private key, {env: NAME}"
    )
    private_key_passphrase: Credential | None = Field(default=None, description="{env: NAME}")
    database: Identifier = Field(description="Database dbt builds into")
    warehouse: Identifier | None = Field(default=None, description="Virtual warehouse")
    role: Identifier | None = Field(default=None, description="Role dbt runs as")
    query_tag: str | None = Field(
        default=None, min_length=1, max_length=2000, description="QUERY_TAG of dbt's sessions"
    )
    connect_retries: int = Field(
        default=1, ge=0, le=10, description="Retries of a failed connection attempt"
    )
    connect_retry_wait_seconds: int | None = Field(
        default=None,
        ge=1,
        le=300,
        description="Seconds between connection retries (default: attempt², dbt-snowflake)",
    )
    retry_on_database_errors: bool = Field(
        default=False, description="Also retry connecting on Snowflake database errors"
    )
    reuse_connections: bool = Field(default=True, description="Reuse idle dbt connections")
    client_session_keep_alive: bool = False
    host: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9.-]+$",
        description="Host (default <account>.snowflakecomputing.com), e.g. a private link",
    )
    port: int | None = Field(default=None, ge=1, le=65535, description="Port (default 443)")
    protocol: Literal["https", "http"] = Field(
        default="https", description="http only for a local emulator"
    )

    @model_validator(mode="after")
    def _one_authentication(self) -> Self:
        if self.credentials:
            raise ValueError(
                "credentials: Snowflake takes its secrets as password, private_key and "
                "private_key_passphrase, each {env: NAME}"
            )
        if self.password is not None and self.private_key is not None:
            raise ValueError("set either password or private_key (key-pair), not both")
        if self.password is None and self.private_key is None:
            raise ValueError(
                "set password: {env: NAME} or private_key: {env: NAME} (key-pair authentication)"
            )
        if self.private_key_passphrase is not None and self.private_key is None:
            raise ValueError("private_key_passphrase needs private_key")
        if self.connect_retry_wait_seconds is not None and self.connect_retries == 0:
            raise ValueError("connect_retry_wait_seconds needs connect_retries of at least 1")
        return self

    @property
    def endpoint(self) -> tuple[str, int]:
        """Host and port the driver connects to."""
        host = self.host or f"{self.account}.snowflakecomputing.com"
        default_port = 443 if self.protocol == "https" else 80
        return host, self.port or default_port

    def secrets(self) -> dict[str, EnvRef]:
        """Each configured secret by the setting that holds it."""
        named = {
            "user": self.user,
            "password": self.password,
            "private_key": self.private_key,
            "private_key_passphrase": self.private_key_passphrase,
        }
        return {name: ref for name, ref in named.items() if isinstance(ref, EnvRef)}
