"""floe-gate reads a dbt project as dbt does: the scan against ``dbt parse`` on the same project.

The project (tests/dbt_shop.py) is written as real ones are; dbt's own
``target/manifest.json`` is the authority the scan must agree with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import (
    MANIFEST_DUCKDB_SPARK,
    Platform,
    assert_clean,
    of_rule,
    only,
    registry_with,
    where,
)
from dbt_shop import PRODUCT, SCAN, write_shop

from floe_gate.load.repository import load_repository
from floe_gate.load.sources import WorkingTree
from floe_gate.problems import Severity

TARGET_NAME_RULE = "FG308"

DBT = Path(sys.executable).with_name("dbt")

Row = tuple[str, str, str | None, bool, str | None]


def scanned(platform: Platform, product: str = "shop") -> set[Row]:
    platform.add()
    repository = load_repository(WorkingTree(platform.root))
    node = next(n for n in repository.products if n.product.model.name == product)
    assert node.dbt is not None
    return {
        (m.package, m.name, m.version, m.is_enabled, m.materialization)
        for m in node.dbt.scan.models
    }


def dbt_parse(project: Path, tmp_path: Path) -> dict[str, Any]:
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "profiles.yml").write_text(
        "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: ':memory:'}\n",
        encoding="utf-8",
    )
    environment = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
    }
    done = subprocess.run(
        [str(DBT), "parse", "--project-dir", str(project), "--profiles-dir", str(profiles)],
        capture_output=True,
        encoding="utf-8",
        env=environment,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    manifest: dict[str, Any] = json.loads((tmp_path / "target" / "manifest.json").read_text())
    return manifest


def dbt_models(manifest: dict[str, Any]) -> set[Row]:
    nodes = [
        *manifest["nodes"].values(),
        *(node for versions in manifest["disabled"].values() for node in versions),
    ]
    return {
        (
            node["package_name"],
            node["name"],
            None if node.get("version") is None else str(node["version"]),
            bool(node["config"]["enabled"]),
            node["config"]["materialized"],
        )
        for node in nodes
        if node["resource_type"] == "model"
    }


def test_the_scan_and_dbt_parse_list_the_same_models(platform: Platform, tmp_path: Path) -> None:
    write_shop(platform)
    manifest = dbt_parse(platform.root / "products/shop", tmp_path)
    assert dbt_models(manifest) == SCAN
    assert scanned(platform) == SCAN


def with_transforms(*lines: str) -> str:
    return PRODUCT + "".join(f"{line}\n" for line in lines)


def test_the_shop_as_written_is_clean(platform: Platform) -> None:
    """Its generate_schema_name compares target.name with 'prod': an environment."""
    write_shop(platform)
    assert_clean(platform.problems())


def test_a_versioned_model_is_named_as_dbt_names_it(platform: Platform) -> None:
    write_shop(
        platform,
        **{"products/shop/floe.yaml": with_transforms("  - name: dim_orders.v1")},
    )
    assert of_rule(platform.problems(), "FG301") == []


def test_a_version_named_by_its_file_gets_dbt_s_name(platform: Platform) -> None:
    write_shop(platform, **{"products/shop/floe.yaml": with_transforms("  - name: dim_orders_v1")})
    problem = only(platform.problems(), "FG301")
    assert where(problem) == "products/shop/floe.yaml:10:11"
    assert problem.message.startswith(
        "transform 'dim_orders_v1' is not a model of dbt project products/shop/dbt_project.yml; "
        "did you mean 'dim_orders.v1'? (models: customer_scores, dim_orders, dim_orders.v1, "
        "dim_orders.v2, "
    )


def test_seeds_and_snapshots_are_told_what_they_are(platform: Platform) -> None:
    write_shop(
        platform,
        **{
            "products/shop/floe.yaml": with_transforms(
                "  - name: raw_orders", "  - name: orders_snapshot"
            )
        },
    )
    problems = of_rule(platform.problems(), "FG301")
    assert [(where(p), p.message) for p in problems] == [
        (
            "products/shop/floe.yaml:10:11",
            "transform 'raw_orders' is a seed (products/shop/seeds/raw_orders.csv), not a "
            "model: dbt seed runs it on the product's default engine; remove it from transforms:",
        ),
        (
            "products/shop/floe.yaml:11:11",
            "transform 'orders_snapshot' is a snapshot (products/shop/snapshots/"
            "orders_snapshot.sql), not a model: dbt snapshot runs it on the product's default "
            "engine; remove it from transforms:",
        ),
    ]


def test_a_disabled_model_is_reported_at_its_transform(platform: Platform) -> None:
    write_shop(
        platform,
        **{
            "products/shop/floe.yaml": with_transforms(
                "  - name: stg_payments", "  - name: fct_returns", "  - name: old_report"
            )
        },
    )
    problems = of_rule(platform.problems(), "FG306")
    assert [(where(p), p.message.split(": dbt")[0]) for p in problems] == [
        (
            "products/shop/floe.yaml:10:11",
            "transform 'stg_payments' names a disabled model (enabled: false at "
            "products/shop/models/staging/_staging.yml:12:16)",
        ),
        (
            "products/shop/floe.yaml:11:11",
            "transform 'fct_returns' names a disabled model (enabled: false at "
            "products/shop/models/marts/fct_returns.sql:4:9)",
        ),
        (
            "products/shop/floe.yaml:12:11",
            "transform 'old_report' names a disabled model (enabled: false at "
            "products/shop/dbt_project.yml:22:17)",
        ),
    ]
    assert all(p.severity is Severity.ERROR for p in problems)


def test_a_disabled_model_is_not_compiled_either(platform: Platform) -> None:
    write_shop(platform)
    compiled = platform.cli("compile", "--out", "out", "--env", "dev")
    assert compiled.returncode == 0, compiled.stderr
    document = json.loads((platform.root / "out/dev/compiled.json").read_text())
    transforms = document["products"]["shop"]["transforms"]
    assert sorted(transforms) == [
        "customer_scores", "dim_orders", "fct_revenue", "int_order_totals", "pkg_calendar",
        "pkg_helpers", "stg_customers", "stg_orders",
    ]  # fmt: skip
    assert transforms["pkg_calendar"]["package"] == "tiny_pkg"
    assert "package" not in transforms["stg_orders"]
    resources = (platform.root / "out/dev/resources.yaml").read_text()
    assert "  pkg_calendar:\n" in resources


SPARK_POLICY = "apiVersion: floe/v1\nkind: Policy\ncompute:\n  approved: [duckdb, spark]\n"


def test_an_ephemeral_model_on_another_engine_than_its_consumer(platform: Platform) -> None:
    write_shop(
        platform,
        **{
            "manifest.yaml": MANIFEST_DUCKDB_SPARK,
            "policies/finance/policy.yaml": SPARK_POLICY,
            "products/shop/floe.yaml": with_transforms(
                "  - name: int_order_totals", "  - name: fct_revenue", "    compute: spark"
            ),
        },
    )
    problem = only(platform.problems(registry=registry_with("spark")), "FG307")
    assert where(problem) == "products/shop/floe.yaml:10:11"
    assert problem.message == (
        "transform 'int_order_totals' is an ephemeral model on engine duckdb, but dbt inlines "
        "it into fct_revenue (spark), which run it on their engine: give it their engine, or "
        "materialize it as a view or table"
    )


SCHEMA_BY_TARGET = """\
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if target.name == 'production' and custom_schema_name is not none -%}
        {{ custom_schema_name | trim }}
    {%- elif target.name in ['dev', 'duckdb'] or "qa" != target['name'] -%}
        {{ target.schema }}_{{ target.name }}
    {%- else -%}
        {{ target.schema }}
    {%- endif -%}
{%- endmacro %}
"""


def test_target_name_compared_with_no_environment_is_reported_at_the_name(
    platform: Platform,
) -> None:
    write_shop(platform, **{"products/shop/macros/generate_schema_name.sql": SCHEMA_BY_TARGET})
    problems = [p for p in platform.problems() if p.rule == TARGET_NAME_RULE]
    environments = "target.name is the environment (dev, staging, prod), and"
    assert [(where(p), p.severity, p.message) for p in problems] == [
        ("products/shop/macros/generate_schema_name.sql:2:27", Severity.WARNING,
         f"{environments} 'production' is none of them, so this comparison is never true"),
        ("products/shop/macros/generate_schema_name.sql:4:37", Severity.WARNING,
         f"{environments} 'duckdb' is none of them, so this comparison is never true: "
         "the engine is target.type"),
        ("products/shop/macros/generate_schema_name.sql:4:50", Severity.WARNING,
         f"{environments} 'qa' is none of them, so this comparison is never true"),
    ]  # fmt: skip


def test_target_name_in_a_package_is_not_the_project_s_to_change(platform: Platform) -> None:
    write_shop(
        platform,
        **{
            "products/shop/macros/generate_schema_name.sql": "",
            "products/shop/dbt_packages/tiny_pkg/models/pkg_calendar.sql": (
                "select {{ target.name == 'production' }} as is_production\n"
            ),
        },
    )
    assert_clean(platform.problems())


def test_a_declared_package_that_is_not_installed_is_a_note(platform: Platform) -> None:
    write_shop(platform)
    for name in ("dbt_project.yml", "models/pkg_calendar.sql", "models/pkg_helpers.sql"):
        platform.remove(f"products/shop/dbt_packages/tiny_pkg/{name}")
    problem = only(platform.problems(), "FG309")
    assert where(problem) == "products/shop/packages.yml:2:14"
    assert problem.severity is Severity.NOTE
    assert problem.message == (
        "dbt package acme/tiny_pkg is not installed (not under products/shop/dbt_packages/, "
        "or ignored by git): its models are not in compiled.json or resources.yaml; run dbt "
        "deps first"
    )
