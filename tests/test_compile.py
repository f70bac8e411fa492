"""`floe-gate compile`: artifact layout and content, determinism, `--check`, refusals."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from floe_compute_duckdb import __version__ as duckdb_plugin_version
from floe_compute_duckdb.plugin import DBT_PACKAGES
from floe_compute_spark.plugin import DBT_PACKAGES as SPARK_PACKAGES
from floe_compute_spark.plugin import SESSION_PACKAGE
from floe_gate.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_MANIFEST = "examples/manifest.yaml"
EXAMPLE_ENVIRONMENTS = ("dev", "staging", "prod")
EXAMPLE_PRODUCTS = ("markets", "orders", "revenue", "risk_scores")
MEDIUM = {
    "requests": {"cpu": "500m", "memory": "1Gi", "ephemeral-storage": "500Mi"},
    "limits": {"cpu": "2000m", "memory": "4Gi", "ephemeral-storage": "2Gi"},
}
LARGE = {
    "requests": {"cpu": "2000m", "memory": "4Gi", "ephemeral-storage": "1Gi"},
    "limits": {"cpu": "8000m", "memory": "16Gi", "ephemeral-storage": "5Gi"},
}

PLATFORM = {
    "manifest.yaml": """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
  prod: {branch: main}
compute:
  approved: [duckdb]
  default: duckdb
  timeout_seconds: 1800
  allowed_paths: [/data]  # prod's database (FG404)
  targets:
    duckdb: {path: warehouse/dev.duckdb, memory_limit: 1GB, threads: 2}
  environments:
    prod:
      duckdb: {path: /data/prod.duckdb, memory_limit: 2GB}
""",
    "policies/sales/policy.yaml": """\
apiVersion: floe/v1
kind: Policy
compute: {approved: [duckdb], default: duckdb}
""",
    "policies/finance/policy.yaml": """\
apiVersion: floe/v1
kind: Policy
compute:
  targets:
    duckdb: {threads: 1, timeout_seconds: 900}
""",
    "products/shop/floe.yaml": """\
apiVersion: floe/v1
kind: DataProduct
name: shop
domain: sales
schema: shop_mart
transforms:
  - name: stg_sales
    workload: medium
    timeout_seconds: 60
  - name: fct_sales
    workload: large
    resources: {memory_limit: 20Gi}
""",
    "products/shop/dbt_project.yml": "name: shop\nconfig-version: 2\nprofile: shop_profile\n",
    "products/shop/models/stg_sales.sql": "select 1 as id\n",
    "products/shop/models/fct_sales.sql": "select * from {{ ref('stg_sales') }}\n",
    "products/shop/models/unlisted.sql": "select 2 as id\n",
    "products/ledger/floe.yaml": """\
apiVersion: floe/v1
kind: DataProduct
name: ledger
domain: finance
""",
    "products/ledger/dbt_project.yml": "name: ledger\nconfig-version: 2\nprofile: ledger\n",
    "products/ledger/models/balances.sql": "select 1 as balance\n",
}


def floe_gate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def make_platform(root: Path, files: dict[str, str] = PLATFORM) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    return root


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (POSIX relative path → bytes)."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Content and modification time of every file: proof that nothing was written."""
    return {
        name: (content, (directory / name).stat().st_mtime_ns)
        for name, content in tree(directory).items()
    }


def load_yaml(path: Path) -> Any:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def platform(tmp_path: Path) -> Path:
    return make_platform(tmp_path / "platform")


@pytest.fixture
def compiled(platform: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "artifacts"
    code, stdout, stderr = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(out))
    assert code == 0, stdout + stderr
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example compiled once, as `./dev.sh demo` does (from the repo root)."""
    out = tmp_path_factory.mktemp("example") / "artifacts"
    code = main(["compile", "--repo", str(REPO), "--manifest", EXAMPLE_MANIFEST, "--out", str(out)])
    assert code == 0
    return out


# The bundled example: layout and content


def test_example_layout(example: Path) -> None:
    expected = {"requirements-dbt.txt"}
    for environment in EXAMPLE_ENVIRONMENTS:
        expected |= {f"{environment}/compiled.json", f"{environment}/resources.yaml"}
        expected |= {
            f"{environment}/{product}/{engine}/profiles.yml"
            for product in EXAMPLE_PRODUCTS
            for engine in (("duckdb", "spark") if product == "markets" else ("duckdb",))
        }
    assert set(tree(example)) == expected


def test_example_profile_is_named_by_the_dbt_project_with_one_output_named_by_the_environment(
    example: Path,
) -> None:
    profiles = load_yaml(example / "dev" / "orders" / "duckdb" / "profiles.yml")
    assert profiles == {
        "orders": {
            "target": "dev",
            "outputs": {
                "dev": {
                    "type": "duckdb",
                    "schema": "orders",
                    "path": "warehouse/platform.duckdb",
                    "threads": 2,
                    "settings": {
                        "memory_limit": "1GB",
                        "threads": 2,
                        "max_temp_directory_size": "1536MB",
                    },
                    "config_options": {"temp_directory": "warehouse/spill"},
                    # DuckDB has no statement timeout: a dbt-duckdb plugin enforces the
                    # manifest's default and customer_revenue's own 600 s.
                    "plugins": [
                        {
                            "module": "floe_compute_duckdb.statement_guard",
                            "config": {
                                "statement_timeout_seconds": 3600,
                                "memory_limit": "1GB",
                                "temp_directory": "warehouse/spill",
                                "max_temp_directory_size": "1536MB",
                                "model_timeouts": {"customer_revenue": 600},
                            },
                        }
                    ],
                }
            },
        }
    }


def test_example_policy_settings_reach_the_products_of_their_domain(example: Path) -> None:
    risk = load_yaml(example / "dev" / "risk_scores" / "duckdb" / "profiles.yml")
    output = risk["risk_scores"]["outputs"]["dev"]
    assert output["threads"] == 1
    assert output["settings"]["memory_limit"] == "512MB"


def test_example_environment_overrides(example: Path) -> None:
    def output(environment: str) -> Any:
        profiles = load_yaml(example / environment / "orders" / "duckdb" / "profiles.yml")
        return profiles["orders"]["outputs"][environment]

    assert output("dev")["path"] == output("staging")["path"] == "warehouse/platform.duckdb"
    assert output("prod")["path"] == "/data/prod.duckdb"
    assert output("dev")["settings"]["memory_limit"] == "1GB"
    assert output("prod")["settings"]["memory_limit"] == "2GB"
    assert output("prod")["config_options"]["temp_directory"] == "warehouse/spill"


def test_example_profile_tells_how_the_environment_reaches_dbt(example: Path) -> None:
    text = (example / "prod" / "orders" / "duckdb" / "profiles.yml").read_text(encoding="utf-8")
    assert "--vars '{floe_env: prod}'" in text
    assert json.loads((example / "prod" / "compiled.json").read_text())["dbt_vars"] == {
        "floe_env": "prod"
    }


def test_example_compiled_json(example: Path) -> None:
    text = (example / "dev" / "compiled.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert document["schema_version"] == 2
    assert document["environment"] == "dev"
    assert document["branch"] == "dev"
    orders = document["products"]["orders"]
    assert orders["profile"] == "orders"
    assert orders["profiles_dir"] == "orders/duckdb"
    assert orders["profiles_dirs"] == {"duckdb": "orders/duckdb"}
    assert orders["dbt_project"] == "examples/products/orders"
    assert orders["target"] == "dev"
    assert orders["engine"] == "duckdb"
    transforms = orders["transforms"]
    assert list(transforms) == ["customer_revenue", "stg_customers", "stg_orders"]
    assert transforms["customer_revenue"] == {
        "engine": "duckdb",
        "profiles_dir": "orders/duckdb",
        "listed": True,
        "workload": "medium",
        "resources": MEDIUM,
        "timeout_seconds": 600,
    }
    unlisted = transforms["stg_customers"]
    assert unlisted["listed"] is False
    assert unlisted["timeout_seconds"] == 3600
    assert unlisted["resources"] == MEDIUM
    revenue = document["products"]["revenue"]["transforms"]["monthly_revenue"]
    assert revenue["resources"]["limits"]["memory"] == "6Gi"


def test_example_resources_match_compiled_json(example: Path) -> None:
    resources = load_yaml(example / "staging" / "resources.yaml")
    compiled = json.loads((example / "staging" / "compiled.json").read_text())
    assert list(resources) == list(EXAMPLE_PRODUCTS)
    for product, transforms in compiled["products"].items():
        assert resources[product] == {
            name: transform["resources"] for name, transform in transforms["transforms"].items()
        }


def test_example_requirements(example: Path) -> None:
    lines = (example / "requirements-dbt.txt").read_text(encoding="utf-8").splitlines()
    requirements = [line for line in lines if not line.startswith("#")]
    # The DuckDB plugin itself: its statement guard runs inside dbt. Spark's adapter, and
    # pyspark: the example's Spark runs in the dbt process (method: session).
    # The adapters first (as docs/plugins.md says), then the rest; each group sorted.
    adapters = ["dbt-duckdb>=1.11.1,<1.12", "dbt-spark[PyHive]>=1.11,<1.12"]
    assert adapters == [DBT_PACKAGES[0], SPARK_PACKAGES[0]]
    rest = {
        *DBT_PACKAGES[1:],
        f"floe-compute-duckdb=={duckdb_plugin_version}",
        *SPARK_PACKAGES[1:],
        SESSION_PACKAGE,
    }
    assert requirements == [*adapters, *sorted(rest)]
    assert requirements[2:] == [
        "dbt-core>=1.11,<1.12",
        "duckdb==1.5.5",
        f"floe-compute-duckdb=={duckdb_plugin_version}",
        "pyspark>=4.0,<5",
    ]


def test_example_is_up_to_date_right_after_compiling(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = floe_gate(
        capsys, "compile", "--repo", str(REPO), "--manifest", EXAMPLE_MANIFEST,
        "--out", str(example), "--check",
    )  # fmt: skip
    assert code == 0
    assert "up to date" in stdout


# A platform of its own: content


def test_schema_profile_name_and_unlisted_models(compiled: Path) -> None:
    profiles = load_yaml(compiled / "dev" / "shop" / "duckdb" / "profiles.yml")
    assert list(profiles) == ["shop_profile"]
    assert profiles["shop_profile"]["outputs"]["dev"]["schema"] == "shop_mart"
    shop = json.loads((compiled / "dev" / "compiled.json").read_text())["products"]["shop"]
    assert list(shop["transforms"]) == ["fct_sales", "stg_sales", "unlisted"]
    assert shop["transforms"]["unlisted"]["listed"] is False
    resources = load_yaml(compiled / "dev" / "resources.yaml")
    assert resources["shop"]["unlisted"] == MEDIUM
    assert resources["shop"]["fct_sales"] == {
        "requests": LARGE["requests"],
        "limits": {**LARGE["limits"], "memory": "20Gi"},
    }


def test_timeouts_transform_then_engine_settings_then_manifest(compiled: Path) -> None:
    products = json.loads((compiled / "prod" / "compiled.json").read_text())["products"]
    assert products["shop"]["transforms"]["stg_sales"]["timeout_seconds"] == 60
    assert products["shop"]["transforms"]["fct_sales"]["timeout_seconds"] == 1800
    assert products["ledger"]["transforms"]["balances"]["timeout_seconds"] == 900


def test_environment_overrides_apply_to_every_product(compiled: Path) -> None:
    for product, profile in (("shop", "shop_profile"), ("ledger", "ledger")):
        dev = load_yaml(compiled / "dev" / product / "duckdb" / "profiles.yml")[profile]
        prod = load_yaml(compiled / "prod" / product / "duckdb" / "profiles.yml")[profile]
        assert dev["outputs"]["dev"]["path"] == "warehouse/dev.duckdb"
        assert prod["outputs"]["prod"]["path"] == "/data/prod.duckdb"
        assert prod["outputs"]["prod"]["settings"]["memory_limit"] == "2GB"


def test_env_option_selects_environments(
    platform: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dev-only"
    code, _, _ = floe_gate(capsys, "compile", "--repo", str(platform), "--env", "dev",
                           "--env", "dev", "--out", str(out))  # fmt: skip
    assert code == 0
    assert sorted(tree(out)) == [
        "dev/compiled.json",
        "dev/ledger/duckdb/profiles.yml",
        "dev/resources.yaml",
        "dev/shop/duckdb/profiles.yml",
        "requirements-dbt.txt",
    ]


# Determinism


def test_same_inputs_give_byte_identical_trees_anywhere(
    platform: Path, compiled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another output directory, another checkout location, another working directory."""
    elsewhere = tmp_path / "elsewhere" / "deeper"
    shutil.copytree(platform, elsewhere / "platform-copy")
    out = elsewhere / "out"
    cwd = Path.cwd()
    try:
        os.chdir(elsewhere / "platform-copy")
        code, _, _ = floe_gate(capsys, "compile", "--out", "../out")
    finally:
        os.chdir(cwd)
    assert code == 0
    assert tree(out) == tree(compiled)
    again = tmp_path / "again"
    assert floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(again))[0] == 0
    assert tree(again) == tree(compiled)
    for name, content in tree(compiled).items():
        assert str(tmp_path).encode() not in content, name
        assert content.endswith(b"\n"), name
        assert b"\r" not in content, name


def test_compiling_again_rewrites_nothing(
    platform: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(compiled)
    code, stdout, _ = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(compiled))
    assert code == 0
    assert "0 written" in stdout
    assert snapshot(compiled) == before


# --check


def check(capsys: pytest.CaptureFixture[str], platform: Path, out: Path) -> tuple[int, str]:
    code, stdout, _ = floe_gate(
        capsys, "compile", "--repo", str(platform), "--out", str(out), "--check"
    )
    return code, stdout


def test_check_passes_on_fresh_output(
    platform: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(capsys, platform, compiled) == (0, f"artifacts in {compiled} are up to date\n")


def test_check_fails_after_editing_a_product_and_writes_nothing(
    platform: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    floe = platform / "products" / "shop" / "floe.yaml"
    floe.write_text(floe.read_text().replace("timeout_seconds: 60", "timeout_seconds: 120"))
    before = snapshot(compiled)
    code, stdout = check(capsys, platform, compiled)
    assert code == 1
    # The timeout is in compiled.json and in the profile's statement guard.
    assert stdout.splitlines() == [
        "stale: dev/compiled.json",
        "stale: dev/shop/duckdb/profiles.yml",
        "stale: prod/compiled.json",
        "stale: prod/shop/duckdb/profiles.yml",
    ]
    assert snapshot(compiled) == before


def test_check_reports_missing_and_extra_files(
    platform: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (compiled / "prod" / "shop" / "duckdb" / "profiles.yml").unlink()
    (compiled / "dev" / "shop" / "notes.txt").write_text("mine")
    (compiled / "requirements-dbt.txt").write_text("dbt-core\n")
    code, stdout = check(capsys, platform, compiled)
    assert code == 1
    assert stdout.splitlines() == [
        "stale: requirements-dbt.txt",
        "missing: prod/shop/duckdb/profiles.yml",
        "extra: dev/shop/notes.txt",
    ]
    assert (compiled / "dev" / "shop" / "notes.txt").exists()


def test_dbts_usage_id_in_a_profiles_directory_is_left_alone(
    platform: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What `dbt build --profiles-dir dev/shop/duckdb` writes there with usage stats on.
    user_file = compiled / "dev" / "shop" / "duckdb" / ".user.yml"
    user_file.write_text("id: 4f0c2b9e-1d7a-4c5e-9a0b-2f6d8e3c1a57\n")
    assert check(capsys, platform, compiled) == (0, f"artifacts in {compiled} are up to date\n")
    floe = platform / "products" / "shop" / "floe.yaml"
    floe.write_text(floe.read_text().replace("timeout_seconds: 60", "timeout_seconds: 120"))
    code, _, _ = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(compiled))
    assert code == 0
    assert user_file.read_text() == "id: 4f0c2b9e-1d7a-4c5e-9a0b-2f6d8e3c1a57\n"


def test_check_of_a_missing_directory_does_not_create_it(
    platform: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "never"
    code, stdout = check(capsys, platform, out)
    assert code == 1
    assert "missing: dev/compiled.json" in stdout
    assert not out.exists()


def test_a_removed_product_or_environment_is_extra_and_compile_removes_it(
    platform: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(platform / "products" / "ledger")
    manifest = platform / "manifest.yaml"
    manifest.write_text(
        manifest.read_text()
        .replace("  prod: {branch: main}\n", "")
        .replace("  environments:\n    prod:\n      duckdb: {path: /data/prod.duckdb, "
                 "memory_limit: 2GB}\n", "")
    )  # fmt: skip
    unrelated = compiled / "README.md"
    unrelated.write_text("not an artifact")
    code, stdout = check(capsys, platform, compiled)
    assert code == 1
    assert "extra: dev/ledger/duckdb/profiles.yml" in stdout
    assert "extra: prod/compiled.json" in stdout
    assert "README.md" not in stdout
    code, _, _ = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(compiled))
    assert code == 0
    assert sorted(tree(compiled)) == [
        "README.md",
        "dev/compiled.json",
        "dev/resources.yaml",
        "dev/shop/duckdb/profiles.yml",
        "requirements-dbt.txt",
    ]
    assert check(capsys, platform, compiled)[0] == 0


def test_check_of_one_environment_ignores_the_others(
    platform: Path, compiled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (compiled / "prod" / "resources.yaml").unlink()
    code, _, _ = floe_gate(capsys, "compile", "--repo", str(platform), "--env", "dev",
                           "--out", str(compiled), "--check")  # fmt: skip
    assert code == 0


def test_compile_refuses_to_replace_a_directory_it_did_not_write(
    platform: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    (out / "dev").mkdir(parents=True)
    (out / "dev" / "precious.txt").write_text("keep me")
    code, _, stderr = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(out))
    assert code == 2
    assert "no compiled.json" in stderr
    assert tree(out) == {"dev/precious.txt": b"keep me"}


# Refusals


def test_errors_block_compile(
    platform: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    floe = platform / "products" / "shop" / "floe.yaml"
    floe.write_text(
        floe.read_text().replace("workload: large", "workload: large\n    compute: spark")
    )
    out = tmp_path / "out"
    for extra in ((), ("--check",)):
        code, stdout, stderr = floe_gate(
            capsys, "compile", "--repo", str(platform), "--out", str(out), *extra
        )
        assert code == 1
        assert "products/shop/floe.yaml:" in stdout
        assert "error FG201" in stdout
        assert "compile refused" in stderr
    assert not out.exists()


def test_unknown_environment_is_exit_2_and_lists_the_known_ones(
    platform: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, stderr = floe_gate(capsys, "compile", "--repo", str(platform), "--env", "qa",
                                "--out", str(out))  # fmt: skip
    assert code == 2
    assert "unknown environment 'qa'" in stderr
    assert "dev, prod" in stderr
    assert not out.exists()


def test_outside_a_git_repository_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    code, _, stderr = floe_gate(
        capsys, "compile", "--repo", str(bare), "--out", str(tmp_path / "o")
    )
    assert code == 2
    assert "not inside a git repository" in stderr


def test_missing_manifest_is_exit_2(platform: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = platform / "o"
    code, _, stderr = floe_gate(
        capsys, "compile", "--repo", str(platform), "--manifest", "nope.yaml", "--out", str(out)
    )
    assert code == 2
    assert "no manifest" in stderr


def test_environment_names_that_cannot_be_directories_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = dict(PLATFORM)
    files["manifest.yaml"] = files["manifest.yaml"].replace(
        "prod: {branch: main}", "../up: {branch: main}"
    )
    files["manifest.yaml"] = files["manifest.yaml"].replace(
        "  environments:\n    prod:", "  environments:\n    dev:"
    )
    platform = make_platform(tmp_path / "platform", files)
    out = tmp_path / "out"
    code, _, stderr = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(out))
    assert code == 1, stderr
    assert "environment name '../up' cannot be an artifact directory" in stderr
    assert not out.exists()
    assert not (tmp_path / "up").exists()


# Secrets


def test_no_secret_value_ever_reaches_an_artifact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sentinel = "s3cr3t-SENTINEL-value-9f2c"
    monkeypatch.setenv("FLOE_TEST_S3_SECRET", sentinel)
    monkeypatch.setenv("FLOE_TEST_S3_KEY_ID", sentinel + "-id")
    files = dict(PLATFORM)
    files["manifest.yaml"] = files["manifest.yaml"].replace(
        "duckdb: {path: warehouse/dev.duckdb, memory_limit: 1GB, threads: 2}",
        "duckdb:\n"
        "      path: warehouse/dev.duckdb\n"
        "      memory_limit: 1GB\n"
        "      threads: 2\n"
        "      secrets:\n"
        "        - {type: s3, key_id: {env: FLOE_TEST_S3_KEY_ID},"
        " secret: {env: FLOE_TEST_S3_SECRET}, region: eu-west-1}",
    )
    platform = make_platform(tmp_path / "platform", files)
    out = tmp_path / "out"
    code, stdout, stderr = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(out))
    assert code == 0, stdout + stderr
    assert sentinel not in stdout + stderr
    artifacts = tree(out)
    for name, content in artifacts.items():
        assert sentinel.encode() not in content, name
    profiles = load_yaml(out / "prod" / "shop" / "duckdb" / "profiles.yml")
    secret = profiles["shop_profile"]["outputs"]["prod"]["secrets"][0]
    assert secret["secret"] == "{{ env_var('FLOE_TEST_S3_SECRET') }}"
    assert secret["key_id"] == "{{ env_var('FLOE_TEST_S3_KEY_ID') }}"


# The console script, as CI calls it


def test_console_script_compiles_and_checks(platform: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "floe-gate"
    out = tmp_path / "out"
    for args in (("--out", str(out)), ("--out", str(out), "--check")):
        run = subprocess.run([str(script), "compile", *args], cwd=platform,
                             capture_output=True, text=True, check=False)  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr


def test_product_names_differing_only_in_case_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = dict(PLATFORM)
    for name in ("floe.yaml", "dbt_project.yml", "models/balances.sql"):
        files[f"products/Ledger/{name}"] = files[f"products/ledger/{name}"]
    files["products/Ledger/floe.yaml"] = files["products/ledger/floe.yaml"].replace(
        "name: ledger", "name: Ledger"
    )
    platform = make_platform(tmp_path / "platform", files)
    out = tmp_path / "out"
    code, _, stderr = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(out))
    assert code == 1, stderr
    assert "would share an artifact directory" in stderr
    assert not out.exists()


def test_waived_invalid_settings_still_produce_no_artifacts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A waiver silences the gate, but the plugin still refuses to render what it rejects."""
    files = dict(PLATFORM)
    files["manifest.yaml"] = files["manifest.yaml"].replace(
        "memory_limit: 2GB", "memory_limit: lots"
    )
    files["policies/waivers.yaml"] = (
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n"
        "  - {rule: FG203, subject: manifest.yaml, reason: migrating, expires: 2999-01-01}\n"
    )
    platform = make_platform(tmp_path / "platform", files)
    out = tmp_path / "out"
    code, _, stderr = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(out))
    assert code == 1, stderr
    assert "warning FG203" in stderr
    assert "duckdb settings in environment prod are invalid (memory_limit:" in stderr
    assert "compile refused: no artifacts written" in stderr
    assert not out.exists()


def test_an_iceberg_catalog_adds_the_extension_wheels_to_the_requirements(
    platform: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    manifest = platform / "manifest.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "memory_limit: 1GB, threads: 2}",
            "memory_limit: 1GB, threads: 2, catalog: "
            "{catalog_uri: 'http://polaris:8181/api/catalog', catalog_name: lake}}",
        )
    )
    out = tmp_path / "out"
    code, stdout, stderr = floe_gate(capsys, "compile", "--repo", str(platform), "--out", str(out))
    assert code == 0, stdout + stderr
    requirements = (out / "requirements-dbt.txt").read_text().splitlines()
    assert {f"duckdb-extension-{name}==1.5.5" for name in ("avro", "httpfs", "iceberg")} <= set(
        requirements
    )
    assert "duckdb==1.5.5" in requirements


def test_the_fast_yaml_emitter_writes_what_the_pure_python_one_writes() -> None:
    """Artifacts must not depend on whether PyYAML was built with libyaml."""
    import yaml

    from floe_gate.emit.render import dump_yaml

    data = {
        "type": "duckdb",
        "schema": "s_é_日本",
        "quoted": ["on", "1.0", "null", "~", "", " x", "a: b", "#c", "'q'", '"d"', "-", "0x1F"],
        "long": "word " * 60,
        "lines": "one\ntwo\n",
        "numbers": [1, 1.5, True, None, -0.0, 10**20],
        "nested": {"settings": {"threads": 2, "memory_limit": "1GB"}, "empty": {}, "none": []},
        "tab": "a\tb",
    }
    pure = yaml.dump(
        data, Dumper=yaml.SafeDumper, sort_keys=False, default_flow_style=False,
        allow_unicode=True, width=120,
    )  # fmt: skip
    assert dump_yaml(data) == pure


def test_yaml_dumped_entry_by_entry_is_the_whole_dump() -> None:
    """resources.yaml dumps each distinct block once; the bytes must not change."""
    from floe_gate.emit.render import dump_yaml, dump_yaml_entries

    block = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "2"}}
    data = {
        "plain": {"a": dict(block["requests"]), "b": {"cpu": "1", "memory": 1}},
        "also_plain": {"a": dict(block["requests"]), "b": {"cpu": 1, "memory": "1"}},
        "on": {"a": {"cpu": True}},
        "a: b": {"x": ["on", 1.0, "1.0", {"y": None}]},
        "k" * 130: {"long key": "written as ? key"},
        "scalar": "word " * 40,
        "empty": {},
        "none": [],
        "日本": {"é": "s_é_日本", "lines": "one\ntwo\n"},
    }
    assert dump_yaml_entries(data) == dump_yaml(data)
    shared = {"x": block, "y": block}
    assert "&id001" in dump_yaml(shared)
    assert dump_yaml_entries(shared) == dump_yaml(shared)


def test_compiled_json_writer_is_json_dumps() -> None:
    """compiled.json's faster writer must write json.dumps's bytes, or leave it to it."""
    import json

    from floe_gate.emit.render import dump_json

    data = {
        "z": [1, -2, 10**20, True, False, None, "", [], {}, [[]], {"b": {}, "a": []}],
        "a": {"é": '日本 "quoted" \\ back\nline\ttab \x00 \u2028 \U0001f600', "A": "x"},
        "m": {"nested": {"deeper": [{"k": "v"}, "s"]}},
    }
    expected = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert dump_json(data) == expected
    for other in ({"f": 1.5}, {"t": (1, 2)}, {1: "int key"}, {"nan": float("nan")}):
        assert dump_json(other) == json.dumps(other, indent=2, sort_keys=True) + "\n"


def test_writing_removes_the_directories_left_empty_and_keeps_the_rest(tmp_path: Path) -> None:
    from floe_gate.emit.tree import write

    out = tmp_path / "out"
    first = {"dev/a/x/profiles.yml": b"1", "dev/b/profiles.yml": b"2", "dev/compiled.json": b"{}"}
    assert write(out, first, ["dev"]).written == sorted(first)
    (out / "dev" / "empty" / "deeper").mkdir(parents=True)
    second = {"dev/b/profiles.yml": b"3", "dev/compiled.json": b"{}", "requirements-dbt.txt": b""}
    done = write(out, second, ["dev", "requirements-dbt.txt"])
    assert done.removed == ["dev/a/x/profiles.yml"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "dev", "dev/b", "dev/b/profiles.yml", "dev/compiled.json", "requirements-dbt.txt",
    ]  # fmt: skip
    only_requirements = tmp_path / "fresh"
    assert write(only_requirements, {"requirements-dbt.txt": b"x"}, ["requirements-dbt.txt"])
    assert (only_requirements / "requirements-dbt.txt").read_bytes() == b"x"


def test_a_fifo_where_an_artifact_belongs_is_stale_and_replaced_without_being_opened_for_long(
    tmp_path: Path,
) -> None:
    """Comparing reads without blocking: a FIFO with no writer would hang a plain open."""
    from floe_gate.emit.tree import compare, write

    out = tmp_path / "out"
    files = {"dev/a/profiles.yml": b"1", "dev/compiled.json": b"{}"}
    write(out, files, ["dev"])
    (out / "dev/a/profiles.yml").unlink()
    os.mkfifo(out / "dev/a/profiles.yml")
    assert compare(out, files, ["dev"]).stale == ["dev/a/profiles.yml"]
    assert write(out, files, ["dev"]).written == ["dev/a/profiles.yml"]
    assert (out / "dev/a/profiles.yml").read_bytes() == b"1"
    assert sorted(p.name for p in (out / "dev/a").iterdir()) == ["profiles.yml"]


def test_new_artifacts_are_created_whole_with_the_umask_mode(tmp_path: Path) -> None:
    """Small new files are made in place, big ones through a rename: same bytes, same mode."""
    from floe_gate.emit.tree import ONE_WRITE, write

    out = tmp_path / "out"
    files = {"dev/small.yml": b"s" * ONE_WRITE, "dev/compiled.json": b"b" * (3 * ONE_WRITE + 1)}
    old = os.umask(0o027)
    try:
        write(out, files, ["dev"])
    finally:
        os.umask(old)
    for path, content in files.items():
        assert (out / path).read_bytes() == content
        assert stat.S_IMODE((out / path).stat().st_mode) == 0o640
    assert sorted(p.name for p in (out / "dev").iterdir()) == ["compiled.json", "small.yml"]
