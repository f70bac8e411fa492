"""``floe-gate ci``: what the GitHub Action runs, in one process.

1. check the whole repository;
2. parity of the pull request against its base (``--base-ref``, else
   ``$GITHUB_BASE_REF``; H is the working tree, the pull request's merge commit);
   skipped, with a notice, when no base is known (a push);
3. compile every environment's artifacts into the artifacts directory, only when
   nothing above found an error;
4. report once: workflow-command annotations on stdout for every problem, one SARIF
   file, one job summary (``$GITHUB_STEP_SUMMARY``) naming the steps that ran;
5. step outputs (``$GITHUB_OUTPUT``): ``violations``, ``artifacts-dir``, ``sarif-file``.

It never connects to an engine: a pull request must not reach production systems.
With ``--dbt-parse`` step 1 runs ``dbt parse`` (which evaluates the project's Jinja
but connects to nothing) and judges with dbt's manifests; the Action does not pass it.
Exit 0: no errors. 1: errors. 2: the run cannot be judged (2 wins).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from floe_gate.commands.compile import compile_artifacts
from floe_gate.emit.plan import CompileError
from floe_gate.emit.tree import NotOurs, write
from floe_gate.exit_codes import ExitCode
from floe_gate.gate import Verdict, judge_working_tree
from floe_gate.load.repository import ManifestUnusable
from floe_gate.load.sources import CannotJudge
from floe_gate.observability import correlation_id
from floe_gate.parity.allow_drift import allowed_drift, malformed
from floe_gate.parity.run import ParityRequest, run_parity
from floe_gate.problems import Problem, Severity
from floe_gate.report import (
    RuleInfo,
    counts_sentence,
    github,
    markdown,
    rule_catalogue,
    sarif,
    text,
)
from floe_gate.report.errors import echo_error

ALLOW_DRIFT_ENV = "FLOE_ALLOW_DRIFT"
OUTPUT_ENV = "GITHUB_OUTPUT"
ARTIFACTS_NAME = "floe-gate-artifacts"
SARIF_NAME = "floe-gate.sarif"
HEADING = "### floe-gate ci"


@dataclass(frozen=True)
class CiOptions:
    """The command line's values; ``None`` means: take the default from the environment."""

    repo: Path
    manifest: str = "manifest.yaml"
    base_ref: str | None = None
    allow_drift: tuple[str, ...] = ()
    artifacts_dir: Path | None = None
    sarif_file: Path | None = None
    dbt_manifests: tuple[Path, ...] = ()
    """dbt's ``manifest.json`` files, authoritative on their projects' models."""
    dbt_parse: bool = False
    """dbt parses each product's project (floe_gate.run.parsed), as ``compile --dbt-parse``."""


@dataclass
class Run:
    """What the steps found, reported together at the end."""

    artifacts_dir: Path
    sarif_file: Path
    problems: list[Problem] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    compile_errors: list[str] = field(default_factory=list)
    cannot_judge: list[str] = field(default_factory=list)

    @property
    def violations(self) -> int:
        errors = sum(problem.severity is Severity.ERROR for problem in self.problems)
        return errors + len(self.compile_errors)

    @property
    def exit_code(self) -> int:
        if self.cannot_judge:
            return ExitCode.CANNOT_JUDGE
        return ExitCode.PROBLEMS if self.violations else ExitCode.OK


def run_ci(options: CiOptions, environ: Mapping[str, str] = os.environ) -> int:
    """Check, parity, compile and report; return the exit code."""
    allow_drift = allowed_drift(options.allow_drift, environ.get(ALLOW_DRIFT_ENV, ""))
    bad = malformed(allow_drift)
    if bad:
        echo_error(
            f"--allow-drift (or ${ALLOW_DRIFT_ENV}) takes PRODUCT:TRANSFORM, not {', '.join(bad)}"
        )
        return ExitCode.CANNOT_JUDGE
    if options.dbt_parse and options.dbt_manifests:
        echo_error("--dbt-parse and --dbt-manifest exclude each other: dbt parses, or you did")
        return ExitCode.CANNOT_JUDGE
    artifacts_dir = _absolute(options.artifacts_dir or default_artifacts_dir(environ))
    run = Run(artifacts_dir, _absolute(options.sarif_file or artifacts_dir / SARIF_NAME))
    verdict = _check(run, options)
    base = options.base_ref or environ.get("GITHUB_BASE_REF") or None
    if not run.cannot_judge:
        _parity(run, options, base, allow_drift, environ)
    run.problems = sorted(set(run.problems))
    _compile(run, verdict)
    _report(run, environ)
    return run.exit_code


def default_artifacts_dir(environ: Mapping[str, str]) -> Path:
    """``$RUNNER_TEMP/floe-gate-artifacts`` on a GitHub runner, else ``./floe-gate-artifacts``."""
    runner_temp = environ.get("RUNNER_TEMP", "").strip()
    return Path(runner_temp) / ARTIFACTS_NAME if runner_temp else Path(ARTIFACTS_NAME)


def _absolute(path: Path) -> Path:
    return path if path.is_absolute() else Path.cwd() / path


# --- the steps ----------------------------------------------------------------------------------


def _check(run: Run, options: CiOptions) -> Verdict | None:
    judgement = judge_working_tree(
        options.repo, options.manifest, dbt_manifests=options.dbt_manifests
    )
    run.problems += judgement.problems
    if judgement.cannot_judge is not None:
        run.cannot_judge.append(judgement.cannot_judge)
        run.steps.append(f"check: cannot be judged: {judgement.cannot_judge}")
    elif judgement.verdict is None:
        counts = counts_sentence(judgement.problems)
        run.steps.append(f"check: {options.manifest} cannot be used ({counts})")
    elif options.dbt_parse:
        return _judged_on_dbt_parse(run, judgement.verdict)
    else:
        run.steps.append(f"check: {counts_sentence(judgement.problems)}")
    return judgement.verdict


def _judged_on_dbt_parse(run: Run, verdict: Verdict) -> Verdict | None:
    """``verdict`` judged again on what dbt parses for the first environment; not when
    the scan already found errors (the profiles dbt needs may not be right)."""
    from floe_gate.gate import rejudge
    from floe_gate.run.parsed import CannotParse, dbt_parsed

    if any(problem.severity is Severity.ERROR for problem in verdict.problems):
        run.steps.append(
            f"check: {counts_sentence(verdict.problems)} (dbt parse skipped: fix the errors first)"
        )
        return verdict
    try:
        manifests = dbt_parsed(verdict, next(iter(verdict.repository.manifest.model.environments)))
    except CannotParse as error:
        run.cannot_judge.append(str(error))
        run.steps.append(f"check: cannot be judged: {error}")
        return None
    verdict = rejudge(verdict, manifests)
    run.problems = list(verdict.problems)
    run.steps.append(f"check (on dbt parse): {counts_sentence(verdict.problems)}")
    return verdict


def _parity(
    run: Run,
    options: CiOptions,
    base: str | None,
    allow_drift: tuple[str, ...],
    environ: Mapping[str, str],
) -> None:
    if base is None:
        notice = "parity skipped: no base branch (not a pull request); pass --base-ref to compare"
        click.echo(f"::notice title=floe-gate parity::{github.escape_data(notice)}")
        run.steps.append("parity: skipped (no base branch: not a pull request)")
        return
    request = ParityRequest(
        options.repo, options.manifest, base, None, allow_drift=frozenset(allow_drift)
    )
    try:
        found = run_parity(request, environ)
    except ManifestUnusable as unusable:
        found = unusable.problems
    except CannotJudge as error:
        run.cannot_judge.append(str(error))
        run.steps.append(f"parity vs {base}: cannot be judged: {error}")
        return
    run.problems += found
    run.steps.append(f"parity vs {base}: {counts_sentence(found)}")


def _compile(run: Run, verdict: Verdict | None) -> None:
    target = run.artifacts_dir
    if verdict is None or run.cannot_judge or run.violations:
        reason = "the run cannot be judged" if run.cannot_judge else "fix the errors first"
        click.echo(f"compile skipped: {reason}; no artifacts written", err=True)
        run.steps.append(f"compile: skipped ({reason})")
        return
    known = list(verdict.repository.manifest.model.environments)
    try:
        artifacts = compile_artifacts(verdict, known, target)
    except CompileError as error:
        run.compile_errors += error.messages
        run.steps.append(f"compile: refused ({len(error.messages)} error(s)); no artifacts written")
        return
    try:
        done = write(target, artifacts.files, artifacts.owned)
    except (NotOurs, OSError) as error:
        message = f"cannot write artifacts to {target}: {error}"
        run.cannot_judge.append(message)
        run.steps.append(f"compile: {message}")
        return
    click.echo(
        f"compile: {len(done.written)} written, {len(done.unchanged)} unchanged, "
        f"{len(done.removed)} removed in {target}",
        err=True,
    )
    run.steps.append(f"compile ({', '.join(known)}) → {target}: {len(artifacts.files)} file(s)")


# --- the report ---------------------------------------------------------------------------------


def _report(run: Run, environ: Mapping[str, str]) -> None:
    catalogue = rule_catalogue()
    titles = {rule.id: rule.title for rule in catalogue}
    lines = [github.command(problem, titles.get(problem.rule)) for problem in run.problems]
    lines += [
        f"::error title=floe-gate compile::{github.escape_data(m)}" for m in run.compile_errors
    ]
    lines += [f"::error title=floe-gate::{github.escape_data(m)}" for m in run.cannot_judge]
    if lines:
        click.echo("\n".join(lines))
    for message in run.cannot_judge:
        echo_error(message)
    click.echo("\n".join(text.closing_lines(run.problems, [])), err=True)
    sarif_failure = _write_sarif(run, catalogue)
    if sarif_failure:
        run.cannot_judge.append(sarif_failure)
        echo_error(str(sarif_failure))
    else:
        run.steps.append(f"SARIF → {run.sarif_file}")
    for failure in (
        github.append_step_summary(_summary(run), environ),
        set_outputs(
            {
                "violations": str(run.violations),
                "artifacts-dir": str(run.artifacts_dir),
                "sarif-file": str(run.sarif_file),
            },
            environ,
        ),
    ):
        if failure:
            click.echo(f"warning: {failure}", err=True)


def _write_sarif(run: Run, catalogue: Sequence[RuleInfo]) -> str | None:
    log = sarif.render(run.problems, catalogue, correlation_id=correlation_id())
    try:
        run.sarif_file.parent.mkdir(parents=True, exist_ok=True)
        run.sarif_file.write_text(log + "\n", encoding="utf-8")
    except OSError as error:
        return f"cannot write the SARIF file {run.sarif_file}: {error.strerror or error}"
    return None


def _summary(run: Run) -> str:
    steps = [f"- {markdown.escape_cell(step)}" for step in run.steps]
    steps += [f"- compile error: {markdown.escape_cell(m)}" for m in run.compile_errors]
    body = markdown.render(run.problems, correlation_id=correlation_id())
    body = body.removeprefix(markdown.HEADING).lstrip("\n")
    return "\n".join([HEADING, "", *steps, "", body])


def set_outputs(values: Mapping[str, str], environ: Mapping[str, str]) -> str | None:
    """Append ``name=value`` lines to ``$GITHUB_OUTPUT`` when it names a file.

    A value with a line break uses GitHub's multi-line form (``name<<DELIMITER``).
    Returns an error to show (outputs never fail the run), else None.
    """
    target = environ.get(OUTPUT_ENV, "").strip()
    if not target:
        return None
    lines = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = f"floe_gate_{uuid.uuid4().hex}"
            lines += [f"{name}<<{delimiter}", value, delimiter]
        else:
            lines.append(f"{name}={value}")
    try:
        with Path(target).open("a", encoding="utf-8") as outputs:
            outputs.write("\n".join(lines) + "\n")
    except OSError as error:
        return f"cannot append to ${OUTPUT_ENV} ({target}): {error.strerror or error}"
    return None
