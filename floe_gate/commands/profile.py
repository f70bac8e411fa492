"""``floe-gate profile``: the dbt profile one engine's plugin generates for its settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from floe_gate.emit.render import dump_yaml
from floe_gate.exit_codes import ExitCode
from floe_gate.load.validation import validation_problems
from floe_gate.load.yaml_document import YamlDocument, load_yaml
from floe_gate.problems import Problem, ProblemsFound, Severity
from floe_gate.registry import PluginLoadError, PluginRegistry
from floe_gate.report.errors import echo_error
from floe_gate.rules.fg002_invalid_configuration import ID as INVALID_CONFIGURATION


def render_profile(
    engine: str, settings_file: Path | None, profile_name: str, out_dir: Path | None
) -> int:
    try:
        plugin = PluginRegistry().get(engine)
    except PluginLoadError as error:
        echo_error(str(error))
        return ExitCode.CANNOT_JUDGE
    try:
        document = (
            load_yaml(str(settings_file), settings_file.read_bytes())
            if settings_file is not None
            else YamlDocument(file="<defaults>", data={})
        )
        settings = _mapping(document)
        config = plugin.parse_config(settings)
    except OSError as error:
        echo_error(f"cannot read {settings_file}: {error.strerror}")
        return ExitCode.CANNOT_JUDGE
    except ProblemsFound as found:
        return _report(found.problems)
    except ValidationError as error:
        return _report(validation_problems(document, error, model=plugin.config_model))
    text = dump_yaml(
        {profile_name: {"target": engine, "outputs": {engine: plugin.generate_dbt_profile(config)}}}
    )
    if out_dir is None:
        click.echo(text, nl=False)
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "profiles.yml").write_text(text, encoding="utf-8")
        click.echo(f"wrote {out_dir / 'profiles.yml'}", err=True)
    return ExitCode.OK


def _mapping(document: Any) -> dict[str, Any]:
    if document.data is None:
        return {}
    if not isinstance(document.data, dict):
        line, column = document.locate(())
        raise ProblemsFound(
            [Problem(document.file, line, column, INVALID_CONFIGURATION, Severity.ERROR,
                     "target settings must be a mapping of setting names to values")]
        )  # fmt: skip
    return document.data


def _report(problems: list[Problem]) -> int:
    for problem in sorted(problems):
        click.echo(problem.as_text(), err=True)
    return ExitCode.PROBLEMS
