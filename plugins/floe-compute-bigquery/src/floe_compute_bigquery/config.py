"""BigQuery target settings, as a manifest writes them under ``compute.targets.bigquery``.

dbt-bigquery silently ignores profile keys it does not know, so every key is
declared here and anything else is rejected before dbt sees it. Secrets (a
service-account key file's path, OAuth tokens and client secrets) are
``{env: NAME}`` references; ``method: oauth`` uses application default credentials
and needs none.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from floe_gate.compute import ComputeConfig, Credential, EnvRef

# Project ids: 6-30 lowercase letters, digits and hyphens; legacy ones carry a domain.
PROJECT = r"^([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$"

Method = Literal["oauth", "service-account", "oauth-secrets"]
SECRET_SETTINGS = ("keyfile", "token", "refresh_token", "client_id", "client_secret")
METHOD_SECRETS: dict[str, tuple[frozenset[str], ...]] = {
    "oauth": (frozenset(),),
    "service-account": (frozenset({"keyfile"}),),
    "oauth-secrets": (
        frozenset({"token"}),
        frozenset({"refresh_token", "client_id", "client_secret"}),
    ),
}


class BigQueryConfig(ComputeConfig):
    """Settings of a BigQuery project dbt builds into."""

    plugin: Literal["bigquery"] = "bigquery"
    project: str = Field(pattern=PROJECT, description="GCP project holding the datasets")
    execution_project: str | None = Field(
        default=None, pattern=PROJECT, description="Project billed for the query jobs"
    )
    quota_project: str | None = Field(default=None, pattern=PROJECT)
    location: str | None = Field(
        default=None, pattern=r"^[A-Za-z][A-Za-z0-9-]*$", description="e.g. EU, US, europe-west4"
    )
    method: Method = Field(default="oauth", description="How dbt authenticates")
    keyfile: Credential | None = Field(
        default=None, description="service-account: {env: NAME} holding the key file's path"
    )
    token: Credential | None = Field(default=None, description="oauth-secrets: access token")
    refresh_token: Credential | None = None
    client_id: Credential | None = None
    client_secret: Credential | None = None
    impersonate_service_account: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+$", description="Service account e-mail"
    )
    priority: Literal["interactive", "batch"] = "interactive"
    maximum_bytes_billed: int | None = Field(
        default=None, ge=1, description="Fail a query job that would bill more bytes"
    )
    job_retries: int = Field(default=1, ge=0, le=10, description="Retries of a failed query job")
    job_creation_timeout_seconds: int | None = Field(
        default=None, ge=1, le=86400, description="Timeout of a job's creation request"
    )
    job_retry_deadline_seconds: int | None = Field(
        default=None, ge=1, le=172800, description="Deadline of a job with all its retries"
    )
    api_endpoint: str | None = Field(
        default=None,
        pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$",
        description="BigQuery API endpoint (private endpoints, emulators)",
    )

    @model_validator(mode="after")
    def _secrets_fit_the_method(self) -> Self:
        if self.credentials:
            raise ValueError(
                "credentials: BigQuery takes its secrets as keyfile, token, refresh_token, "
                "client_id and client_secret, each {env: NAME}"
            )
        given = frozenset(name for name in SECRET_SETTINGS if getattr(self, name) is not None)
        accepted = METHOD_SECRETS[self.method]
        if given not in accepted:
            expected = " or ".join(
                "(" + ", ".join(sorted(names)) + ")" if names else "no secret setting"
                for names in accepted
            )
            raise ValueError(
                f"method {self.method} takes {expected}; got {', '.join(sorted(given)) or 'none'}"
            )
        if (
            self.job_retry_deadline_seconds is not None
            and self.job_retry_deadline_seconds < self.timeout_seconds
        ):
            raise ValueError(
                "job_retry_deadline_seconds must be at least timeout_seconds, or a job is "
                "abandoned before its own timeout"
            )
        return self

    def secrets(self) -> dict[str, EnvRef]:
        """Each configured secret by the setting that holds it."""
        return {name: ref for name in SECRET_SETTINGS if (ref := getattr(self, name)) is not None}
