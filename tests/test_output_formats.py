"""The seam between the format registry and the commands: every registered format is
offered by each command's ``--format`` that reports its kind, and renders there."""

from __future__ import annotations

import json
from typing import Any

import click
import pytest
from conftest import Platform

from floe_gate.cli import cli, main
from floe_gate.problems import Problem, Severity
from floe_gate.report import formats

COMMANDS = {
    "check": formats.PROBLEMS,
    "parity": formats.PROBLEMS,
    "explain": formats.DOCUMENTS,
    "health": formats.DOCUMENTS,
    "plugins": formats.DOCUMENTS,
    "run": formats.DOCUMENTS,
}


def offered(command: str) -> list[str]:
    option = next(p for p in cli.commands[command].params if p.name == "output_format")
    assert isinstance(option.type, click.Choice)
    return list(option.type.choices)


def test_every_command_with_a_format_is_listed() -> None:
    with_format = {
        name
        for name, command in cli.commands.items()
        if any(param.name == "output_format" for param in command.params)
    }
    assert with_format == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_offers_every_registered_format_of_its_kind(command: str) -> None:
    assert offered(command) == formats.names(COMMANDS[command])
    assert offered(command)[0] == "text"  # the default


def test_a_registered_format_is_offered_and_rendered(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new format is one module plus its registration: here, a module made on the spot."""
    import sys
    import types

    module = types.ModuleType("floe_gate_test_lines")
    module.emit_problems = lambda shown, elsewhere: click.echo(  # type: ignore[attr-defined]
        "\n".join(f"{p.rule}@{p.file}" for p in shown)
    )
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(
        formats.FORMATS,
        "lines",
        formats.OutputFormat("lines", module.__name__, frozenset({formats.PROBLEMS})),
    )
    assert "lines" in formats.names(formats.PROBLEMS)
    assert "lines" not in formats.names(formats.DOCUMENTS)
    formats.emit([Problem("a.yaml", 1, 1, "FG001", Severity.ERROR, "bad")], [], "lines")
    assert capsys.readouterr().out == "FG001@a.yaml\n"


class _Document:
    def as_text(self) -> str:
        return "plain words"

    def as_json(self) -> Any:
        return {"word": "plain", "accent": "é"}


@pytest.mark.parametrize("name", formats.names(formats.DOCUMENTS))
def test_every_document_format_renders_a_document(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    formats.emit_document(_Document(), name)
    out = capsys.readouterr().out
    assert out.strip()
    if name == "json":
        assert json.loads(out) == _Document().as_json()


@pytest.mark.parametrize("name", formats.names(formats.PROBLEMS))
def test_check_renders_in_every_problem_format(
    name: str,
    platform: Platform,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)  # github: no job summary here
    platform.write("products/revenue/floe.yaml", "apiVersion: floe/v1\nkind: DataProduct\n")
    platform.add()
    code = main(["check", "--repo", str(platform.root), "--format", name])
    out = capsys.readouterr().out
    assert code == 1
    assert "products/revenue/floe.yaml" in out


@pytest.mark.parametrize("name", formats.names(formats.DOCUMENTS))
def test_explain_and_plugins_render_in_every_document_format(
    name: str, platform: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    platform.add()
    assert main(["explain", "revenue", "--repo", str(platform.root), "--format", name]) == 0
    explained = capsys.readouterr().out
    assert "revenue" in explained
    main(["plugins", "--format", name])
    assert "duckdb" in capsys.readouterr().out
    if name == "json":
        assert json.loads(explained)["product"] == "revenue"
