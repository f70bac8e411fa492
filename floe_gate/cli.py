"""The ``floe-gate`` command line.

Only click is imported at start-up: the git hook runs this on every commit, so
each command imports what it needs (pydantic models, plugins, dbt) when it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from floe_gate import __version__
from floe_gate.exit_codes import ExitCode
from floe_gate.report import formats


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="floe-gate")
@click.option(
    "--log-format", type=click.Choice(["auto", "human", "json"]), default="auto",
    show_default=True, help="Log lines on stderr: human, JSON, or auto (human on a terminal).",
)  # fmt: skip
@click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning",
    show_default=True, help="The least severe log line written to stderr.",
)  # fmt: skip
@click.option(
    "--otel", type=click.Choice(["console"]),
    help="Write OpenTelemetry spans and metrics to stderr. Without it they are exported "
    "only when OTEL_EXPORTER_OTLP_ENDPOINT is set (and the OTLP exporter is installed).",
)  # fmt: skip
@click.pass_context
def cli(ctx: click.Context, log_format: str, log_level: str, otel: str | None) -> None:
    """The compute-governance gate of a GitOps data platform built on dbt."""
    from floe_gate import logs
    from floe_gate.observability import correlation_id

    logs.configure(log_level, log_format)
    run_id = correlation_id()  # one per run, fixed before any thread starts
    if otel or _otlp_configured():
        from floe_gate import telemetry

        telemetry.configure_from_environment(otel)
        ctx.call_on_close(telemetry.shutdown)
    logs.get_logger("floe_gate.cli").info(
        "run started", command=ctx.invoked_subcommand, correlation_id=run_id
    )


def _otlp_configured() -> bool:
    """The environment names an OTLP endpoint (checked without importing OpenTelemetry)."""
    import os

    names = ("", "_TRACES", "_METRICS")
    return any(os.environ.get(f"OTEL_EXPORTER_OTLP{name}_ENDPOINT", "").strip() for name in names)


REPO_OPTION = click.option(
    "--repo",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=".",
    show_default=True,
    help="A directory inside the platform's git repository.",
)
MANIFEST_OPTION = click.option(
    "--manifest",
    default="manifest.yaml",
    show_default=True,
    help="The platform manifest, relative to the repository's top level.",
)
DBT_MANIFEST_OPTION = click.option(
    "--dbt-manifest", "dbt_manifests", multiple=True, metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="dbt's manifest.json of a product's dbt project (after `dbt parse`); repeatable. "
    "Its models, versions, enabled, materializations and packages replace the scan's.",
)  # fmt: skip
DBT_PARSE_OPTION = click.option(
    "--dbt-parse", is_flag=True,
    help="Run `dbt parse` on each product's project (its profile for the first environment "
    "compiled, in a scratch directory) and use the manifests as --dbt-manifest does. "
    "Needs dbt and the default engines' adapters.",
)  # fmt: skip


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@REPO_OPTION
@MANIFEST_OPTION
@click.option(
    "--format",
    "output_format",
    type=formats.choice(formats.PROBLEMS),
    default="text",
    show_default=True,
    help="Output format: github writes workflow-command annotations (and every problem "
    "to $GITHUB_STEP_SUMMARY); sarif writes SARIF 2.1.0 for code scanning.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@DBT_MANIFEST_OPTION
def check(  # noqa: PLR0917 - one value per option
    files: tuple[str, ...],
    repo: Path,
    manifest: str,
    output_format: str,
    strict: bool,
    dbt_manifests: tuple[Path, ...],
) -> None:
    """Check schema, governance and engine resolution; report every problem at once.

    With FILES, report the problems in those files and those whose resolution chain
    passes through them (how pre-commit calls it); others are summarised.
    Exit 0: no errors. 1: errors. 2: the repository cannot be judged.
    """
    from floe_gate.commands.check import run_check

    sys.exit(run_check(repo, manifest, files, output_format, strict, dbt_manifests))


@cli.command(name="compile")
@REPO_OPTION
@MANIFEST_OPTION
@click.option(
    "--env", "environments", multiple=True, metavar="ENV",
    help="Environment to compile; repeatable. Default: every environment of the manifest.",
)  # fmt: skip
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Artifact directory: DIR/ENV/PRODUCT/ENGINE/profiles.yml, DIR/ENV/resources.yaml, "
    "DIR/ENV/compiled.json, DIR/requirements-dbt.txt.",
)  # fmt: skip
@click.option(
    "--check", "check_only", is_flag=True,
    help="Write nothing; fail when DIR's artifacts are stale, missing or extra.",
)  # fmt: skip
@DBT_MANIFEST_OPTION
@DBT_PARSE_OPTION
def compile_(  # noqa: PLR0917 - one value per option
    repo: Path,
    manifest: str,
    environments: tuple[str, ...],
    out_dir: Path,
    check_only: bool,
    dbt_manifests: tuple[Path, ...],
    dbt_parse: bool,
) -> None:
    """Emit dbt profiles, pod resources, the compiled JSON and the dbt packages.

    Refused while `check` finds errors. dbt runs of ENV's artifacts pass the
    environment as a var: `dbt build --profiles-dir DIR/ENV/PRODUCT/ENGINE --vars
    '{floe_env: ENV}'`; each profile's one output is named ENV (dbt's target.name).
    Exit 0: written, or up to date with --check. 1: gate errors, or stale artifacts
    with --check. 2: the repository cannot be judged, or an unknown --env.
    """
    from floe_gate.commands.compile import run_compile

    sys.exit(
        run_compile(repo, manifest, environments, out_dir, check_only, dbt_manifests, dbt_parse)
    )


@cli.command(name="run")
@REPO_OPTION
@MANIFEST_OPTION
@click.option("--env", "environment", required=True, metavar="ENV", help="Environment to run.")
@click.option(
    "--product", "products", multiple=True, metavar="P",
    help="Data product to run; repeatable. Default: every product.",
)  # fmt: skip
@click.option(
    "--select", "-s", "select", multiple=True, metavar="SELECTOR",
    help="dbt node selection (dbt's --select syntax); repeatable. Default: what plain "
    "`dbt build` selects (the project's default selector, if any).",
)  # fmt: skip
@click.option(
    "--exclude", multiple=True, metavar="SELECTOR", help="dbt's --exclude; repeatable.",
)  # fmt: skip
@click.option("--selector", metavar="NAME", help="A selector of the project's selectors.yml.")
@click.option(
    "--vars", "dbt_vars", metavar="YAML",
    help="dbt's --vars, passed to every stage (floe_env is the environment).",
)  # fmt: skip
@click.option(
    "--work-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".floe/run"),
    show_default=True,
    help="Where profiles, dbt's target and logs go: WORK_DIR/ENV/PRODUCT/.",
)  # fmt: skip
@click.option(
    "--format", "output_format", type=formats.choice(formats.DOCUMENTS), default="text",
    show_default=True, help="Summary format (progress goes to stderr).",
)  # fmt: skip
def run_(  # noqa: PLR0917 - one value per option
    repo: Path,
    manifest: str,
    environment: str,
    products: tuple[str, ...],
    select: tuple[str, ...],
    exclude: tuple[str, ...],
    selector: str | None,
    dbt_vars: str | None,
    work_dir: Path,
    output_format: str,
) -> None:
    """Run data products' dbt transforms, each on its engine, in stages.

    Consecutive models on one engine form a stage (one `dbt build` on that engine's
    target), in graph order. A failure skips what depends on it; the rest runs.
    DuckDB statements are limited by their transform's timeout. Exit 0: everything
    succeeded. 1: the gate refused, or a node failed or was skipped. 2: unknown
    environment or product, or the repository cannot be judged.
    """
    from floe_gate.commands.run import RunOptions, run_transforms
    from floe_gate.run.selection import Selection

    options = RunOptions(
        repo, manifest, environment, products, Selection(select, exclude, selector),
        work_dir, output_format, dbt_vars,
    )  # fmt: skip
    sys.exit(run_transforms(options))


@cli.command()
@click.option(
    "--format", "output_format", type=formats.choice(formats.DOCUMENTS), default="text",
    show_default=True, help="Output format.",
)  # fmt: skip
def plugins(output_format: str) -> None:
    """List installed compute plugins: versions, API version, distribution, load status.

    Exits 1 when any plugin cannot be used (import failure, incomplete, incompatible
    API, or two distributions claiming the same engine name).
    """
    from floe_gate.commands.plugins import list_plugins

    sys.exit(list_plugins(output_format))


@cli.command()
@click.argument("engine")
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file with the engine's target settings (as under compute.targets.ENGINE).",
)
@click.option("--name", "profile_name", default="floe", show_default=True, help="dbt profile name.")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Write DIR/profiles.yml instead of printing it.",
)  # fmt: skip
def profile(
    engine: str, settings_file: Path | None, profile_name: str, out_dir: Path | None
) -> None:
    """Render the dbt profile a plugin generates for ENGINE's target settings."""
    from floe_gate.commands.profile import render_profile

    sys.exit(render_profile(engine, settings_file, profile_name, out_dir))


@cli.command()
@click.argument("subject", metavar="PRODUCT[:TRANSFORM]")
@REPO_OPTION
@MANIFEST_OPTION
@click.option(
    "--format", "output_format", type=formats.choice(formats.DOCUMENTS), default="text",
    show_default=True, help="Output format.",
)  # fmt: skip
def explain(subject: str, repo: Path, manifest: str, output_format: str) -> None:
    """Show the engine of a transform and the chain of files that chose it.

    For every level from the manifest down to the data product: its approved engines
    and default, each with the file:line that set it (or the file it inherits from).
    PRODUCT alone lists every transform, listed or not, with its engine and origin.
    Problems of the product are shown; problems elsewhere are counted.
    Exit 0: explained, problems or not. 1: unknown product, transform or domain.
    2: the repository cannot be judged.
    """
    from floe_gate.commands.explain import run_explain

    sys.exit(run_explain(repo, manifest, subject, output_format))


@cli.command()
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Write one DIR/<kind>.schema.json per file kind instead of printing them.",
)  # fmt: skip
@click.option("--check", is_flag=True, help="With --out: exit 1 if a file in DIR is stale.")
def schema(out_dir: Path | None, check: bool) -> None:
    """JSON Schemas of the configuration files, for editors.

    Generated from the models the gate validates with, for manifest.yaml,
    policy.yaml, floe.yaml (a data product) and waivers.yaml. Without --out, print
    one JSON object: file name → schema. With --out DIR, write them as files:

    \b
        DIR/manifest.schema.json      DIR/policy.schema.json
        DIR/data-product.schema.json  DIR/waivers.schema.json

    Name one on the first line of a YAML file for completion and validation in
    editors that use yaml-language-server (e.g. VS Code's YAML extension):

    \b
        # yaml-language-server: $schema=../schemas/manifest.schema.json
    """
    from floe_gate.commands.schema import run_schema

    sys.exit(run_schema(out_dir, check))


@cli.command()
@REPO_OPTION
@MANIFEST_OPTION
@click.option(
    "--base-ref", metavar="REF",
    help="Branch the change goes into. Default: $GITHUB_BASE_REF, else "
    "$PRE_COMMIT_REMOTE_BRANCH (pre-push).",
)  # fmt: skip
@click.option(
    "--head", "head_ref", metavar="REF",
    help="Judge this branch or commit instead of the working tree (read from git objects).",
)  # fmt: skip
@click.option(
    "--strict", is_flag=True,
    help="Release gate: every environment branch must resolve identically; warnings fail.",
)  # fmt: skip
@click.option(
    "--allow-drift", multiple=True, metavar="PRODUCT:TRANSFORM",
    help="Turn this transform's drift into a warning (a deliberate hotfix); repeatable.",
)  # fmt: skip
@click.option(
    "--format", "output_format", type=formats.choice(formats.PROBLEMS),
    default="text", show_default=True,
    help="Output format (github: annotations and the job summary; sarif: SARIF 2.1.0).",
)  # fmt: skip
def parity(  # noqa: PLR0917 - one value per option
    repo: Path,
    manifest: str,
    base_ref: str | None,
    head_ref: str | None,
    strict: bool,
    allow_drift: tuple[str, ...],
    output_format: str,
) -> None:
    """Check that a change keeps every transform on one engine across environments.

    Compares H (the working tree, or --head) with B (the base branch) and U (B's
    upstream environment branch, from the base's manifest): H = B is untouched
    (a note if U differs), H = U is a promotion, a change at the first environment
    enters there; anything else is drift (FG601), reported at the line that caused
    it. Exit 0: no errors. 1: errors. 2: cannot be judged (no base, unknown ref, a
    branch on the remote that is not fetched: the message has the fetch command).
    """
    from floe_gate.commands.parity import run_parity_command

    sys.exit(
        run_parity_command(repo, manifest, base_ref, head_ref, strict, allow_drift, output_format)
    )


@cli.command()
@REPO_OPTION
@MANIFEST_OPTION
@click.option(
    "--base-ref", metavar="REF",
    help="Branch the pull request goes into. Default: $GITHUB_BASE_REF; "
    "without one (a push), parity is skipped with a notice.",
)  # fmt: skip
@click.option(
    "--allow-drift", multiple=True, metavar="PRODUCT:TRANSFORM",
    help="Turn this transform's drift into a warning; repeatable. Also read from "
    "$FLOE_ALLOW_DRIFT (comma- or space-separated), e.g. set from a pull-request label.",
)  # fmt: skip
@click.option(
    "--artifacts-dir", type=click.Path(file_okay=False, path_type=Path),
    help="Where compiled artifacts go. Default: $RUNNER_TEMP/floe-gate-artifacts, "
    "else ./floe-gate-artifacts.",
)  # fmt: skip
@click.option(
    "--sarif-file", type=click.Path(dir_okay=False, path_type=Path),
    help="Where the SARIF log goes. Default: ARTIFACTS_DIR/floe-gate.sarif.",
)  # fmt: skip
@DBT_MANIFEST_OPTION
@DBT_PARSE_OPTION
def ci(  # noqa: PLR0917 - one value per option
    repo: Path,
    manifest: str,
    base_ref: str | None,
    allow_drift: tuple[str, ...],
    artifacts_dir: Path | None,
    sarif_file: Path | None,
    dbt_manifests: tuple[Path, ...],
    dbt_parse: bool,
) -> None:
    """What the GitHub Action runs: check, parity, compile and report, in one process.

    Checks the repository; judges parity against the base branch when one is known;
    compiles every environment's artifacts when there are no errors. Reports every
    problem as workflow-command annotations on stdout, in one SARIF file and in the
    job summary ($GITHUB_STEP_SUMMARY), and appends the step outputs violations,
    artifacts-dir and sarif-file to $GITHUB_OUTPUT. Never connects to an engine.
    Exit 0: no errors. 1: errors. 2: the run cannot be judged.
    """
    from floe_gate.commands.ci import CiOptions, run_ci

    options = CiOptions(
        repo, manifest, base_ref, allow_drift, artifacts_dir, sarif_file, dbt_manifests, dbt_parse
    )
    sys.exit(run_ci(options))


@cli.command()
@REPO_OPTION
@MANIFEST_OPTION
@click.option(
    "--env", "environment", metavar="ENV",
    help="Environment whose target settings are checked. Default: the first in promotion order.",
)  # fmt: skip
@click.option(
    "--target", "targets", multiple=True, metavar="NAME",
    help="Check only this approved engine; repeatable. Default: every approved engine.",
)  # fmt: skip
@click.option(
    "--format", "output_format", type=formats.choice(formats.DOCUMENTS), default="text",
    show_default=True, help="Output format.",
)  # fmt: skip
@click.option(
    "--fail-on", type=click.Choice(["unhealthy", "degraded"]), default="unhealthy",
    show_default=True, help="The least healthy status that still exits 0 is the one below.",
)  # fmt: skip
@click.option(
    "--timeout", "timeout_seconds", type=click.FloatRange(min=0.1, max=600), default=5.0,
    show_default=True, help="Seconds each check (and its one retry) may take.",
)  # fmt: skip
@click.option("--watch", is_flag=True, help="Keep polling and report every change of status.")
@click.option(
    "--interval", "interval_seconds", type=click.FloatRange(min=0.1), default=30.0,
    show_default=True, help="Seconds between polls with --watch.",
)  # fmt: skip
@click.option(
    "--count", "rounds", type=click.IntRange(min=0), default=0,
    help="With --watch: stop after this many polls (0: until interrupted).",
)  # fmt: skip
def health(  # noqa: PLR0917 - one value per option
    repo: Path,
    manifest: str,
    environment: str | None,
    targets: tuple[str, ...],
    output_format: str,
    fail_on: str,
    timeout_seconds: float,
    watch: bool,
    interval_seconds: float,
    rounds: int,
) -> None:
    """Check every approved engine's target with its plugin's native driver.

    Uses the manifest's effective target settings for ENV. Targets are checked
    concurrently, each bounded by --timeout; an unhealthy check is retried once on a
    fresh connection before it is reported. An engine without a plugin is unhealthy.
    Exit 0: healthy (or degraded, unless --fail-on degraded). 1: a target is
    unhealthy. 2: the repository cannot be judged, or an unknown --env or --target.
    """
    from floe_gate.commands.health import HealthOptions, run_health

    options = HealthOptions(
        repo, manifest, environment, targets, output_format, fail_on, timeout_seconds,
        watch, interval_seconds, rounds,
    )  # fmt: skip
    sys.exit(run_health(options))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as error:
        error.show()
        return ExitCode.CANNOT_JUDGE
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return ExitCode.CANNOT_JUDGE
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else ExitCode.CANNOT_JUDGE
    except MemoryError:  # what the bounds on input leave over: a run too large to judge
        from floe_gate.report.errors import echo_error

        echo_error("out of memory: the run cannot be judged within this machine's memory")
        return ExitCode.CANNOT_JUDGE
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
