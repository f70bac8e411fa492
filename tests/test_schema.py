"""``floe-gate schema``: JSON Schemas generated from the models the gate validates with.

The committed ``schemas/`` must equal what the command generates, the bundled
example files must name their schema on their first line and be valid against it,
and the schemas must reject what the models reject (unknown keys, wrong types).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from pydantic import BaseModel, ValidationError

from floe_gate.cli import main
from floe_gate.commands.schema import DIALECT, SCHEMAS, generate, schema_of

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "schemas"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")

KIND_SCHEMA = {
    "Manifest": "manifest.schema.json",
    "Policy": "policy.schema.json",
    "DataProduct": "data-product.schema.json",
    "Waivers": "waivers.schema.json",
}

EXAMPLE_FILES = sorted(
    [
        ROOT / "examples" / "manifest.yaml",
        *ROOT.glob("policies/**/policy.yaml"),
        *ROOT.glob("policies/waivers.yaml"),
        *ROOT.glob("examples/products/*/floe.yaml"),
    ]
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["schema", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def validator(file_name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((COMMITTED / file_name).read_text(encoding="utf-8")))


def as_json(data: Any) -> Any:
    """A YAML value as an editor sees it: dates are strings in YAML 1.2."""
    return json.loads(
        json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, date) else v)
    )


# --- the committed schemas never drift -------------------------------------------------------


def test_the_committed_schemas_are_what_the_command_generates() -> None:
    committed = {path.name for path in COMMITTED.glob("*.json")}
    assert committed == set(SCHEMAS)
    for name, content in generate().items():
        assert (COMMITTED / name).read_bytes() == content.encode(), (
            f"schemas/{name} is stale: run `floe-gate schema --out schemas`"
        )


def test_check_passes_on_the_committed_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--out", str(COMMITTED), "--check") == (0, "", "")


def test_out_writes_one_file_per_kind_deterministically(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b" / "nested"

    assert run(capsys, "--out", str(first)) == (0, "", "")
    assert run(capsys, "--out", str(second)) == (0, "", "")

    assert sorted(path.name for path in first.iterdir()) == [
        "data-product.schema.json", "manifest.schema.json",
        "policy.schema.json", "waivers.schema.json",
    ]  # fmt: skip
    for path in first.iterdir():
        content = path.read_bytes()
        assert content == (second / path.name).read_bytes() == (COMMITTED / path.name).read_bytes()
        assert content.endswith(b"}\n")
        document = json.loads(content)
        assert (
            content.decode()
            == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )


def test_check_reports_a_stale_or_missing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "--out", str(tmp_path))
    (tmp_path / "policy.schema.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "waivers.schema.json").unlink()

    code, out, _ = run(capsys, "--out", str(tmp_path), "--check")

    assert code == 1
    assert out.splitlines() == [
        f"{tmp_path / name}: stale or missing; run `floe-gate schema --out {tmp_path}`"
        for name in ("policy.schema.json", "waivers.schema.json")
    ]


def test_without_out_one_json_object_holds_every_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys)

    assert code == 0
    assert out.endswith("}\n")
    assert json.loads(out) == {name: schema_of(name) for name in SCHEMAS}


def test_check_needs_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--check")

    assert code == 2
    assert "--check needs --out DIR" in err


# --- what the schemas say --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_schema_is_a_valid_2020_12_schema_with_id_title_and_description(name: str) -> None:
    schema = json.loads((COMMITTED / name).read_text(encoding="utf-8"))

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:floe-gate:schema:floe-v1:" + name.removesuffix(".schema.json")
    assert schema["title"] == SCHEMAS[name].__name__
    assert schema["description"] == SCHEMAS[name].__doc__
    assert schema["properties"]["apiVersion"]["const"] == "floe/v1"
    assert schema["properties"]["kind"]["const"] == schema["title"]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_object_of_a_model_forbids_unknown_keys(name: str) -> None:
    schema = json.loads((COMMITTED / name).read_text(encoding="utf-8"))
    objects = [schema, *schema.get("$defs", {}).values()]

    assert objects
    for model in objects:
        assert model["additionalProperties"] is False, model["title"]


def test_fields_carry_their_descriptions() -> None:
    manifest = json.loads((COMMITTED / "manifest.schema.json").read_text(encoding="utf-8"))
    compute = manifest["$defs"]["ManifestCompute"]["properties"]

    assert compute["approved"]["description"] == "Engines the platform allows"
    assert compute["default"]["description"] == "Engine of transforms that name none"
    assert manifest["properties"]["environments"]["description"] == (
        "Environments in promotion order"
    )


# --- the bundled examples use them -----------------------------------------------------------


def test_every_example_configuration_file_is_covered() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in EXAMPLE_FILES}
    assert {"examples/manifest.yaml", "policies/finance/risk/policy.yaml"} <= names
    assert len([n for n in names if n.endswith("/floe.yaml")]) >= 3


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_an_example_names_its_schema_on_its_first_line_and_is_valid(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    first_line = text.splitlines()[0]
    data = yaml.safe_load(text)

    match = MODELINE.match(first_line)
    assert match, f"{path}: first line is not a yaml-language-server modeline: {first_line!r}"
    target = (path.parent / match.group(1)).resolve()
    assert target == COMMITTED / KIND_SCHEMA[data["kind"]]
    errors = list(validator(target.name).iter_errors(as_json(data)))
    assert errors == [], [error.message for error in errors]


# --- the schemas reject what the models reject -----------------------------------------------

MANIFEST = {
    "apiVersion": "floe/v1",
    "kind": "Manifest",
    "environments": {"dev": {"branch": "dev"}},
    "compute": {"approved": ["duckdb"], "default": "duckdb"},
}
POLICY = {"apiVersion": "floe/v1", "kind": "Policy", "compute": {"approved": ["duckdb"]}}
PRODUCT = {
    "apiVersion": "floe/v1",
    "kind": "DataProduct",
    "name": "revenue",
    "domain": "finance",
    "schema": "revenue_mart",
    "compute": {"approved": ["duckdb"], "default": "duckdb"},
    "transforms": [
        {"name": "stg_orders"},
        {"name": "fct_revenue", "compute": "duckdb", "workload": "large",
         "timeout_seconds": 7200, "resources": {"memory_limit": "6Gi"}},
    ],
}  # fmt: skip
WAIVERS = {
    "apiVersion": "floe/v1",
    "kind": "Waivers",
    "waivers": [
        {"rule": "FG201", "subject": "revenue:fct_revenue", "reason": "migration",
         "expires": date(2026, 12, 31)},
    ],
}  # fmt: skip

VALID: dict[str, dict[str, Any]] = {
    "manifest.schema.json": MANIFEST,
    "policy.schema.json": POLICY,
    "data-product.schema.json": PRODUCT,
    "waivers.schema.json": WAIVERS,
}


def changed(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``document`` with ``value`` at ``path`` (``...`` removes the key)."""
    copy: Any = json.loads(json.dumps(document, default=str))
    parent = copy
    for part in path[:-1]:
        parent = parent[part]
    if value is ...:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return dict(copy)


INVALID = [
    ("manifest.schema.json", changed(MANIFEST, ("compute", "aproved"), ["duckdb"]),
     "additionalProperties", "$.compute"),
    ("manifest.schema.json", changed(MANIFEST, ("compute", "timeout_seconds"), "long"),
     "type", "$.compute.timeout_seconds"),
    ("manifest.schema.json", changed(MANIFEST, ("environments",), ...), "required", "$"),
    ("manifest.schema.json", changed(MANIFEST, ("compute", "default"), "Duck-DB"),
     "pattern", "$.compute.default"),
    ("policy.schema.json", changed(POLICY, ("compute", "approved"), "duckdb"),
     "anyOf", "$.compute.approved"),
    ("policy.schema.json", changed(POLICY, ("kind",), "Manifest"), "const", "$.kind"),
    ("policy.schema.json", changed(POLICY, ("owner",), "team-finance"),
     "additionalProperties", "$"),
    ("data-product.schema.json", changed(PRODUCT, ("transforms", 1, "timeout"), 60),
     "additionalProperties", "$.transforms[1]"),
    ("data-product.schema.json", changed(PRODUCT, ("transforms", 1, "timeout_seconds"), 0),
     "anyOf", "$.transforms[1].timeout_seconds"),
    ("data-product.schema.json", changed(PRODUCT, ("name",), "revenue mart"),
     "pattern", "$.name"),
    ("data-product.schema.json", changed(PRODUCT, ("transforms",), {"name": "stg_orders"}),
     "type", "$.transforms"),
    ("waivers.schema.json", changed(WAIVERS, ("waivers", 0, "reason"), ...),
     "required", "$.waivers[0]"),
    ("waivers.schema.json", changed(WAIVERS, ("waivers", 0, "rule"), "201"),
     "pattern", "$.waivers[0].rule"),
]  # fmt: skip


def model_accepts(model: type[BaseModel], document: dict[str, Any]) -> bool:
    try:
        model.model_validate(document)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(VALID))
def test_a_valid_document_passes_the_schema_and_the_model(name: str) -> None:
    document = as_json(VALID[name])

    assert list(validator(name).iter_errors(document)) == []
    assert model_accepts(SCHEMAS[name], VALID[name])


@pytest.mark.parametrize(
    ("name", "document", "keyword", "where"),
    INVALID,
    ids=[f"{name}:{keyword}:{where}" for name, _, keyword, where in INVALID],
)
def test_an_invalid_document_fails_the_schema_as_it_fails_the_model(
    name: str, document: dict[str, Any], keyword: str, where: str
) -> None:
    errors = list(validator(name).iter_errors(document))

    assert [(error.validator, error.json_path) for error in errors] == [(keyword, where)]
    assert not model_accepts(SCHEMAS[name], document)
