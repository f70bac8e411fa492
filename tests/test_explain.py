"""``floe-gate explain``: the engine of a transform and the chain of files that chose it.

A small platform is written into a fresh git repository: the manifest approves
duckdb and snowflake; domain ``finance`` defaults to snowflake; its sub-domain
``finance/risk`` declares only a default (duckdb) and inherits the approved list;
data product ``scores`` lists one transform without ``compute:``, one with, and its
dbt project has a third model it does not list.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import without_correlation_ids

from floe_gate.cli import main

ROOT = Path(__file__).resolve().parents[1]

FILES = {
    "manifest.yaml": """\
        apiVersion: floe/v1
        kind: Manifest
        environments:
          dev: {branch: dev}
        compute:
          approved: [duckdb, snowflake]
          default: duckdb
          targets:
            duckdb: {path: warehouse/dev.duckdb, memory_limit: 1GB, threads: 1}
        """,
    "policies/finance/policy.yaml": """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb, snowflake]
          default: snowflake
        """,
    "policies/finance/risk/policy.yaml": """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          default: duckdb
        """,
    "products/scores/floe.yaml": """\
        apiVersion: floe/v1
        kind: DataProduct
        name: scores
        domain: finance/risk
        transforms:
          - name: stg_positions
          - name: fct_scores
            compute: snowflake
        """,
    "products/scores/dbt_project.yml": "name: scores\nprofile: scores\n",
    "products/scores/models/stg_positions.sql": "select 1 as id\n",
    "products/scores/models/fct_scores.sql": "select * from {{ ref('stg_positions') }}\n",
    "products/scores/models/extra_model.sql": "select 2 as id\n",
}

CHAIN = """\
chain: manifest.yaml → policies/finance/policy.yaml → policies/finance/risk/policy.yaml → products/scores/floe.yaml
  the platform manifest (manifest.yaml)
    approved: duckdb, snowflake  manifest.yaml:6
    default:  duckdb             manifest.yaml:7
  domain finance (policies/finance/policy.yaml)
    approved: duckdb, snowflake  policies/finance/policy.yaml:4
    default:  snowflake          policies/finance/policy.yaml:5
  domain finance/risk (policies/finance/risk/policy.yaml)
    approved: duckdb, snowflake  inherited from policies/finance/policy.yaml:4
    default:  duckdb             policies/finance/risk/policy.yaml:4
  data product scores (products/scores/floe.yaml)
    approved: duckdb, snowflake  inherited from policies/finance/policy.yaml:4
    default:  duckdb             inherited from policies/finance/risk/policy.yaml:4"""  # noqa: E501

PRODUCT_HEADER = """\
data product scores (products/scores/floe.yaml), domain finance/risk
  default engine: duckdb, from domain finance/risk at policies/finance/risk/policy.yaml:4
"""

PRODUCT_TRANSFORMS = """\
transforms:
  stg_positions  duckdb     default of domain finance/risk at policies/finance/risk/policy.yaml:4
  fct_scores     snowflake  its own compute: at products/scores/floe.yaml:8
  extra_model    duckdb     default of domain finance/risk at policies/finance/risk/policy.yaml:4 (not listed in transforms:)
"""  # noqa: E501

ELSEWHERE = re.compile(
    r"^\d+ problem\(s\) elsewhere in the repository \(\d+ error\(s\), \d+ warning\(s\), "
    r"\d+ note\(s\)\); run `floe-gate check` to see them$",
    re.MULTILINE,
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "platform"
    root.mkdir()
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    for name, content in FILES.items():
        write(root, name, content)
    return root


def write(root: Path, name: str, content: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(content), encoding="utf-8")


def explain(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, str, str]:
    code = main(["explain", "--repo", str(repo), *args])
    captured = capsys.readouterr()
    return code, captured.out, without_correlation_ids(captured.err)


def explanation(out: str) -> str:
    """The output without its problems: those depend on other rules and the plugins installed."""
    elsewhere = ELSEWHERE.search(out)
    cuts = [out.find("\n\nproblems:\n"), elsewhere.start() - 2 if elsewhere else -1]
    found = [cut for cut in cuts if cut != -1]
    return out[: min(found)] + "\n" if found else out


def problem_lines(out: str) -> list[str]:
    """``file:line:col: severity RULE`` of each problem the explanation shows."""
    _, found, rest = out.partition("\n\nproblems:\n")
    if not found:
        return []
    lines = rest.split("\n\n")[0].splitlines()
    return [" ".join(line.strip().split(" ")[:3]) for line in lines]


# --- a transform -----------------------------------------------------------------------------


def test_a_transform_on_the_default_names_the_level_that_declared_it(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code, out, err = explain(capsys, repo, "scores:stg_positions")

    assert (code, err) == (0, "")
    assert explanation(out) == (
        "scores:stg_positions runs on duckdb\n"
        "  engine: default of domain finance/risk at policies/finance/risk/policy.yaml:4\n"
        "  transform: listed at products/scores/floe.yaml:6, without compute:\n"
        "\n" + CHAIN + "\n"
    )


def test_a_transform_with_its_own_compute_points_at_it(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code, out, _ = explain(capsys, repo, "scores:fct_scores")

    assert code == 0
    assert explanation(out) == (
        "scores:fct_scores runs on snowflake\n"
        "  engine: its own compute: at products/scores/floe.yaml:8\n"
        "\n" + CHAIN + "\n"
    )


def test_a_model_the_product_does_not_list_runs_on_the_default(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code, out, _ = explain(capsys, repo, "scores:extra_model")

    assert code == 0
    assert explanation(out).splitlines()[:3] == [
        "scores:extra_model runs on duckdb",
        "  engine: default of domain finance/risk at policies/finance/risk/policy.yaml:4",
        "  transform: a model of the dbt project, not listed in transforms:",
    ]


def test_the_default_moves_when_a_policy_in_the_chain_declares_it(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    write(repo, "policies/finance/risk/policy.yaml", "apiVersion: floe/v1\nkind: Policy\n")

    code, out, _ = explain(capsys, repo, "scores:stg_positions")

    assert code == 0
    lines = explanation(out).splitlines()
    assert lines[:2] == [
        "scores:stg_positions runs on snowflake",
        "  engine: default of domain finance at policies/finance/policy.yaml:5",
    ]
    assert lines[-6:] == [
        "  domain finance/risk (policies/finance/risk/policy.yaml)",
        "    approved: duckdb, snowflake  inherited from policies/finance/policy.yaml:4",
        "    default:  snowflake          inherited from policies/finance/policy.yaml:5",
        "  data product scores (products/scores/floe.yaml)",
        "    approved: duckdb, snowflake  inherited from policies/finance/policy.yaml:4",
        "    default:  snowflake          inherited from policies/finance/policy.yaml:5",
    ]


def test_a_transform_shows_its_own_problems_and_counts_the_others(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    write(
        repo,
        "products/scores/floe.yaml",
        FILES["products/scores/floe.yaml"].replace("    compute: snowflake", "    compute: spark"),
    )

    code, out, _ = explain(capsys, repo, "scores:fct_scores")

    assert code == 0, "explain explains; it is not the gate"
    assert out.splitlines()[0] == "scores:fct_scores runs on spark (not approved here)"
    assert "products/scores/floe.yaml:8:14: error FG201" in problem_lines(out)
    code, out, _ = explain(capsys, repo, "scores:stg_positions")
    assert not any(line.startswith("products/scores/floe.yaml:8:") for line in problem_lines(out))
    assert ELSEWHERE.search(out)


def test_a_name_listed_twice_explains_each_entry(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    floe = textwrap.dedent(FILES["products/scores/floe.yaml"])
    floe += "  - name: stg_positions\n    compute: snowflake\n"
    write(repo, "products/scores/floe.yaml", floe)

    code, out, _ = explain(capsys, repo, "scores:stg_positions")

    assert code == 0
    assert explanation(out).split("\n\nchain: ")[0].splitlines() == [
        "scores:stg_positions runs on duckdb",
        "  engine: default of domain finance/risk at policies/finance/risk/policy.yaml:4",
        "  transform: listed at products/scores/floe.yaml:6, without compute:",
        "",
        "scores:stg_positions runs on snowflake",
        "  engine: its own compute: at products/scores/floe.yaml:10",
    ]
    assert "products/scores/floe.yaml:9:11: error FG302" in problem_lines(out)


# --- a whole product -------------------------------------------------------------------------


def test_a_product_lists_every_transform_with_its_engine_and_origin(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code, out, err = explain(capsys, repo, "scores")

    assert (code, err) == (0, "")
    assert explanation(out) == PRODUCT_HEADER + "\n" + CHAIN + "\n\n" + PRODUCT_TRANSFORMS


def test_a_product_that_declares_its_own_approved_list_and_default(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    write(
        repo,
        "products/ledger/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: ledger
        domain: finance
        compute:
          approved: [duckdb]
          default: duckdb
        transforms:
          - name: entries
            compute: snowflake
        """,
    )
    write(repo, "products/ledger/dbt_project.yml", "name: ledger\nprofile: ledger\n")
    write(repo, "products/ledger/models/entries.sql", "select 1 as id\n")

    code, out, _ = explain(capsys, repo, "ledger")

    assert code == 0
    assert explanation(out).splitlines()[1:] == [
        "  default engine: duckdb, from data product ledger at products/ledger/floe.yaml:7",
        "",
        "chain: manifest.yaml → policies/finance/policy.yaml → products/ledger/floe.yaml",
        "  the platform manifest (manifest.yaml)",
        "    approved: duckdb, snowflake  manifest.yaml:6",
        "    default:  duckdb             manifest.yaml:7",
        "  domain finance (policies/finance/policy.yaml)",
        "    approved: duckdb, snowflake  policies/finance/policy.yaml:4",
        "    default:  snowflake          policies/finance/policy.yaml:5",
        "  data product ledger (products/ledger/floe.yaml)",
        "    approved: duckdb             products/ledger/floe.yaml:6",
        "    default:  duckdb             products/ledger/floe.yaml:7",
        "",
        "transforms:",
        "  entries  snowflake  its own compute: at products/ledger/floe.yaml:10"
        " (not approved here)",
    ]
    assert "products/ledger/floe.yaml:10:14: error FG201" in problem_lines(out)


def test_json_names_every_origin(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    code, out, _ = explain(capsys, repo, "--format", "json", "scores")

    assert code == 0
    document = json.loads(out)
    assert (document["product"], document["file"], document["domain"], document["transform"]) == (
        "scores", "products/scores/floe.yaml", "finance/risk", None,
    )  # fmt: skip
    assert [(lv["kind"], lv["label"], lv["file"]) for lv in document["chain"]] == [
        ("manifest", "the platform manifest", "manifest.yaml"),
        ("policy", "domain finance", "policies/finance/policy.yaml"),
        ("policy", "domain finance/risk", "policies/finance/risk/policy.yaml"),
        ("product", "data product scores", "products/scores/floe.yaml"),
    ]
    risk = document["chain"][2]
    assert risk["approved"] == {
        "value": ["duckdb", "snowflake"], "declared": False,
        "file": "policies/finance/policy.yaml", "line": 4, "column": 13,
    }  # fmt: skip
    assert risk["default"] == {
        "value": "duckdb", "declared": True,
        "file": "policies/finance/risk/policy.yaml", "line": 4, "column": 12,
    }  # fmt: skip
    assert document["transforms"] == [
        {"name": "stg_positions", "engine": "duckdb", "approved": True, "listed": True,
         "source": "default", "default_of": "domain finance/risk",
         "file": "policies/finance/risk/policy.yaml", "line": 4, "column": 12},
        {"name": "fct_scores", "engine": "snowflake", "approved": True, "listed": True,
         "source": "compute", "default_of": None,
         "file": "products/scores/floe.yaml", "line": 8, "column": 14},
        {"name": "extra_model", "engine": "duckdb", "approved": True, "listed": False,
         "source": "default", "default_of": "domain finance/risk",
         "file": "policies/finance/risk/policy.yaml", "line": 4, "column": 12},
    ]  # fmt: skip
    assert set(document["elsewhere"]) == {"errors", "warnings", "notes"}
    assert all({"rule", "file", "line", "column"} <= set(p) for p in document["problems"])


def test_json_of_one_transform(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    code, out, _ = explain(capsys, repo, "scores:fct_scores", "--format", "json")

    assert code == 0
    document = json.loads(out)
    assert document["transform"] == "fct_scores"
    assert [t["name"] for t in document["transforms"]] == ["fct_scores"]


# --- what cannot be explained ----------------------------------------------------------------


def test_an_unknown_product_lists_the_known_ones_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code, out, err = explain(capsys, repo, "scoers")

    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        "error: no data product 'scoers'; did you mean 'scores'? (known products: scores)"
    )


def test_in_json_what_cannot_be_explained_is_a_document_too(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code, out, err = explain(capsys, repo, "--format", "json", "scoers")

    assert code == 1
    document = json.loads(out)
    assert document["subject"] == "scoers"
    assert document["error"] == (
        "no data product 'scoers'; did you mean 'scores'? (known products: scores)"
    )
    assert document["correlation_id"]
    assert err.startswith("error: no data product 'scoers'")
    assert set(document["problems"]) == {"errors", "warnings", "notes"}


def test_an_unknown_transform_lists_the_products_transforms_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code, out, err = explain(capsys, repo, "scores:fct_score")

    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        "error: data product scores has no transform 'fct_score'; did you mean 'fct_scores'? "
        "(its transforms: stg_positions, fct_scores, extra_model)"
    )


def test_a_product_in_an_unknown_domain_says_so(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    floe = FILES["products/scores/floe.yaml"].replace("finance/risk", "finance/rsk")
    write(repo, "products/scores/floe.yaml", floe)

    code, out, err = explain(capsys, repo, "scores")

    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        "error: data product scores cannot be resolved: its domain 'finance/rsk' "
        "(products/scores/floe.yaml:4) has no policy under policies/; did you mean "
        "'finance/risk'? (known domains: finance, finance/risk)"
    )


def test_an_unreadable_product_file_is_named_when_its_product_is_asked_for(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    write(repo, "products/broken/floe.yaml", "apiVersion: floe/v1\nname: [broken\n")

    code, _, err = explain(capsys, repo, "broken")

    assert code == 1
    assert err.splitlines()[0] == (
        "error: no data product 'broken' (known products: scores); "
        "not readable, so not known: products/broken/floe.yaml"
    )
    assert re.match(r"\d+ problem\(s\) in the repository \(\d+ error\(s\)", err.splitlines()[1])


def test_problems_elsewhere_do_not_stop_an_explanation(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code, clean, _ = explain(capsys, repo, "scores:stg_positions")
    write(repo, "products/broken/floe.yaml", "apiVersion: floe/v1\nname: [broken\n")
    write(repo, "policies/sales/policy.yaml", "apiVersion: floe/v1\nkind: Policy\nextra: 1\n")

    code, out, _ = explain(capsys, repo, "scores:stg_positions")

    assert code == 0
    assert explanation(out) == explanation(clean)
    counted = ELSEWHERE.search(out)
    assert counted is not None
    assert int(counted.group(0).split()[0]) >= 2
    assert "broken" not in out
    assert "sales" not in out


def test_a_product_defined_twice_is_ambiguous(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    write(repo, "products/copy/floe.yaml", FILES["products/scores/floe.yaml"])

    code, _, err = explain(capsys, repo, "scores")

    assert code == 1
    assert err.splitlines()[0] == (
        "error: data product 'scores' is defined more than once: "
        "products/copy/floe.yaml, products/scores/floe.yaml"
    )


def test_an_unusable_manifest_fails_with_its_problems(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    write(repo, "manifest.yaml", "apiVersion: floe/v1\nkind: Manifesto\n")

    code, _, err = explain(capsys, repo, "scores")

    assert code == 1
    assert err.splitlines()[0] == "error: cannot explain scores: manifest.yaml cannot be used"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scores:"], "expected PRODUCT or PRODUCT:TRANSFORM"),
        ([":fct_scores"], "expected PRODUCT or PRODUCT:TRANSFORM"),
        (["--manifest", "nope.yaml", "scores"], "no manifest: nope.yaml is not in the repository"),
    ],
)
def test_what_cannot_be_judged_exits_2(
    capsys: pytest.CaptureFixture[str], repo: Path, args: list[str], message: str
) -> None:
    code, out, err = explain(capsys, repo, *args)

    assert (code, out) == (2, "")
    assert message in err


@pytest.mark.parametrize(
    "broken", ["policies/finance/policy.yaml", "policies/finance/risk/policy.yaml"]
)
def test_a_product_under_an_invalid_policy_names_that_policy(
    capsys: pytest.CaptureFixture[str], repo: Path, broken: str
) -> None:
    write(repo, broken, "apiVersion: floe/v1\nkind: Policy\ncompute: {aproved: [duckdb]}\n")

    code, out, err = explain(capsys, repo, "scores")

    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        "error: data product scores cannot be resolved: its domain 'finance/risk' "
        f"(products/scores/floe.yaml:4) is governed by an invalid policy, {broken}; "
        "run `floe-gate check`"
    )


# --- the bundled example ---------------------------------------------------------------------


def test_the_bundled_example_explains_a_sub_domain_transform(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = explain(
        capsys, ROOT, "--manifest", "examples/manifest.yaml", "risk_scores:exposure_by_counterparty"
    )

    assert code == 0
    policy = "policies/finance/policy.yaml"
    assert explanation(out).splitlines() == [
        "risk_scores:exposure_by_counterparty runs on duckdb",
        f"  engine: default of domain finance at {policy}:6",
        "  transform: listed at examples/products/risk_scores/floe.yaml:8, without compute:",
        "",
        "chain: examples/manifest.yaml → policies/finance/policy.yaml → "
        "policies/finance/risk/policy.yaml → examples/products/risk_scores/floe.yaml",
        "  the platform manifest (examples/manifest.yaml)",
        "    approved: duckdb, spark  examples/manifest.yaml:11",
        "    default:  duckdb         examples/manifest.yaml:12",
        f"  domain finance ({policy})",
        f"    approved: duckdb         {policy}:5",
        f"    default:  duckdb         {policy}:6",
        "  domain finance/risk (policies/finance/risk/policy.yaml)",
        f"    approved: duckdb         inherited from {policy}:5",
        f"    default:  duckdb         inherited from {policy}:6",
        "  data product risk_scores (examples/products/risk_scores/floe.yaml)",
        f"    approved: duckdb         inherited from {policy}:5",
        f"    default:  duckdb         inherited from {policy}:6",
    ]
