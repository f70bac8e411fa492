"""``check``, ``compile`` and ``ci`` with ``--dbt-manifest``: dbt's own manifest.json is
the authority on the models of its project (floe_gate.load.dbt_manifest), from a real
``dbt parse``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Platform, without_correlation_ids
from dbt_shop import PRODUCT as SHOP_PRODUCT
from dbt_shop import write_shop
from test_dbt_semantics import dbt_models, dbt_parse

from floe_gate.load.dbt_manifest import apply_dbt_manifests
from floe_gate.load.repository import load_repository
from floe_gate.load.sources import WorkingTree

# enabled is computed by Jinja: the scan cannot tell (it leaves it to dbt), dbt can.
GATED = "{{ config(enabled=var('enable_gated', false)) }}\nselect 1 as id\n"


def compiled(platform: Platform, *options: str) -> dict[str, Any]:
    done = platform.cli("compile", "--out", "out", "--env", "dev", *options)
    assert done.returncode == 0, done.stdout + done.stderr
    document: dict[str, Any] = json.loads((platform.root / "out/dev/compiled.json").read_text())
    return document


def test_with_dbts_manifest_the_models_are_dbts(platform: Platform, tmp_path: Path) -> None:
    write_shop(platform)
    manifest = dbt_parse(platform.root / "products/shop", tmp_path)
    platform.add()
    repository = load_repository(WorkingTree(platform.root))
    apply_dbt_manifests(repository, [tmp_path / "target" / "manifest.json"])
    [node] = repository.products
    assert node.dbt is not None
    models = {
        (m.package, m.name, m.version, m.is_enabled, m.materialization)
        for m in node.dbt.scan.models
    }
    assert models == dbt_models(manifest)
    stg_payments = next(m for m in node.dbt.scan.models if m.name == "stg_payments")
    assert stg_payments.enabled is not None  # located where the scan found it written
    assert stg_payments.enabled.where == ("products/shop/models/staging/_staging.yml", 12, 16)


def test_compile_agrees_with_and_without_it_where_the_scan_agrees(
    platform: Platform, tmp_path: Path
) -> None:
    write_shop(platform)
    dbt_parse(platform.root / "products/shop", tmp_path)
    scanned = compiled(platform)
    given = compiled(platform, "--dbt-manifest", str(tmp_path / "target" / "manifest.json"))
    assert given == scanned


def test_a_model_only_dbt_knows_is_disabled(platform: Platform, tmp_path: Path) -> None:
    write_shop(
        platform,
        **{
            "products/shop/models/marts/gated.sql": GATED,
            "products/shop/floe.yaml": SHOP_PRODUCT + "  - name: gated\n",
        },
    )
    # The scan cannot decide: compile lists the model.
    assert "gated" in compiled(platform)["products"]["shop"]["transforms"]
    dbt_parse(platform.root / "products/shop", tmp_path)
    done = platform.cli(
        "compile", "--out", "out2", "--dbt-manifest", str(tmp_path / "target" / "manifest.json")
    )
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        "products/shop/floe.yaml:10:11: error FG306 transform 'gated' names a disabled model "
        "(enabled: false at products/shop/models/marts/gated.sql:1:11): dbt will not run it; "
        "remove the transform or enable the model"
    )
    assert "compile refused" in done.stderr
    checked = platform.cli("check", "--dbt-manifest", str(tmp_path / "target" / "manifest.json"))
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0] == done.stdout.splitlines()[0]
    assert platform.cli("check").returncode == 0  # the scan leaves it to dbt


def test_ci_takes_it_too(platform: Platform, tmp_path: Path) -> None:
    write_shop(
        platform,
        **{
            "products/shop/models/marts/gated.sql": GATED,
            "products/shop/floe.yaml": SHOP_PRODUCT + "  - name: gated\n",
        },
    )
    dbt_parse(platform.root / "products/shop", tmp_path)
    done = platform.cli(
        "ci",
        "--artifacts-dir",
        str(tmp_path / "artifacts"),
        "--dbt-manifest",
        str(tmp_path / "target" / "manifest.json"),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "file=products/shop/floe.yaml,line=10,col=11" in done.stdout
    assert "FG306" in done.stdout


def test_a_manifest_of_no_products_project_cannot_be_judged(
    platform: Platform, tmp_path: Path
) -> None:
    other = tmp_path / "manifest.json"
    other.write_text(json.dumps({"metadata": {"project_name": "elsewhere"}, "nodes": {}}))
    done = platform.cli("compile", "--out", "out", "--dbt-manifest", str(other))
    assert done.returncode == 2
    assert without_correlation_ids(done.stderr).strip() == (
        f"error: --dbt-manifest {other}: dbt project 'elsewhere' is no data product's "
        "(projects: revenue)"
    )


def test_a_manifest_that_is_not_json_cannot_be_judged(platform: Platform, tmp_path: Path) -> None:
    broken = tmp_path / "manifest.json"
    broken.write_text("{nodes")
    done = platform.cli("compile", "--out", "out", "--dbt-manifest", str(broken))
    assert done.returncode == 2
    assert f"--dbt-manifest {broken}: not JSON" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_package_git_ignores_is_listed_from_dbts_manifest(
    platform: Platform, tmp_path: Path
) -> None:
    """``dbt deps`` output is usually ignored by git: the scan cannot read it, dbt can."""
    write_shop(platform, **{".gitignore": "dbt_packages/\n"})
    checked = platform.cli("check")
    assert "FG309 dbt package acme/tiny_pkg is not installed" in checked.stdout
    assert "pkg_calendar" not in compiled(platform)["products"]["shop"]["transforms"]

    dbt_parse(platform.root / "products/shop", tmp_path)
    manifest = str(tmp_path / "target" / "manifest.json")
    assert "FG309" not in platform.cli("check", "--dbt-manifest", manifest).stdout
    transforms = compiled(platform, "--dbt-manifest", manifest)["products"]["shop"]["transforms"]
    assert transforms["pkg_calendar"]["package"] == "tiny_pkg"
    assert transforms["pkg_calendar"]["listed"] is False


def test_compile_dbt_parse_equals_the_manifest_given_by_hand(
    platform: Platform, tmp_path: Path
) -> None:
    """``--dbt-parse``: floe-gate runs dbt parse itself, with the product's own profile."""
    write_shop(platform)
    dbt_parse(platform.root / "products/shop", tmp_path)
    given = compiled(platform, "--dbt-manifest", str(tmp_path / "target" / "manifest.json"))
    assert compiled(platform, "--dbt-parse") == given
    assert not (platform.root / "warehouse").exists()  # parsing connects to no engine


def test_compile_dbt_parse_judges_what_only_dbt_can(platform: Platform, tmp_path: Path) -> None:
    write_shop(
        platform,
        **{
            "products/shop/models/marts/gated.sql": GATED,
            "products/shop/floe.yaml": SHOP_PRODUCT + "  - name: gated\n",
        },
    )
    dbt_parse(platform.root / "products/shop", tmp_path)
    given = platform.cli(
        "compile", "--out", "out", "--dbt-manifest", str(tmp_path / "target" / "manifest.json")
    )
    parsed = platform.cli("compile", "--out", "out", "--dbt-parse")
    assert parsed.returncode == given.returncode == 1, parsed.stdout + parsed.stderr
    assert parsed.stdout == given.stdout
    assert "FG306 transform 'gated' names a disabled model" in parsed.stdout
    assert "compile refused: fix the errors above first" in parsed.stderr
    assert not (platform.root / "out").exists()


def test_compile_dbt_parse_that_dbt_cannot_parse_cannot_be_judged(platform: Platform) -> None:
    write_shop(platform, **{"products/shop/models/broken.sql": "select {{ nope(\n"})
    done = platform.cli("compile", "--out", "out", "--dbt-parse")
    assert done.returncode == 2, done.stdout + done.stderr
    [line] = without_correlation_ids(done.stderr).strip().splitlines()
    assert line.startswith("error: --dbt-parse: product shop: dbt parse of ")
    assert "Traceback" not in done.stderr


def test_dbt_parse_and_dbt_manifest_exclude_each_other(platform: Platform, tmp_path: Path) -> None:
    done = platform.cli(
        "compile", "--out", "out", "--dbt-parse", "--dbt-manifest", str(tmp_path / "m.json")
    )
    assert done.returncode == 2
    assert "--dbt-parse and --dbt-manifest exclude each other" in done.stderr


def test_ci_dbt_parse_equals_the_manifest_given_by_hand(platform: Platform, tmp_path: Path) -> None:
    write_shop(
        platform,
        **{
            "products/shop/models/marts/gated.sql": GATED,
            "products/shop/floe.yaml": SHOP_PRODUCT + "  - name: gated\n",
        },
    )
    dbt_parse(platform.root / "products/shop", tmp_path)
    manifest = str(tmp_path / "target" / "manifest.json")
    given = platform.cli("ci", "--artifacts-dir", str(tmp_path / "a1"), "--dbt-manifest", manifest)
    parsed = platform.cli("ci", "--artifacts-dir", str(tmp_path / "a2"), "--dbt-parse")
    assert parsed.returncode == given.returncode == 1, parsed.stdout + parsed.stderr
    assert parsed.stdout == given.stdout
    assert "file=products/shop/floe.yaml,line=10,col=11" in parsed.stdout
    assert "FG306" in parsed.stdout


def test_ci_dbt_parse_that_dbt_cannot_parse_cannot_be_judged(
    platform: Platform, tmp_path: Path
) -> None:
    write_shop(platform, **{"products/shop/models/broken.sql": "select {{ nope(\n"})
    done = platform.cli("ci", "--artifacts-dir", str(tmp_path / "a"), "--dbt-parse")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--dbt-parse: product shop: dbt parse of " in done.stdout
    assert "compile skipped: the run cannot be judged" in done.stderr
    assert not (tmp_path / "a" / "dev").exists()
    assert "Traceback" not in done.stdout + done.stderr
