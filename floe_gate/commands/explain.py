"""``floe-gate explain PRODUCT[:TRANSFORM]``: the engine and the chain of files that chose it.

The whole repository is judged, so the product's own problems can be shown; problems
elsewhere are only counted and do not stop the explanation. Only a product that
cannot be resolved at all (unknown name, unknown domain) fails the command.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from floe_gate.exit_codes import ExitCode
from floe_gate.gate import Verdict, judge_working_tree
from floe_gate.load.repository import PRODUCT_FILE, ProductNode
from floe_gate.printable import printable_lines
from floe_gate.problems import Problem
from floe_gate.report import counts_sentence, summary
from floe_gate.report.errors import echo_error
from floe_gate.report.formats import emit_document
from floe_gate.resolve.engines import ResolvedProduct, ResolvedTransform, resolve_product
from floe_gate.resolve.hierarchy import Level, Origin, chain_text


class Unexplainable(Exception):
    """The subject cannot be explained: unknown product, transform or domain (exit 1)."""


@dataclass(frozen=True)
class Subject:
    product: str
    transform: str | None

    @classmethod
    def parse(cls, text: str) -> Subject:
        product, colon, transform = text.partition(":")
        if not product or (colon and not transform):
            raise click.BadParameter(
                f"{text!r}: expected PRODUCT or PRODUCT:TRANSFORM", param_hint="PRODUCT[:TRANSFORM]"
            )
        return cls(product, transform or None)


@dataclass(frozen=True)
class Explanation:
    product: ResolvedProduct
    transform: str | None
    """The transform asked for; None to explain the whole product."""
    transforms: tuple[ResolvedTransform, ...]
    problems: tuple[Problem, ...]
    """Problems of the product (or transform) and of the levels of its chain."""
    elsewhere: tuple[Problem, ...]

    def as_text(self) -> str:
        return render_text(self)

    def as_json(self) -> dict[str, Any]:
        return explanation_json(self)


@dataclass(frozen=True)
class _Failure:
    """Why nothing is explained: on stderr; in JSON, a document too, not nothing on stdout."""

    subject: str
    message: str
    problems: Sequence[Problem]

    def as_text(self) -> None:
        return None

    def as_json(self) -> dict[str, Any]:
        from floe_gate.observability import correlation_id

        return {
            "subject": self.subject,
            "error": self.message,
            "correlation_id": correlation_id(),
            "problems": summary(self.problems),
        }


def run_explain(repo: Path, manifest: str, subject_text: str, output_format: str) -> int:
    subject = Subject.parse(subject_text)
    judgement = judge_working_tree(repo, manifest)
    if judgement.cannot_judge is not None:
        _fail(judgement.cannot_judge, (), subject_text, output_format)
        return ExitCode.CANNOT_JUDGE
    verdict = judgement.verdict
    if verdict is None:
        message = f"cannot explain {subject_text}: {judgement.unusable}"
        _fail(message, judgement.problems, subject_text, output_format)
        return ExitCode.PROBLEMS
    try:
        explanation = explain(verdict, subject)
    except Unexplainable as error:
        _fail(str(error), verdict.problems, subject_text, output_format)
        return ExitCode.PROBLEMS
    emit_document(explanation, output_format)
    return ExitCode.OK


def _fail(message: str, problems: Sequence[Problem], subject: str, output_format: str) -> None:
    echo_error(message)
    if problems:
        click.echo(_problems_hint(problems, "in the repository"), err=True)
    emit_document(_Failure(subject, message, problems), output_format)


# --- finding what to explain -----------------------------------------------------------------


def explain(verdict: Verdict, subject: Subject) -> Explanation:
    """What ``subject`` runs on and why; ``Unexplainable`` if it cannot be resolved."""
    node = _find_product(verdict, subject.product)
    product = resolve_product(verdict.context.hierarchy, node)
    if product is None:
        raise Unexplainable(_unknown_domain(verdict, node))
    transforms = _find_transforms(product, subject.transform)
    concerned = _concerns(product, subject.transform)
    problems = tuple(p for p in verdict.problems if concerned(p))
    elsewhere = tuple(p for p in verdict.problems if not concerned(p))
    return Explanation(product, subject.transform, transforms, problems, elsewhere)


def _find_product(verdict: Verdict, name: str) -> ProductNode:
    products = verdict.repository.products
    found = [node for node in products if node.product.model.name == name]
    if len(found) > 1:
        files = ", ".join(node.product.file for node in found)
        raise Unexplainable(f"data product {name!r} is defined more than once: {files}")
    if not found:
        known = sorted({node.product.model.name for node in products})
        raise Unexplainable(
            f"no data product {name!r}{_did_you_mean(name, known)} "
            f"(known products: {_listing(known)}){_unreadable_products(verdict)}"
        )
    return found[0]


def _unreadable_products(verdict: Verdict) -> str:
    loaded = {node.product.file for node in verdict.repository.products}
    unreadable = sorted(
        {p.file for p in verdict.problems if posixpath.basename(p.file) == PRODUCT_FILE} - loaded
    )
    if not unreadable:
        return ""
    return f"; not readable, so not known: {', '.join(unreadable)}"


def _unknown_domain(verdict: Verdict, node: ProductNode) -> str:
    product = node.product
    domain = product.model.domain
    at = _at(Origin.of(product.document, ("domain",)))
    cannot = f"data product {product.model.name} cannot be resolved: its domain {domain!r} ({at})"
    broken = _broken_policy(verdict, domain)
    if broken is not None:
        return f"{cannot} is governed by an invalid policy, {broken}; run `floe-gate check`"
    known = verdict.context.hierarchy.known_domains()
    return (
        f"{cannot} has no policy under {verdict.repository.policy_root}/"
        f"{_did_you_mean(domain, known)} (known domains: {_listing(known)})"
    )


def _broken_policy(verdict: Verdict, domain: str) -> str | None:
    """The invalid policy file of ``domain`` or of the nearest domain above it, if any."""
    repository = verdict.repository
    domain = domain.strip("/")
    if domain not in repository.broken_policies and domain not in repository.policies:
        return None
    while domain:
        if domain in repository.broken_policies:
            return repository.broken_policies[domain]
        domain = posixpath.dirname(domain)
    return None


def _find_transforms(product: ResolvedProduct, name: str | None) -> tuple[ResolvedTransform, ...]:
    if name is None:
        return product.transforms
    found = tuple(t for t in product.transforms if t.name == name)
    if not found:
        known = [t.name for t in product.transforms]
        raise Unexplainable(
            f"data product {product.name} has no transform {name!r}{_did_you_mean(name, known)} "
            f"(its transforms: {_listing(known)})"
        )
    return found


def _concerns(product: ResolvedProduct, transform: str | None) -> Callable[[Problem], bool]:
    chain_files = {level.file for level in product.chain}
    subjects = {product.name} | ({f"{product.name}:{transform}"} if transform else set())

    def concerned(problem: Problem) -> bool:
        if problem.subject is None:
            return problem.file in chain_files
        if transform is None:
            return problem.subject.partition(":")[0] == product.name
        return problem.subject in subjects

    return concerned


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _listing(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "none"


# --- where values come from ------------------------------------------------------------------


def _at(origin: Origin) -> str:
    return f"{origin.file}:{origin.line}"


def _declared_default(chain: Sequence[Level]) -> Level:
    """The level whose ``default:`` the last level of ``chain`` uses."""
    origin = chain[-1].default_origin
    declared = (lv for lv in reversed(chain) if lv.default_declared and lv.default_origin == origin)
    return next(declared, chain[0])


def _own_compute(transform: ResolvedTransform) -> bool:
    return transform.transform is not None and transform.transform.compute is not None


def _engine_source(transform: ResolvedTransform) -> str:
    if _own_compute(transform):
        return f"its own compute: at {_at(transform.origin)}"
    return f"default of {_declared_default(transform.chain).label} at {_at(transform.origin)}"


def _approved(transform: ResolvedTransform) -> bool:
    return transform.engine in transform.chain[-1].approved


# --- text ------------------------------------------------------------------------------------


def render_text(explanation: Explanation) -> str:
    product = explanation.product
    if explanation.transform is None:
        lines = _product_header(product)
    else:
        lines = _transform_headers(explanation.transforms)
    lines += ["", *_chain_lines(product.chain)]
    if explanation.transform is None:
        lines += ["", *_transform_table(explanation.transforms)]
    lines += _problem_lines(explanation)
    return printable_lines(lines)


def _product_header(product: ResolvedProduct) -> list[str]:
    model = product.node.product.model
    default = _declared_default(product.chain)
    return [
        f"data product {model.name} ({product.node.product.file}), domain {model.domain}",
        f"  default engine: {product.level.default}, "
        f"from {default.label} at {_at(default.default_origin)}",
    ]


def _transform_headers(transforms: Sequence[ResolvedTransform]) -> list[str]:
    """One header per transform; more than one only when ``transforms:`` repeats a name."""
    lines = _transform_header(transforms[0])
    for transform in transforms[1:]:
        lines += ["", *_transform_header(transform)]
    return lines


def _transform_header(transform: ResolvedTransform) -> list[str]:
    lines = [
        f"{transform.product}:{transform.name} runs on {transform.engine}"
        + ("" if _approved(transform) else " (not approved here)"),
        f"  engine: {_engine_source(transform)}",
    ]
    if transform.index is None:
        lines.append("  transform: a model of the dbt project, not listed in transforms:")
    elif not _own_compute(transform):
        listed_at = Origin.of(transform.chain[-1].document, ("transforms", transform.index))
        lines.append(f"  transform: listed at {_at(listed_at)}, without compute:")
    return lines


def _chain_lines(chain: tuple[Level, ...]) -> list[str]:
    width = max(max(len(_engines(lv.approved)), len(lv.default)) for lv in chain)
    lines = [f"chain: {chain_text(chain)}"]
    for level in chain:
        lines += [
            f"  {level.label} ({level.file})",
            _value_line("approved", _engines(level.approved), width, level.approved_origin,
                        declared=level.approved_declared),
            _value_line("default", level.default, width, level.default_origin,
                        declared=level.default_declared),
        ]  # fmt: skip
    return lines


def _engines(names: Sequence[str]) -> str:
    return ", ".join(names)


def _value_line(name: str, value: str, width: int, origin: Origin, *, declared: bool) -> str:
    where = _at(origin) if declared else f"inherited from {_at(origin)}"
    return f"    {name + ':':<9} {value:<{width}}  {where}"


def _transform_table(transforms: Sequence[ResolvedTransform]) -> list[str]:
    if not transforms:
        return ["transforms: none (none listed, no models found in its dbt project)"]
    name_width = max(len(t.name) for t in transforms)
    engine_width = max(len(t.engine) for t in transforms)
    lines = ["transforms:"]
    for transform in transforms:
        notes = "" if transform.listed else " (not listed in transforms:)"
        notes += "" if _approved(transform) else " (not approved here)"
        lines.append(
            f"  {transform.name:<{name_width}}  {transform.engine:<{engine_width}}  "
            f"{_engine_source(transform)}{notes}"
        )
    return lines


def _problem_lines(explanation: Explanation) -> list[str]:
    lines: list[str] = []
    if explanation.problems:
        lines += ["", "problems:", *(f"  {p.as_text()}" for p in explanation.problems)]
    if explanation.elsewhere:
        lines += ["", _problems_hint(explanation.elsewhere, "elsewhere in the repository")]
    return lines


def _problems_hint(problems: Sequence[Problem], where: str) -> str:
    return (
        f"{len(problems)} problem(s) {where} ({counts_sentence(problems)}); "
        "run `floe-gate check` to see them"
    )


# --- JSON ------------------------------------------------------------------------------------


def explanation_json(explanation: Explanation) -> dict[str, Any]:
    product = explanation.product
    document: dict[str, Any] = {
        "product": product.name,
        "file": product.node.product.file,
        "domain": product.node.product.model.domain,
        "transform": explanation.transform,
        "chain": [_level_json(level) for level in product.chain],
        "transforms": [_transform_json(t) for t in explanation.transforms],
        "problems": [p.as_json() for p in explanation.problems],
        "elsewhere": summary(explanation.elsewhere),
    }
    return document


def _origin_json(origin: Origin) -> dict[str, Any]:
    return {"file": origin.file, "line": origin.line, "column": origin.column}


def _level_json(level: Level) -> dict[str, Any]:
    return {
        "kind": level.kind,
        "label": level.label,
        "file": level.file,
        "approved": {
            "value": list(level.approved),
            "declared": level.approved_declared,
            **_origin_json(level.approved_origin),
        },
        "default": {
            "value": level.default,
            "declared": level.default_declared,
            **_origin_json(level.default_origin),
        },
    }


def _transform_json(transform: ResolvedTransform) -> dict[str, Any]:
    own = _own_compute(transform)
    return {
        "name": transform.name,
        "engine": transform.engine,
        "approved": _approved(transform),
        "listed": transform.listed,
        "source": "compute" if own else "default",
        "default_of": None if own else _declared_default(transform.chain).label,
        **_origin_json(transform.origin),
    }
