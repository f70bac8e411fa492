"""``floe-gate run --env ENV [--product P] [--select …]``: dbt on each transform's engine.

The gate is judged first, as for ``compile``: errors refuse the run. Each product's
artifacts are compiled in memory; its ``profiles.yml`` is written under the work
directory with dbt's target and log directories. dbt parses each project, and the
gate is judged again with dbt's ``manifest.json`` as the authority on its models
(as ``check --dbt-manifest``): what only dbt can judge (an ``enabled`` that Jinja
computes, a package's models) refuses the run before anything is built, and the
warnings shown are those of this judgement. The graph is cut into per-engine
stages (floe_gate.run.stages) and each stage is one ``dbt build`` on its engine's
target. A failure skips what depends on it in later stages; everything else keeps
running. Exit 0: every node succeeded. 1: the gate refused, or a node failed or was
skipped. 2: the run cannot be judged (unknown environment or product, no manifest).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import click

from floe_gate.commands.gated import decided, judged
from floe_gate.emit.plan import CompileError, EnvironmentPlan, ProductPlan, plan_environments
from floe_gate.exit_codes import ExitCode
from floe_gate.gate import Verdict, rejudge
from floe_gate.load.dbt_manifest import read_manifest
from floe_gate.load.sources import CannotJudge
from floe_gate.observability import correlation_id
from floe_gate.registry import PluginRegistry
from floe_gate.report.errors import echo_error
from floe_gate.report.formats import emit_document
from floe_gate.report.run_summary import Progress, summary
from floe_gate.run.chosen import only_products, problems_of, unknown_products
from floe_gate.run.dbt import (
    DbtFailed,
    ParsedProject,
    invocation,
    manifest_json,
    parse,
    run_query,
    select,
)
from floe_gate.run.directories import prepare_directories
from floe_gate.run.execute import StageRunner
from floe_gate.run.graph import DbtGraph
from floe_gate.run.handoff import Crossing, Handoffs, crossings, missing_storage_message
from floe_gate.run.results import ProductRun, RunReport
from floe_gate.run.selection import BadVars, Selection, run_vars
from floe_gate.run.stages import plan_stages
from floe_gate.telemetry import SpanLike, command_span, record_transform


@dataclass(frozen=True)
class RunOptions:
    repo: Path
    manifest: str
    environment: str
    products: tuple[str, ...]
    selection: Selection
    work_dir: Path
    output_format: str
    dbt_vars: str | None = None
    """``--vars`` as given; every dbt invocation gets them with ``floe_env``."""


def run_transforms(options: RunOptions) -> int:
    with command_span("run", {"floe.environment": options.environment}) as span:
        code = _run(options, span)
        span.set_attribute("floe.exit_code", code)
        return code


def _run(options: RunOptions, span: SpanLike) -> int:
    concerns = (lambda found: problems_of(found, options.products)) if options.products else None
    verdict = judged(
        options.repo,
        options.manifest,
        refusal="run refused",
        span=span,
        concerns=concerns,
        final=False,
    )
    if isinstance(verdict, int):
        return verdict
    unknown = unknown_products(verdict, options.products)
    if unknown:
        echo_error(unknown)
        return ExitCode.CANNOT_JUDGE
    known = list(verdict.repository.manifest.model.environments)
    if options.environment not in known:
        echo_error(
            f"unknown environment {options.environment!r} "
            f"(the manifest defines: {', '.join(known)})"
        )
        return ExitCode.CANNOT_JUDGE
    plan = _plan(verdict, options)
    if isinstance(plan, int):
        return plan
    try:
        dbt_vars = run_vars(plan.name, options.dbt_vars)
    except BadVars as error:
        echo_error(str(error))
        return ExitCode.CANNOT_JUDGE
    storage = verdict.repository.manifest.model.compute.shared_storage
    report = RunReport(options.environment, correlation_id())
    engine_log = options.work_dir / plan.name / "engine-output.log"
    with _dbt_output(report, engine_log) as terminal:
        runners = [
            _ProductRunner(
                options, plan, product, verdict.context.registry, storage, terminal, dbt_vars
            )
            for product in _chosen(plan, options.products)
        ]
        parsed = {runner.product.name: runner.dbt_manifest() for runner in runners}
    # Judged again on what dbt parsed: a model only dbt can judge is judged before it runs.
    verdict = decided(
        rejudge(verdict, {name: found for name, found in parsed.items() if found is not None}),
        refusal="run refused",
        span=span,
        concerns=concerns,
    )
    if isinstance(verdict, int):
        return verdict
    plan = _plan(verdict, options)
    if isinstance(plan, int):
        return plan
    with _dbt_output(report, engine_log) as terminal:
        for runner, product in zip(runners, _chosen(plan, options.products), strict=True):
            runner.plan, runner.product, runner.terminal = plan, product, terminal
            report.products.append(runner.run())
    _render(report, options.output_format)
    return ExitCode.PROBLEMS if report.failed else ExitCode.OK


def _plan(verdict: Verdict, options: RunOptions) -> EnvironmentPlan | int:
    try:
        context = only_products(verdict.context, options.products)
        (plan,) = plan_environments(context, [options.environment])
    except CompileError as error:
        for message in error.messages:
            echo_error(message)
        click.echo("run refused: nothing ran", err=True)
        return ExitCode.PROBLEMS
    return plan


@contextmanager
def _dbt_output(report: RunReport, engine_log: Path) -> Iterator[TextIO]:
    with _correlation_for_dbt(report.correlation_id), _engine_output_to(engine_log) as terminal:
        yield terminal


def _chosen(plan: EnvironmentPlan, names: tuple[str, ...]) -> list[ProductPlan]:
    by_name = {product.name: product for product in plan.products}
    return [by_name[name] for name in dict.fromkeys(names)] if names else list(by_name.values())


@contextmanager
def _engine_output_to(path: Path) -> Iterator[TextIO]:
    """Send file descriptors 1 and 2 to ``path``; yield a stream to the original stderr.

    Engines running inside this process (Spark's JVM with ``method: session``) write
    their logs and progress bars straight to the process's descriptors, past
    Python: they belong in the work directory, not between floe-gate's lines.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {descriptor: os.dup(descriptor) for descriptor in (1, 2)}
    terminal = os.fdopen(os.dup(saved[2]), "w", buffering=1, encoding="utf-8", errors="replace")
    try:
        with path.open("ab") as log:
            for descriptor in saved:
                os.dup2(log.fileno(), descriptor)
            yield terminal
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for descriptor, original in saved.items():
            os.dup2(original, descriptor)
            os.close(original)
        terminal.close()


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


@dataclass
class _ProductRunner:
    """Runs one data product: its profile, its dbt graph, its stages and hand-offs."""

    options: RunOptions
    plan: EnvironmentPlan
    product: ProductPlan
    registry: PluginRegistry
    shared_storage: str | None
    terminal: TextIO
    """Where progress goes: the original stderr, while engines' own output is logged."""
    dbt_vars: str

    def __post_init__(self) -> None:
        self.project = invocation(
            self.options.repo, self.options.work_dir, self.plan, self.product, self.dbt_vars
        )
        self.parsed: dict[str, ParsedProject | DbtFailed] = {}

    def parsed_for(self, engine: str) -> ParsedProject:
        """The project as dbt parses it for ``engine``; ``DbtFailed`` (each time) if it
        cannot."""
        if engine not in self.parsed:
            try:
                self.parsed[engine] = parse(self.project, engine)
            except DbtFailed as error:
                self.parsed[engine] = error
        found = self.parsed[engine]
        if isinstance(found, DbtFailed):
            raise found
        return found

    def dbt_manifest(self) -> dict[str, Any] | None:
        """dbt's ``manifest.json`` of the project parsed for the default engine (what
        ``dbt build`` runs from), or None when dbt cannot parse it (``run`` says why)."""
        engine = self.product.target
        try:
            self.parsed_for(engine)
        except DbtFailed:
            return None
        try:
            return read_manifest(manifest_json(self.project, engine), "dbt parse wrote")
        except CannotJudge as error:
            self.parsed[engine] = DbtFailed(str(error))
            return None

    def run(self) -> ProductRun:
        run = ProductRun(self.product.name, self.product.dbt_project)
        target = self.product.target
        selection = self.options.selection.arguments()
        try:
            graph = self.parsed_for(target).graph
            engines = _engines(graph, self.product)
            on = {engines[uid] for uid in graph.built()}
            built = (
                set()
                if len(on) <= 1
                else select(self.project, self.parsed_for(target), target, selection)
                & graph.built()
            )
            found = list(crossings(graph, engines, built))
            handoffs = self._handoffs(found, graph) if found else None
            self._prepare_directories()
        except (DbtFailed, CannotRun) as error:
            run.error = str(error)
            return run
        progress = Progress(
            self.terminal,
            tty=self.terminal.isatty(),
            label=lambda uid: f"{self.product.name}.{_label(graph, engines, uid)}",
        )
        runner = StageRunner(
            run, self.project, self.parsed_for, engines, progress, graph, handoffs, found
        )
        if len(on) <= 1:
            runner.run_whole(next(iter(on), target), selection)
        else:
            runner.run_stages(plan_stages(graph, engines, built))
            runner.note_tests_across_engines(built)
        listed = {transform.name for transform in self.product.transforms if transform.listed}
        runner.note_disabled(listed, self.parsed_for(target).disabled_models())
        for result in run.results:
            if result.resource_type == "model":
                record_transform(
                    result.engine, result.name, result.status, result.duration_seconds * 1000
                )
        return run

    def _prepare_directories(self) -> None:
        engines = self.product.engines
        plugins = {engine: self.registry.get(engine) for engine in engines}
        problems = prepare_directories(plugins, self.product.configs, engines, Path.cwd())
        if problems:
            raise CannotRun("; ".join(problems))

    def _handoffs(self, found: list[Crossing], graph: DbtGraph) -> Handoffs:
        if self.shared_storage is None:
            raise CannotRun(missing_storage_message(found, graph))
        handoffs = Handoffs(
            shared_storage=self.shared_storage,
            environment=self.plan.name,
            product=self.product.name,
            plugins={engine: self.registry.get(engine) for engine in self.product.configs},
            configs=self.product.configs,
            graph_for=lambda engine: self.parsed_for(engine).graph,
            run_sql=lambda engine, sql: run_query(
                self.project, self.parsed_for(engine), engine, sql
            ),
        )
        reason = handoffs.cannot(found)
        if reason is not None:
            raise CannotRun(reason)
        return handoffs


class CannotRun(Exception):
    """A product cannot run at all; the message says why."""


def _engines(graph: DbtGraph, product: ProductPlan) -> dict[str, str]:
    """Node → engine: a model's transform engine (the version's, ``dim_orders.v2``, else
    the whole model's, ``dim_orders``); seeds and snapshots on the default; a test on the
    engine of what it tests (its stage runs it there)."""
    by_model = {transform.name: transform.engine for transform in product.transforms}
    engines = {
        uid: by_model.get(node.selector) or by_model.get(node.name, product.target)
        if node.resource_type == "model"
        else product.target
        for uid, node in graph.nodes.items()
        if node.resource_type != "test"
    }
    for uid, node in graph.nodes.items():
        if node.resource_type == "test":
            tested = [engines[parent] for parent in node.parents if parent in engines]
            engines[uid] = tested[0] if tested else product.target
    return engines


def _label(graph: DbtGraph, engines: dict[str, str], unique_id: str) -> str:
    node = graph.nodes.get(unique_id)
    name = node.selector if node else unique_id
    return f"{name} [{engines.get(unique_id, '?')}]"


@dataclass(frozen=True)
class _Summary:
    report: RunReport

    def as_text(self) -> str:
        return summary(self.report)

    def as_json(self) -> dict[str, Any]:
        return self.report.as_json()


def _render(report: RunReport, output_format: str) -> None:
    emit_document(_Summary(report), output_format, sort_keys=True)
