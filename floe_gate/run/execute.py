"""Running one product's stages: skip what a failure upstream makes pointless, build the rest."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from floe_gate.run.dbt import (
    DbtFailed,
    DbtInvocation,
    DbtOutcome,
    NodeEvent,
    ParsedProject,
    build,
    stage_selection,
)
from floe_gate.run.graph import DbtGraph, Node
from floe_gate.run.handoff import Crossing, HandoffFailed, Handoffs
from floe_gate.run.results import NodeResult, ProductRun, StageResult
from floe_gate.run.stages import Stage


@dataclass
class StageRunner:
    """Runs a product's stages in order, noting each node's result in ``run``."""

    run: ProductRun
    project: DbtInvocation
    parsed_for: Callable[[str], ParsedProject]
    """The project parsed for an engine's target (dbt loads that adapter's macros)."""
    engines: Mapping[str, str]
    on_event: NodeEvent
    graph: DbtGraph
    handoffs: Handoffs | None = None
    crossings: list[Crossing] = field(default_factory=list)

    def run_whole(self, engine: str, selection: list[str]) -> None:
        """One ``dbt build`` on ``engine`` of what ``selection`` selects: no node list.

        A product whose nodes all run on one engine needs no stages: dbt selects,
        orders and tests exactly as plain ``dbt build`` does.
        """
        started = time.perf_counter()
        stage = Stage(0, engine, ())
        try:
            parsed = self.parsed_for(engine)
            outcomes = build(self.project, parsed, engine, selection, self.on_event)
        except DbtFailed as error:
            self.run.error = str(error)
            return
        for outcome in outcomes:
            self._record(stage, outcome, parsed.graph)
        built = parsed.graph.built()
        nodes = tuple(sorted(o.unique_id for o in outcomes if o.unique_id in built))
        self.run.stages.append(StageResult(0, engine, nodes, time.perf_counter() - started))

    def run_stages(self, stages: list[Stage]) -> None:
        for stage in stages:
            blocked = self._blocked(stage, self.graph)
            started = time.perf_counter()
            runnable = self._handed_off(stage, [uid for uid in stage.nodes if uid not in blocked])
            if runnable:
                self._build(stage, runnable)
            self.run.stages.append(
                StageResult(stage.index, stage.engine, stage.nodes, time.perf_counter() - started)
            )

    def _blocked(self, stage: Stage, graph: DbtGraph) -> dict[str, str]:
        """Nodes of ``stage`` downstream of a failure in an earlier stage → why skipped."""
        failed = self._did_not_succeed(graph)
        blocked: dict[str, str] = {}
        for uid in stage.nodes:
            upstream = sorted(graph.ancestors(uid) & failed)
            if upstream:
                blocked[uid] = f"skipped: upstream {', '.join(upstream)} did not succeed"
                self._note(stage, uid, "skipped", 0.0, blocked[uid], graph)
        return blocked

    def note_tests_across_engines(self, built: set[str]) -> None:
        """Tests whose parents run on different engines: no engine sees all of them.

        Each stage selects tests cautiously (all parents in the stage), so dbt never
        runs these; they are reported ``not run`` rather than left out silently.
        """
        last = self.run.stages[-1] if self.run.stages else None
        for uid, node in sorted(self.graph.nodes.items()):
            parents = [parent for parent in node.parents if parent in built]
            engines = sorted({self.engines[parent] for parent in parents})
            if node.resource_type != "test" or len(engines) < 2 or last is None:
                continue
            names = ", ".join(
                f"{self.graph.nodes[p].name} ({self.engines[p]})" for p in sorted(parents)
            )
            self.run.results.append(
                NodeResult(
                    product=self.run.name, unique_id=uid, name=node.selector,
                    resource_type="test", engine=" + ".join(engines), stage=last.index,
                    status="not run", duration_seconds=0.0,
                    message=f"not run: it tests {names}, and no one engine sees them all",
                    tests=node.parents,
                )
            )  # fmt: skip

    def note_disabled(self, listed: set[str], disabled: Mapping[str, Node]) -> None:
        """Listed transforms whose model dbt disables: reported, never silently absent."""
        for uid, node in sorted(disabled.items()):
            if node.selector not in listed and node.name not in listed:
                continue
            self.run.results.append(
                NodeResult(
                    product=self.run.name, unique_id=uid, name=node.selector,
                    resource_type="model", engine=self.engines.get(uid, "-"), stage=0,
                    status="disabled", duration_seconds=0.0,
                    message=(
                        f"disabled: {node.selector} is a transform of the product but "
                        "dbt disables its model (enabled: false); enable it or remove it "
                        "from transforms:"
                    ),
                )
            )  # fmt: skip

    def _handed_off(self, stage: Stage, nodes: list[str]) -> list[str]:
        """``nodes`` whose upstream data from other engines is now readable here."""
        ready = []
        for uid in nodes:
            try:
                for crossing in (c for c in self.crossings if c.child == uid):
                    if self.handoffs is not None:
                        self.handoffs.prepare(crossing)
            except HandoffFailed as error:
                self._note(stage, uid, "error", 0.0, str(error), self.graph)
                continue
            ready.append(uid)
        return ready

    def _did_not_succeed(self, graph: DbtGraph) -> set[str]:
        """Nodes that failed or were skipped, and those a failed test tested."""
        failed = set()
        for result in self.run.results:
            if not result.failed:
                continue
            failed.add(result.unique_id)
            node = graph.nodes.get(result.unique_id)
            if node is not None and node.resource_type == "test":
                failed.update(node.parents)
        return failed

    def _build(self, stage: Stage, nodes: list[str]) -> None:
        try:
            parsed = self.parsed_for(stage.engine)
            selection = stage_selection(parsed, nodes, f"stage{stage.index}")
            outcomes = build(self.project, parsed, stage.engine, selection, self.on_event)
        except DbtFailed as error:
            for uid in nodes:
                self._note(stage, uid, "error", 0.0, str(error), self.graph)
            return
        for outcome in outcomes:
            self._record(stage, outcome, parsed.graph)

    def _record(self, stage: Stage, outcome: DbtOutcome, graph: DbtGraph) -> None:
        self._note(
            stage, outcome.unique_id, outcome.status, outcome.execution_time, outcome.message,
            graph, rows=outcome.rows_affected,
        )  # fmt: skip

    def _note(  # noqa: PLR0917 - one value per field
        self,
        stage: Stage,
        uid: str,
        status: str,
        seconds: float,
        message: str | None,
        graph: DbtGraph,
        rows: int | None = None,
    ) -> None:
        node = graph.nodes.get(uid)
        self.run.results.append(
            NodeResult(
                product=self.run.name,
                unique_id=uid,
                name=node.selector if node else uid,
                resource_type=node.resource_type if node else uid.split(".", maxsplit=1)[0],
                engine=self.engines.get(uid, stage.engine),
                stage=stage.index,
                status=status,
                duration_seconds=seconds,
                message=message,
                rows_affected=rows,
                tests=node.parents if node and node.resource_type == "test" else (),
            )
        )
