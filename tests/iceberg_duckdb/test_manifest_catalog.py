"""A catalog in the manifest: checked with locations, compiled into env_var templates only."""

from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
compute:
  approved: [duckdb]
  default: duckdb
  targets:
    duckdb:
      path: warehouse/dev.duckdb
      catalog:
        catalog_uri: http://polaris:8181/api/catalog
        catalog_name: lake
        warehouse: floe_wh
        credentials:
          client_id: {env: POLARIS_CLIENT_ID}
          client_secret: %s
"""


def test_a_literal_catalog_secret_is_an_error_at_its_line(platform) -> None:  # type: ignore[no-untyped-def]
    platform.write("manifest.yaml", MANIFEST % "hunter2-literal")
    result = platform.cli("check", "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    [problem] = result.json()["problems"]
    assert (problem["file"], problem["line"], problem["column"]) == ("manifest.yaml", 17, 26)
    assert "catalog.credentials.client_secret holds a literal secret" in problem["message"]
    assert "hunter2" not in result.stdout + result.stderr


def test_compiled_profile_holds_references_only(platform, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    platform.write("manifest.yaml", MANIFEST % "{env: POLARIS_CLIENT_SECRET}")
    out = tmp_path / "artifacts"
    result = platform.cli("compile", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    profiles = yaml.safe_load((out / "dev" / "revenue" / "duckdb" / "profiles.yml").read_text())
    output = profiles["revenue"]["outputs"]["dev"]
    assert output["secrets"][0]["client_secret"] == "{{ env_var('POLARIS_CLIENT_SECRET') }}"
    assert output["attach"][0]["alias"] == "lake"
    assert output["config_options"]["autoinstall_known_extensions"] is False
    requirements = (out / "requirements-dbt.txt").read_text().splitlines()
    assert "duckdb==1.5.5" in requirements
