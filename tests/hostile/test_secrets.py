"""Secrets: a literal secret is a located FG401 error, cannot be waived, and is never echoed.

Each case is a hostile repository whose manifest (or policy) writes a secret verbatim
where it would reach ``profiles.yml``. The gate runs in-process through the real CLI
(click's runner), once per output format; the secret must appear in no output, not
in the GitHub job summary, and in no file ``compile`` writes (it refuses).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FINANCE_POLICY, Platform
from pydantic import BaseModel, ValidationError

from floe_gate.cli import cli
from floe_gate.compute import CatalogConfig
from floe_gate.load.validation import describe_error
from floe_gate.registry import PluginRegistry
from floe_gate.report.formats import PROBLEMS, names

MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {{branch: dev}}
  prod: {{branch: main}}
compute:
  approved: [duckdb, spark]
  default: duckdb
{compute}  targets:
    duckdb:
      memory_limit: 1GB
      threads: 1
{duckdb}    spark:
      method: session
      threads: 1
{spark}{environments}"""


@dataclass(frozen=True)
class Case:
    """A manifest (or policy) with a secret in it, and where FG401 must report it."""

    where: str
    secrets: tuple[str, ...]
    duckdb: str = ""
    spark: str = ""
    compute: str = ""
    environments: str = ""
    policy: str = ""

    def write(self, platform: Platform) -> None:
        platform.write(
            "manifest.yaml",
            MANIFEST.format(
                duckdb=self.duckdb,
                spark=self.spark,
                compute=self.compute,
                environments=self.environments,
            ),
        )
        if self.policy:
            platform.write("policies/finance/policy.yaml", FINANCE_POLICY + self.policy)


AWS_KEY_ID = "AKIAQX7SECRETKEY0001"
PEM = "-----BEGIN PRIVATE KEY-----\\nMIIEvPEMBODYsecret0002\\n-----END PRIVATE KEY-----\\n"

CASES = {
    # (7) dotted Spark keys: every segment of the key is judged
    "spark azure account key": Case(
        "manifest.yaml:16:81",
        ("AZKEYsecret0003",),
        spark="      spark_conf: {spark.hadoop.fs.azure.account.key.acme.dfs.core.windows.net: "
        "AZKEYsecret0003}\n",
    ),
    "spark s3a access key": Case(
        "manifest.yaml:17:41",
        ("S3AKEYsecret0004",),
        spark="      spark_conf:\n        spark.hadoop.fs.s3a.access.key: S3AKEYsecret0004\n",
    ),
    "spark gs private key": Case(
        "manifest.yaml:17:62",
        ("MIIEvPEMBODYsecret0002",),
        spark="      spark_conf:\n"
        f'        spark.hadoop.fs.gs.auth.service.account.private.key: "{PEM}"\n',
    ),
    "spark azure sas token": Case(
        "manifest.yaml:17:68",
        ("SASSIGsecret0005",),
        spark="      spark_conf:\n"
        "        spark.hadoop.fs.azure.sas.lake.acme.blob.core.windows.net: "
        '"sv=2022-11-02&ss=b&srt=co&sp=rl&sig=SASSIGsecret0005"\n',
    ),
    # (7) credentials inside URLs
    "postgres password in an attach path": Case(
        "manifest.yaml:14:17",
        ("PGPWsecret0006",),
        duckdb="      attach:\n"
        "        - path: postgres://admin:PGPWsecret0006@db.internal:5432/shop\n"
        "          alias: shop\n          type: postgres\n",
    ),
    "s3 key and secret as the DuckDB path": Case(
        "manifest.yaml:13:13",
        (AWS_KEY_ID, "S3PATHsecret0007"),
        duckdb=f"      path: s3://{AWS_KEY_ID}:S3PATHsecret0007@bucket/shop.duckdb\n",
    ),
    "user and password in s3_endpoint": Case(
        "manifest.yaml:13:31",
        ("MINIOsecret0008",),
        duckdb="      settings: {s3_endpoint: 'minio:MINIOsecret0008@minio.internal:9000'}\n",
    ),
    "password in a catalog URI": Case(
        "manifest.yaml:14:22",
        ("POLARISsecret0009",),
        duckdb="      catalog:\n"
        "        catalog_uri: http://root:POLARISsecret0009@polaris:8181/api/catalog\n"
        "        catalog_name: lake\n",
    ),
    "password in shared_storage": Case(
        "manifest.yaml:9:19",
        ("SHAREDsecret0010",),
        compute="  shared_storage: s3://handoff:SHAREDsecret0010@bucket/handoff\n",
    ),
    "sas signature in shared_storage": Case(
        "manifest.yaml:9:19",
        ("SASSIGsecret0011",),
        compute='  shared_storage: "https://acme.blob.core.windows.net/handoff?sv=2022-11-02'
        '&sig=SASSIGsecret0011"\n',
    ),
    # (7) DuckDB settings, and well-known value shapes under harmless names
    "gcs hmac setting": Case(
        "manifest.yaml:13:28",
        ("GCSHMACsecret0012",),
        duckdb="      settings: {gcs_hmac: GCSHMACsecret0012}\n",
    ),
    "aws key id under another name": Case(
        "manifest.yaml:13:29",
        (AWS_KEY_ID,),
        duckdb=f"      settings: {{s3_region: {AWS_KEY_ID}}}\n",
    ),
    "private key under another name": Case(
        "manifest.yaml:13:37",
        ("MIIEvPEMBODYsecret0002",),
        duckdb=f'      settings: {{custom_user_agent: "{PEM}"}}\n',
    ),
    # (7) a user written name:password
    "user name:password": Case(
        "manifest.yaml:16:13",
        ("SPARKPWsecret0013",),
        spark="      user: floe:SPARKPWsecret0013\n",
    ),
    # where else engine settings are written: an environment's, a policy's
    "environment override": Case(
        "manifest.yaml:18:22",
        ("ENVPWsecret0014",),
        environments="  environments:\n    prod:\n"
        "      duckdb: {path: 's3://k:ENVPWsecret0014@bucket/prod.duckdb'}\n",
    ),
    "policy target": Case(
        "policies/finance/policy.yaml:8:40",
        ("POLICYsecret0015",),
        policy="  targets:\n    duckdb:\n"
        "      settings: {s3_secret_access_key: POLICYsecret0015}\n",
    ),
}


@dataclass(frozen=True)
class Outputs:
    """What a check of one repository printed in every format, and its job summary."""

    codes: dict[str, int]
    printed: dict[str, str]
    summary: str


def check_every_format(platform: Platform, tmp_path: Path) -> Outputs:
    platform.add()
    summary = tmp_path / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    codes, printed = {}, {}
    for output_format in names(PROBLEMS):
        done = CliRunner().invoke(
            cli,
            ["check", "--repo", str(platform.root), "--format", output_format],
            env={"GITHUB_STEP_SUMMARY": str(summary), "NO_COLOR": "1"},
        )
        codes[output_format] = done.exit_code
        printed[output_format] = done.stdout + done.stderr
    return Outputs(codes, printed, summary.read_text(encoding="utf-8"))


def compile_outputs(platform: Platform, out: Path) -> tuple[int, str]:
    """``compile``'s exit code, and everything it printed and wrote."""
    done = CliRunner().invoke(cli, ["compile", "--repo", str(platform.root), "--out", str(out)])
    written = [p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()]
    return done.exit_code, "\n".join([done.stdout, done.stderr, *written])


def assert_never_shown(secrets: tuple[str, ...], outputs: Outputs) -> None:
    for secret in secrets:
        for output_format, text in outputs.printed.items():
            assert secret not in text, f"{output_format} printed the secret:\n{text}"
        assert secret not in outputs.summary, outputs.summary


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_literal_secret_is_a_located_fg401_and_never_shown(
    platform: Platform, tmp_path: Path, case: Case
) -> None:
    case.write(platform)
    outputs = check_every_format(platform, tmp_path)
    assert outputs.codes == dict.fromkeys(names(PROBLEMS), 1), outputs.printed["text"]
    assert f"{case.where}: error FG401 " in outputs.printed["text"], outputs.printed["text"]
    assert outputs.summary  # the github format wrote its summary
    assert_never_shown(case.secrets, outputs)
    out = tmp_path / "artifacts"
    code, everything = compile_outputs(platform, out)
    assert code == 1, everything
    assert not out.exists()
    for secret in case.secrets:
        assert secret not in everything


# --- (8) FG401 cannot be waived ---------------------------------------------------------------

WAIVER = """\
apiVersion: floe/v1
kind: Waivers
waivers:
  - {rule: FG401, subject: manifest.yaml, reason: adopting the gate, expires: 2999-12-31}
"""


@pytest.mark.parametrize("files", [(), ("manifest.yaml", "policies/waivers.yaml")])
def test_a_waiver_of_a_literal_secret_waives_nothing_and_is_itself_an_error(
    platform: Platform, tmp_path: Path, files: tuple[str, ...]
) -> None:
    """``files``: as the pre-commit hook calls check (from the repository's root, with
    the files of the commit); before, the waiver made both pass."""
    case = CASES["s3 key and secret as the DuckDB path"]
    case.write(platform)
    platform.write("policies/waivers.yaml", WAIVER)
    done = platform.cli("check", *files)
    assert done.returncode == 1, done.stdout
    assert f"{case.where}: error FG401 " in done.stdout, done.stdout
    assert "policies/waivers.yaml:4:12: error FG501 FG401 cannot be waived" in done.stdout
    assert "[waived until" not in done.stdout
    assert_never_shown(case.secrets, check_every_format(platform, tmp_path))
    code, _ = compile_outputs(platform, tmp_path / "artifacts")
    assert code == 1


# --- (9) values are not echoed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "where", "message"),
    [
        ("memory_limit: SEKRIT_mem10", "manifest.yaml:11:56",
         "duckdb settings: memory_limit: not a size DuckDB accepts"),
        ("max_temp_directory_size: SEKRIT_mem10, temp_directory: spill", "manifest.yaml:11:67",
         "duckdb settings: max_temp_directory_size: not a size DuckDB accepts"),
        ("extensions: [SEKRIT_mem10]", "manifest.yaml:11:5",
         "duckdb settings: extensions[0] is not a DuckDB extension name"),
        ("catalog: {catalog_uri: 'http://p:8181', catalog_name: SEKRIT-mem10}",
         "manifest.yaml:11:51",
         "duckdb settings: catalog: catalog_name must be a plain identifier"),
    ],
)  # fmt: skip
def test_a_refused_value_is_named_by_its_key_and_never_echoed(
    platform: Platform, tmp_path: Path, setting: str, where: str, message: str
) -> None:
    manifest = platform.read("manifest.yaml")
    platform.write("manifest.yaml", manifest.replace("memory_limit: 1GB", setting))
    outputs = check_every_format(platform, tmp_path)
    assert outputs.codes == dict.fromkeys(names(PROBLEMS), 1), outputs.printed["text"]
    assert f"{where}: error FG203 {message}" in outputs.printed["text"], outputs.printed["text"]
    assert_never_shown(("SEKRIT_mem10", "SEKRIT-mem10"), outputs)


DATABRICKS = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
compute:
  approved: [databricks]
  default: databricks
  targets:
    databricks:
      host: dbc-a1b2.cloud.databricks.com
      http_path: /sql/1.0/SEKRIT_http_path
      token: {env: DATABRICKS_TOKEN}
"""


def test_a_databricks_http_path_is_not_echoed(platform: Platform, tmp_path: Path) -> None:
    platform.write("manifest.yaml", DATABRICKS)
    platform.write(
        "policies/finance/policy.yaml",
        FINANCE_POLICY.replace("duckdb", "databricks"),
    )
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace(
            "compute: duckdb", "compute: databricks"
        ),
    )
    outputs = check_every_format(platform, tmp_path)
    assert outputs.codes == dict.fromkeys(names(PROBLEMS), 1), outputs.printed["text"]
    assert (
        "manifest.yaml:11:18: error FG203 databricks settings: http_path: neither a SQL warehouse"
        in outputs.printed["text"]
    ), outputs.printed["text"]
    assert_never_shown(("SEKRIT_http_path",), outputs)


# Every first-party engine, with settings it accepts: each string setting in turn (and
# each of its catalog's) is given a value no validator accepts, and no message may
# repeat it. This is what holds a validator that formats its value into its message.
VALID_SETTINGS: dict[str, dict[str, object]] = {
    "duckdb": {
        "catalog": {"catalog_uri": "http://polaris:8181/api/catalog", "catalog_name": "lake"}
    },
    "spark": {
        "method": "thrift",
        "host": "spark-thrift",
        "catalog": {"catalog_uri": "http://polaris:8181/api/catalog", "catalog_name": "lake"},
    },
    "snowflake": {
        "account": "acme-xy123",
        "user": {"env": "SNOWFLAKE_USER"},
        "password": {"env": "SNOWFLAKE_PASSWORD"},
        "database": "ANALYTICS",
    },
    "bigquery": {"project": "acme-analytics"},
    "databricks": {
        "host": "dbc-a1b2.cloud.databricks.com",
        "http_path": "/sql/1.0/warehouses/abc123",
        "token": {"env": "DATABRICKS_TOKEN"},
    },
}
PROBE = "SEKRIT probe:9 ~\u00e9/{x}"


def string_settings(settings: dict[str, object], model: type[BaseModel]) -> list[tuple[str, ...]]:
    """Key paths of the string fields of ``model`` (and of ``catalog``'s, when set)."""
    paths: list[tuple[str, ...]] = []
    for name, info in model.model_fields.items():
        if name != "plugin" and "str" in str(info.annotation):
            paths.append((name,))
    catalog = settings.get("catalog")
    if isinstance(catalog, dict):
        paths += [("catalog", name) for name, info in CatalogConfig.model_fields.items()
                  if "str" in str(info.annotation)]  # fmt: skip
    return paths


@pytest.mark.parametrize("engine", VALID_SETTINGS)
def test_no_engine_validator_echoes_a_value(engine: str) -> None:
    plugin = PluginRegistry().get(engine)
    valid = VALID_SETTINGS[engine]
    plugin.parse_config(valid)  # the base is accepted
    refused = 0
    for path in string_settings(valid, plugin.config_model):
        settings: dict[str, object] = {**valid}
        if len(path) == 2:
            settings[path[0]] = {**valid[path[0]], path[1]: PROBE}  # type: ignore[dict-item]
        else:
            settings[path[0]] = PROBE
        try:
            plugin.parse_config(settings)
        except ValidationError as error:
            refused += 1
            for detail in error.errors():
                _, _, message = describe_error(detail, plugin.config_model, settings)
                assert "SEKRIT" not in message, f"{engine} {'.'.join(path)}: {message}"
    assert refused  # the probe reached the validators
