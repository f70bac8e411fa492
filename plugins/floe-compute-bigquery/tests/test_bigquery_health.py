"""BigQuery health: the steps that need no server (credentials, permissions)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions as api_errors

from floe_compute_bigquery import BigQueryComputePlugin
from floe_compute_bigquery.health import (
    CredentialsUnusable,
    build_credentials,
    dataset_warnings,
)

PLUGIN = BigQueryComputePlugin()
KEYFILE = {"project": "acme-analytics", "method": "service-account", "keyfile": {"env": "KEY"}}


def service_account_key(path: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "acme-analytics",
                "private_key_id": "0",
                "private_key": pem,
                "client_email": "dbt@acme-analytics.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    return path


def test_a_service_account_key_file_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEY", str(service_account_key(tmp_path / "dbt.json")))
    credentials = build_credentials(PLUGIN.parse_config(KEYFILE))
    assert credentials.service_account_email == "dbt@acme-analytics.iam.gserviceaccount.com"


def test_a_missing_key_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEY", str(tmp_path / "nope.json"))
    with pytest.raises(CredentialsUnusable, match=r"key file .*nope.json \(from KEY\) does not"):
        build_credentials(PLUGIN.parse_config(KEYFILE))


def test_a_file_that_is_no_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "key.json").write_text('{"type": "authorized_user"}')
    monkeypatch.setenv("KEY", str(tmp_path / "key.json"))
    with pytest.raises(CredentialsUnusable, match="is not a service-account key"):
        build_credentials(PLUGIN.parse_config(KEYFILE))


def test_the_key_file_variable_must_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEY", raising=False)
    result = PLUGIN.validate_connection(PLUGIN.parse_config(KEYFILE))
    assert result.status.value == "unhealthy"
    assert result.message == "environment variable(s) not set: KEY (keyfile)"


class DatasetsForbidden:
    """A client whose credentials may query but not list datasets (as BigQuery answers)."""

    def list_datasets(self, project: str, **options: Any) -> Iterator[object]:
        raise api_errors.Forbidden(f"Access Denied: Project {project}: bigquery.datasets.list")


def test_credentials_that_cannot_list_datasets_degrade() -> None:
    [warning] = dataset_warnings(DatasetsForbidden(), "acme-analytics", api_errors)
    assert warning.startswith(
        "the credentials may run queries but not list the datasets of acme-analytics "
        "(403 Access Denied"
    )
    assert warning.endswith("grant roles/bigquery.dataEditor on the project")
