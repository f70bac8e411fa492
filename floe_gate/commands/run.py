"""``floe-gate run --env ENV [--product P] [--select …]``: dbt on each transform's engine.

The gate is judged first, as for ``compile``: errors refuse the run. Each product's
artifacts are compiled in memory; its ``profiles.yml`` is written under the work
directory with dbt's target and log directories. dbt parses the project, the graph
is cut into per-engine stages (floe_gate.run.stages) and each stage is one
``dbt build`` on its engine's target. A failure skips what depends on it in later
stages; everything else keeps running. Exit 0: every node succeeded. 1: the gate
refused, or a node failed or was skipped. 2: the run cannot be judged (unknown
environment or product, no manifest).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from floe_gate.commands.gated import EXIT_CANNOT_JUDGE, EXIT_OK, EXIT_PROBLEMS, judged
from floe_gate.emit.plan import CompileError, EnvironmentPlan, ProductPlan, plan_environments
from floe_gate.emit.render import profiles_yml, vars_argument
from floe_gate.observability import correlation_id
from floe_gate.report.run_summary import Progress, summary
from floe_gate.run.dbt import DbtFailed, DbtProject, ParsedProject, parse, select
from floe_gate.run.execute import StageRunner
from floe_gate.run.graph import DbtGraph
from floe_gate.run.results import ProductRun, RunReport
from floe_gate.run.stages import plan_stages
from floe_gate.telemetry import SpanLike, command_span, record_transform


@dataclass(frozen=True)
class RunOptions:
    repo: Path
    manifest: str
    environment: str
    products: tuple[str, ...]
    select: tuple[str, ...]
    work_dir: Path
    output_format: str


def run_transforms(options: RunOptions) -> int:
    with command_span("run", {"floe.environment": options.environment}) as span:
        code = _run(options, span)
        span.set_attribute("floe.exit_code", code)
        return code


def _run(options: RunOptions, span: SpanLike) -> int:
    verdict = judged(options.repo, options.manifest, refusal="run refused", span=span)
    if isinstance(verdict, int):
        return verdict
    known = list(verdict.repository.manifest.model.environments)
    if options.environment not in known:
        click.echo(
            f"error: unknown environment {options.environment!r} "
            f"(the manifest defines: {', '.join(known)})",
            err=True,
        )
        return EXIT_CANNOT_JUDGE
    try:
        (plan,) = plan_environments(verdict.context, [options.environment])
    except CompileError as error:
        for message in error.messages:
            click.echo(f"error: {message}", err=True)
        return EXIT_PROBLEMS
    products = _chosen(plan, options.products)
    if products is None:
        return EXIT_CANNOT_JUDGE
    report = RunReport(options.environment, correlation_id())
    with _correlation_for_dbt(report.correlation_id):
        for product in products:
            report.products.append(_run_product(options, plan, product))
    _render(report, options.output_format)
    return EXIT_PROBLEMS if report.failed else EXIT_OK


def _chosen(plan: EnvironmentPlan, names: tuple[str, ...]) -> list[ProductPlan] | None:
    by_name = {product.name: product for product in plan.products}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        click.echo(
            f"error: unknown data product {', '.join(map(repr, unknown))} "
            f"(products: {', '.join(by_name) or 'none'})",
            err=True,
        )
        return None
    return [by_name[name] for name in dict.fromkeys(names)] if names else list(by_name.values())


@contextmanager
def _correlation_for_dbt(value: str) -> Iterator[None]:
    """dbt runs in this process: the statement guard reads the id from the environment."""
    previous = os.environ.get("FLOE_CORRELATION_ID")
    os.environ["FLOE_CORRELATION_ID"] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("FLOE_CORRELATION_ID", None)
        else:
            os.environ["FLOE_CORRELATION_ID"] = previous


def _run_product(options: RunOptions, plan: EnvironmentPlan, product: ProductPlan) -> ProductRun:
    run = ProductRun(product.name, product.dbt_project)
    project = _prepare(options, plan, product)
    parsed: dict[str, ParsedProject] = {}

    def parsed_for(engine: str) -> ParsedProject:
        if engine not in parsed:
            parsed[engine] = parse(project, engine)
        return parsed[engine]

    try:
        graph = parsed_for(product.target).graph
        selected = _selected(project, parsed_for(product.target), product.target, options.select)
    except DbtFailed as error:
        run.error = str(error)
        return run
    engines = _engines(graph, product)
    progress = Progress(
        sys.stderr,
        tty=sys.stderr.isatty(),
        label=lambda uid: f"{product.name}.{_label(graph, engines, uid)}",
    )
    runner = StageRunner(run, project, parsed_for, engines, progress, graph)
    runner.run_stages(plan_stages(graph, engines, selected & graph.built()))
    for result in run.results:
        if result.resource_type == "model":
            record_transform(
                result.engine, result.name, result.status, result.duration_seconds * 1000
            )
    return run


def _prepare(options: RunOptions, plan: EnvironmentPlan, product: ProductPlan) -> DbtProject:
    work = (options.work_dir / plan.name / product.name).resolve()
    profiles = work / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / "profiles.yml").write_text(profiles_yml(plan, product), encoding="utf-8")
    return DbtProject(
        project_dir=(options.repo / product.dbt_project).resolve(),
        profiles_dir=profiles,
        work_dir=work,
        vars=vars_argument(plan.name),
    )


def _selected(
    project: DbtProject, parsed: ParsedProject, target: str, selectors: tuple[str, ...]
) -> set[str]:
    if not selectors:
        return parsed.graph.built()
    return select(project, parsed, target, list(selectors))


def _engines(graph: DbtGraph, product: ProductPlan) -> dict[str, str]:
    """Node → engine: a model's transform engine; seeds and snapshots on the default."""
    by_model = {transform.name: transform.engine for transform in product.transforms}
    return {
        uid: by_model.get(node.name, product.target)
        if node.resource_type == "model"
        else product.target
        for uid, node in graph.nodes.items()
    }


def _label(graph: DbtGraph, engines: dict[str, str], unique_id: str) -> str:
    node = graph.nodes.get(unique_id)
    name = node.name if node else unique_id
    return f"{name} [{engines.get(unique_id, '?')}]"


def _render(report: RunReport, output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(report.as_json(), indent=2, sort_keys=True))
    else:
        click.echo(summary(report))
