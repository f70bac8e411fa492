"""dbt, invoked in process (``dbtRunner``): parse a project, select nodes, build a stage.

Imported only by ``floe-gate run``: dbt is heavy and never on the hook's path.
Each invocation writes dbt's own logs under the run's work directory and keeps
the terminal for floe-gate's progress (``--quiet``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from floe_gate.emit.plan import EnvironmentPlan, ProductPlan
from floe_gate.emit.render import PROFILES_FILE, profiles_yml
from floe_gate.load.dbt_scan import optional_version_text
from floe_gate.run.graph import DbtGraph, Node

NodeEvent = Callable[[str, str, str], None]
"""(event: start|finish, unique id, dbt status) from dbt's worker threads."""


class DbtFailed(Exception):
    """dbt could not run at all (a project or profile error); the message is dbt's."""


@dataclass(frozen=True)
class DbtOutcome:
    unique_id: str
    status: str
    execution_time: float
    message: str | None
    rows_affected: int | None


@dataclass(frozen=True)
class DbtInvocation:
    """Where dbt finds a product's project and profiles, and where it writes.

    Each engine has its own profile (``profiles_root/ENGINE/profiles.yml``) whose one
    output is named ``target_name``, the environment: ``target.name`` is the
    environment and ``target.type`` the engine, on every engine.
    """

    project_dir: Path
    profiles_root: Path
    work_dir: Path
    vars: str
    target_name: str

    def arguments(self, command: str, engine: str, *extra: str) -> list[str]:
        return [
            command,
            "--project-dir", str(self.project_dir),
            "--profiles-dir", str(self.profiles_root / engine),
            "--target-path", str(self.work_dir / "target" / engine),
            "--log-path", str(self.work_dir / "logs"),
            "--target", self.target_name,
            "--vars", self.vars,
            "--log-level", "none",
            "--log-level-file", "debug",
            "--no-use-colors",
            *extra,
        ]  # fmt: skip


@dataclass
class ParsedProject:
    """A project parsed for one target: its graph and dbt's manifest to reuse."""

    graph: DbtGraph
    manifest: Any

    def disabled_models(self) -> dict[str, Node]:
        """Models dbt parsed but will not run (``enabled: false``), by unique id."""
        disabled = getattr(self.manifest, "disabled", None) or {}
        return {
            node.unique_id: node
            for node in _as_nodes(candidate for nodes in disabled.values() for candidate in nodes)
            if node.resource_type == "model"
        }


def invocation(
    repo: Path, work_dir: Path, plan: EnvironmentPlan, product: ProductPlan, dbt_vars: str
) -> DbtInvocation:
    """``product``'s invocation in ``plan``'s environment, its profiles written (one per
    engine) under ``work_dir/ENV/PRODUCT``, where dbt's target and logs go too."""
    work = (work_dir / plan.name / product.name).resolve()
    profiles = work / "profiles"
    for engine in product.outputs:
        (profiles / engine).mkdir(parents=True, exist_ok=True)
        (profiles / engine / PROFILES_FILE).write_text(
            profiles_yml(plan, product, engine), encoding="utf-8"
        )
    return DbtInvocation(
        project_dir=(repo / product.dbt_project).resolve(),
        profiles_root=profiles,
        work_dir=work,
        vars=dbt_vars,
        target_name=plan.name,
    )


def parse(project: DbtInvocation, target: str) -> ParsedProject:
    result = _runner()().invoke(project.arguments("parse", target))
    if not result.success or result.result is None:
        raise DbtFailed(_failure(result, f"dbt parse of {project.project_dir} failed"))
    manifest = result.result
    return ParsedProject(DbtGraph.of(_nodes(manifest)), manifest)


def manifest_json(project: DbtInvocation, target: str) -> Path:
    """Where ``parse`` has dbt write its ``manifest.json``."""
    return project.work_dir / "target" / target / "manifest.json"


def _nodes(manifest: Any) -> Iterable[Node]:
    return _as_nodes(manifest.nodes.values())


def _as_nodes(nodes: Iterable[Any]) -> Iterable[Node]:
    for node in nodes:
        depends_on = getattr(node, "depends_on", None)
        yield Node(
            unique_id=node.unique_id,
            name=node.name,
            resource_type=str(node.resource_type),
            parents=tuple(getattr(depends_on, "nodes", None) or ()),
            fqn=tuple(node.fqn),
            database=getattr(node, "database", None) or None,
            schema=getattr(node, "schema", None) or None,
            alias=getattr(node, "alias", None) or None,
            path=getattr(node, "original_file_path", None) or None,
            version=optional_version_text(getattr(node, "version", None)),
        )


def select(
    project: DbtInvocation, parsed: ParsedProject, target: str, selection: list[str]
) -> set[str]:
    """Unique ids of the nodes dbt's own selection picks (``dbt ls`` with ``selection``).

    No ``selection``: what plain ``dbt build`` picks, the project's default selector
    if it has one.
    """
    arguments = project.arguments(
        "ls", target, *selection, "--output", "json", "--output-keys", "unique_id"
    )
    result = _runner()(manifest=parsed.manifest).invoke(arguments)
    if not result.success:
        raise DbtFailed(_failure(result, f"dbt could not select {' '.join(selection)}"))
    listed: list[str] = result.result if isinstance(result.result, list) else []
    return {json.loads(line)["unique_id"] for line in listed}


STAGE_KEY = "floe_gate_stage"
"""``meta`` key marking, in the in-memory manifest only, the nodes of one stage."""


def stage_selection(parsed: ParsedProject, nodes: Iterable[str], label: str) -> list[str]:
    """dbt options selecting exactly ``nodes`` and the tests all of whose parents they are.

    One ``config.meta`` selector instead of one ``fqn:`` selector per node: dbt
    matches every selector against every node, so node lists cost N² (seconds per
    thousand nodes); this costs one pass over the manifest.
    """
    for unique_id in nodes:
        parsed.manifest.nodes[unique_id].config.meta[STAGE_KEY] = label
    return [
        "--select", f"config.meta.{STAGE_KEY}:{label}", "--indirect-selection", "cautious",
    ]  # fmt: skip


def build(
    project: DbtInvocation,
    parsed: ParsedProject,
    target: str,
    selection: list[str],
    on_event: NodeEvent,
) -> list[DbtOutcome]:
    """``dbt build`` on ``target`` of what ``selection`` (dbt's options) selects."""
    arguments = project.arguments("build", target, *selection)
    runner = _runner()(manifest=parsed.manifest, callbacks=[_forward(on_event)])
    result = runner.invoke(arguments)
    if result.result is None or not hasattr(result.result, "results"):
        raise DbtFailed(_failure(result, "dbt build did not run"))
    return [_outcome(run_result) for run_result in result.result.results]


def run_query(project: DbtInvocation, parsed: ParsedProject, target: str, sql: str) -> None:
    """One statement on ``target``, through dbt (``run-operation run_query``)."""
    arguments = project.arguments(
        "run-operation", target, "run_query", "--args", json.dumps({"sql": sql})
    )
    result = _runner()(manifest=parsed.manifest).invoke(arguments)
    if not result.success:
        raise DbtFailed(_failure(result, f"dbt could not run on {target}: {sql}"))


def _runner() -> Any:
    """dbt's programmatic entry point, or DbtFailed saying how to install dbt."""
    try:
        from dbt.cli.main import dbtRunner
    except ImportError as error:
        raise DbtFailed(
            f"dbt is not installed here ({error}): pip install 'floe-gate[dbt]' and the "
            "adapters of the engines you run (requirements-dbt.txt from floe-gate compile)"
        ) from error
    return dbtRunner


def _forward(on_event: NodeEvent) -> Callable[[Any], None]:
    def callback(event: Any) -> None:
        name = event.info.name
        if name not in ("NodeStart", "NodeFinished"):
            return
        info = event.data.node_info
        on_event("start" if name == "NodeStart" else "finish", info.unique_id, info.node_status)

    return callback


def _outcome(run_result: Any) -> DbtOutcome:
    response = run_result.adapter_response or {}
    rows = response.get("rows_affected") if isinstance(response, dict) else None
    return DbtOutcome(
        unique_id=run_result.node.unique_id,
        status=str(run_result.status),
        execution_time=float(run_result.execution_time or 0.0),
        message=run_result.message,
        rows_affected=rows if isinstance(rows, int) else None,
    )


def _failure(result: Any, headline: str) -> str:
    exception = getattr(result, "exception", None)
    return f"{headline}: {exception}" if exception else f"{headline} (see dbt's log)"
