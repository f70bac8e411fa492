"""BigQuery health with the native driver (``google-cloud-bigquery``).

Checks in order, each failing with an actionable message and never an exception:

1. the driver is installed;
2. every ``{env: NAME}`` the target references is set, and the credentials of its
   ``method`` can be built (a key file that exists, application default credentials);
3. the API endpoint accepts TCP connections, so a dead endpoint answers "cannot
   reach" at once instead of after the client's retries;
4. a ``SELECT 1`` query job in the execution project, without retries;
5. listing the project's datasets: dbt creates the product's dataset, so credentials
   that can query but not see datasets degrade the target.
"""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlsplit

from floe_compute_bigquery.config import BigQueryConfig
from floe_gate.compute import ConnectionResult, ConnectionStatus
from floe_gate.compute.health import elapsed_ms, tcp_unreachable, unhealthy
from floe_gate.compute.references import UnsetVariables, resolve_references

DRIVER_MISSING = (
    "the BigQuery driver is not installed: pip install 'floe-compute-bigquery[driver]' "
    "(google-cloud-bigquery)"
)
DEFAULT_ENDPOINT = "https://bigquery.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/bigquery",)
TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - an endpoint, not a secret
API_TIMEOUT_SECONDS = 3.0


class CredentialsUnusable(Exception):
    """The target's credentials cannot be built; the message says what to do."""


def check_bigquery(config: BigQueryConfig) -> ConnectionResult:
    started = time.perf_counter()
    try:
        from google.api_core import exceptions as api_errors
        from google.cloud import bigquery
    except ImportError:
        return unhealthy(started, DRIVER_MISSING)
    try:
        credentials = build_credentials(config)
    except CredentialsUnusable as error:
        return unhealthy(started, str(error))
    host, port = endpoint(config)
    unreachable = tcp_unreachable(host, port)
    if unreachable:
        return unhealthy(
            started,
            f"cannot reach the BigQuery API at {host}:{port} ({unreachable}): check "
            "api_endpoint and that this network may reach it",
        )
    project = config.execution_project or config.project
    options = {"api_endpoint": config.api_endpoint} if config.api_endpoint else None
    client = bigquery.Client(
        project=project, credentials=credentials, location=config.location, client_options=options
    )
    try:
        try:
            job = client.query("SELECT 1", job_retry=None, timeout=API_TIMEOUT_SECONDS)
            job.result(timeout=API_TIMEOUT_SECONDS, retry=None)
        except (api_errors.Unauthorized, api_errors.Forbidden) as error:
            return unhealthy(started, f"project {project} refused a query job: {_first(error)}")
        except api_errors.NotFound as error:
            return unhealthy(started, f"project {project} not found: {_first(error)}")
        except Exception as error:
            return unhealthy(started, f"query job in {project} failed: {_first(error)}")
        warnings = dataset_warnings(client, config.project, api_errors)
    finally:
        client.close()
    message = f"BigQuery answered a query job in project {project}"
    if warnings:
        message += f"; datasets of {config.project} cannot be listed"
    return ConnectionResult(
        status=ConnectionStatus.DEGRADED if warnings else ConnectionStatus.HEALTHY,
        latency_ms=elapsed_ms(started),
        message=message,
        warnings=tuple(warnings),
    )


def build_credentials(config: BigQueryConfig) -> Any:
    """google-auth credentials for the target's ``method``, or CredentialsUnusable."""
    secrets = _resolved(config)
    if config.method == "service-account":
        from google.oauth2 import service_account

        path = secrets["keyfile"]
        if not os.path.isfile(path):
            raise CredentialsUnusable(
                f"key file {path} (from {config.secrets()['keyfile'].env}) does not exist"
            )
        try:
            source: Any = service_account.Credentials.from_service_account_file(path, scopes=SCOPES)
        except (ValueError, KeyError) as error:
            raise CredentialsUnusable(
                f"key file {path} is not a service-account key: {_first(error)}"
            ) from None
    elif config.method == "oauth-secrets":
        from google.oauth2 import credentials as oauth

        source = oauth.Credentials(
            token=secrets.get("token"),
            refresh_token=secrets.get("refresh_token"),
            client_id=secrets.get("client_id"),
            client_secret=secrets.get("client_secret"),
            token_uri=TOKEN_URI,
            scopes=SCOPES,
        )
    else:
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError

        try:
            source, _ = google.auth.default(scopes=SCOPES)
        except DefaultCredentialsError:
            raise CredentialsUnusable(
                "method oauth found no application default credentials: run "
                "`gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS"
            ) from None
    if config.impersonate_service_account is None:
        return source
    from google.auth import impersonated_credentials

    return impersonated_credentials.Credentials(
        source_credentials=source,
        target_principal=config.impersonate_service_account,
        target_scopes=list(SCOPES),
    )


def endpoint(config: BigQueryConfig) -> tuple[str, int]:
    """Host and port of the BigQuery API the client talks to."""
    url = urlsplit(config.api_endpoint or DEFAULT_ENDPOINT)
    return url.hostname or "", url.port or (443 if url.scheme == "https" else 80)


def _resolved(config: BigQueryConfig) -> dict[str, str]:
    try:
        return resolve_references(config.secrets())
    except UnsetVariables as unset:
        raise CredentialsUnusable(str(unset)) from None


def dataset_warnings(client: Any, project: str, api_errors: Any) -> list[str]:
    try:
        list(client.list_datasets(project, max_results=1, timeout=API_TIMEOUT_SECONDS))
    except (api_errors.Forbidden, api_errors.Unauthorized) as error:
        return [
            f"the credentials may run queries but not list the datasets of {project} "
            f"({_first(error)}): dbt creates and inspects the product's dataset, grant "
            "roles/bigquery.dataEditor on the project"
        ]
    return []


def _first(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
