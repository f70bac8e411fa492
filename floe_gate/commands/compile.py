"""``floe-gate compile --env ENV --out DIR [--check]``: the build artifacts of each environment.

The gate is judged first: any error (after waivers) is reported as ``check``
reports it and nothing is written (exit 1). Otherwise the artifacts are rendered
(``floe_gate.emit``) and written to DIR, or, with ``--check``, compared with DIR
without writing: exit 1 lists stale, missing and extra files. Exit 2 when the
repository cannot be judged or an ``--env`` is not one of the manifest's.

With ``--dbt-manifest`` the models of a project are dbt's (floe_gate.load.dbt_manifest);
with ``--dbt-parse`` dbt parses each project for the first environment compiled
(floe_gate.run.parsed) and the gate is judged again with those manifests; dbt
failing to parse one is exit 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from floe_gate.commands.gated import decided, judged
from floe_gate.emit.plan import CompileError, dbt_packages, plan_environments
from floe_gate.emit.render import REQUIREMENTS_FILE, render_artifacts
from floe_gate.emit.tree import Difference, NotOurs, compare, stale_environments, write
from floe_gate.exit_codes import ExitCode
from floe_gate.gate import Verdict, rejudge
from floe_gate.report.errors import echo_error
from floe_gate.telemetry import SpanLike, command_span


def run_compile(  # noqa: PLR0917 - one value per option
    repo: Path,
    manifest: str,
    environments: Sequence[str],
    out: Path,
    check: bool,
    dbt_manifests: Sequence[Path] = (),
    dbt_parse: bool = False,
) -> int:
    with command_span("compile", {"floe.check_only": check}) as span:
        code = _run_compile(
            repo, manifest, environments, out, check, span, dbt_manifests, dbt_parse
        )
        span.set_attribute("floe.exit_code", code)
        return code


def _run_compile(  # noqa: PLR0917 - one value per option
    repo: Path,
    manifest: str,
    environments: Sequence[str],
    out: Path,
    check: bool,
    span: SpanLike,
    dbt_manifests: Sequence[Path],
    dbt_parse: bool,
) -> int:
    if dbt_parse and dbt_manifests:
        echo_error("--dbt-parse and --dbt-manifest exclude each other: dbt parses, or you did")
        return ExitCode.CANNOT_JUDGE
    verdict = judged(
        repo,
        manifest,
        refusal="compile refused",
        span=span,
        dbt_manifests=dbt_manifests,
        final=not dbt_parse,
    )
    if isinstance(verdict, int):
        return verdict
    selected = _selected(verdict, environments)
    if selected is None:
        return ExitCode.CANNOT_JUDGE
    if dbt_parse:
        verdict = _judged_on_dbt_parse(verdict, selected[0], span)
        if isinstance(verdict, int):
            return verdict
    return _emit(verdict, selected, out, check=check)


def _judged_on_dbt_parse(verdict: Verdict, environment: str, span: SpanLike) -> Verdict | int:
    """``verdict`` judged again with the manifests dbt parses for ``environment``."""
    from floe_gate.run.parsed import CannotParse, dbt_parsed

    try:
        manifests = dbt_parsed(verdict, environment)
    except CannotParse as error:
        echo_error(str(error))
        return ExitCode.CANNOT_JUDGE
    return decided(rejudge(verdict, manifests), refusal="compile refused", span=span)


def _selected(verdict: Verdict, environments: Sequence[str]) -> list[str] | None:
    """The environments to compile (all when none is named), or None after saying why not."""
    known = list(verdict.repository.manifest.model.environments)
    unknown = [name for name in environments if name not in known]
    if unknown:
        echo_error(
            f"unknown environment {', '.join(map(repr, unknown))} "
            f"(the manifest defines: {', '.join(known)})"
        )
        return None
    return list(dict.fromkeys(environments)) if environments else known


@dataclass(frozen=True)
class Artifacts:
    """The files compiling produces, and the paths under the artifact directory they own."""

    files: dict[str, bytes]
    owned: list[str]
    """What may be replaced or removed: the environments compiled, the dbt packages,
    and, when every environment is compiled, those no longer in the manifest."""


def compile_artifacts(verdict: Verdict, selected: Sequence[str], out: Path) -> Artifacts:
    """The pipeline of ``compile`` (and ``ci``): plan, render; ``CompileError`` if refused."""
    context = verdict.context
    plans = plan_environments(context, list(selected))
    files = render_artifacts(plans, dbt_packages(context, plans))
    known = list(verdict.repository.manifest.model.environments)
    owned = [*selected, REQUIREMENTS_FILE]
    if set(selected) == set(known):
        owned += stale_environments(out, known)
    return Artifacts(files, owned)


def _emit(verdict: Verdict, selected: list[str], out: Path, *, check: bool) -> int:
    try:
        artifacts = compile_artifacts(verdict, selected, out)
    except CompileError as error:
        for message in error.messages:
            echo_error(message)
        click.echo("compile refused: no artifacts written", err=True)
        return ExitCode.PROBLEMS
    if check:
        try:
            difference = compare(out, artifacts.files, artifacts.owned)
        except NotOurs as error:
            echo_error(str(error))
            return ExitCode.CANNOT_JUDGE
        return _check(out, difference)
    return _write(out, artifacts.files, artifacts.owned)


def _check(out: Path, difference: Difference) -> int:
    if difference.up_to_date:
        click.echo(f"artifacts in {out} are up to date")
        return ExitCode.OK
    for label, paths in (
        ("stale", difference.stale),
        ("missing", difference.missing),
        ("extra", difference.extra),
    ):
        for path in paths:
            click.echo(f"{label}: {path}")
    count = len(difference.stale) + len(difference.missing) + len(difference.extra)
    click.echo(f"{count} artifact file(s) in {out} out of date; rerun floe-gate compile", err=True)
    return ExitCode.PROBLEMS


def _write(out: Path, expected: dict[str, bytes], owned: list[str]) -> int:
    try:
        done = write(out, expected, owned)
    except NotOurs as error:
        echo_error(str(error))
        return ExitCode.CANNOT_JUDGE
    except OSError as error:
        echo_error(f"cannot write artifacts to {out}: {error}")
        return ExitCode.CANNOT_JUDGE
    for path in done.written:
        click.echo(f"wrote {path}")
    for path in done.removed:
        click.echo(f"removed {path}")
    click.echo(
        f"{len(done.written)} written, {len(done.unchanged)} unchanged, "
        f"{len(done.removed)} removed in {out}"
    )
    return ExitCode.OK
