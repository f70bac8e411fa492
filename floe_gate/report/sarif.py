"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Deterministic: rules sorted by id, results in problem order (file, line, column,
rule), keys sorted. Each result carries a ``partialFingerprints["floeGate/v1"]``
built from its rule, file and message with line numbers taken out, so that an
alert survives lines moving above it; duplicates get an occurrence suffix.

A problem on another branch (parity's, ``problem.ref``) must not land on the pull
request's file of that name, and GitHub refuses a whole upload with a result that
has no artifact location: its location is the URI ``floe-gate-ref:BRANCH/FILE``
(the branch percent-encoded, ``origin%2Fprod``)
(no ``uriBaseId``: not a file of the checkout), with the line and column in that
branch's file, its message starts with ``BRANCH:FILE:LINE:COL``, and its properties
carry ``ref``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from collections import Counter
from collections.abc import Sequence
from importlib import metadata
from urllib.parse import quote

from floe_gate import __version__
from floe_gate.problems import Problem, Severity
from floe_gate.report import RuleInfo, summary

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT = "floeGate/v1"
SRCROOT = "%SRCROOT%"
REF_SCHEME = "floe-gate-ref"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
_POSITIONS = (
    re.compile(r"\b(line|column|col)\s+\d+", re.IGNORECASE),  # "line 12", "column 3"
    re.compile(r"(?<=\S):\d+(?::\d+)?\b"),  # "floe.yaml:12:3"
)

Json = dict[str, object]


def render(
    problems: Sequence[Problem],
    rules: Sequence[RuleInfo],
    *,
    correlation_id: str,
    elsewhere: Sequence[Problem] = (),
) -> str:
    return json.dumps(
        log(problems, rules, correlation_id=correlation_id, elsewhere=elsewhere),
        indent=2,
        ensure_ascii=False,
        sort_keys=True,
    )


def log(
    problems: Sequence[Problem],
    rules: Sequence[RuleInfo],
    *,
    correlation_id: str,
    elsewhere: Sequence[Problem] = (),
) -> Json:
    """The SARIF log: one run of floe-gate."""
    descriptors = _complete(rules, problems)
    index = {rule.id: position for position, rule in enumerate(descriptors)}
    run: Json = {
        "tool": {"driver": _driver(descriptors)},
        "columnKind": "unicodeCodePoints",
        "results": _results(problems, index, correlation_id),
        "properties": {
            "correlationId": correlation_id,
            "summary": summary(problems),
            "elsewhere": summary(elsewhere),
        },
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def fingerprint(problem: Problem) -> str:
    """A hash of rule, file and message without positions (stable across line shifts)."""
    message = problem.message
    for pattern in _POSITIONS:
        message = pattern.sub(lambda match: match.group(1) if match.lastindex else "", message)
    material = "\0".join((problem.rule, problem.file, message))
    if problem.ref is not None:
        material += f"\0{problem.ref}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _complete(rules: Sequence[RuleInfo], problems: Sequence[Problem]) -> list[RuleInfo]:
    """The check's rules plus any rule id a problem names that none of them has."""
    known = {rule.id: rule for rule in rules}
    for problem in problems:
        known.setdefault(problem.rule, RuleInfo(problem.rule, problem.rule))
    return sorted(known.values(), key=lambda rule: rule.id)


def _driver(rules: Sequence[RuleInfo]) -> Json:
    driver: Json = {
        "name": "floe-gate",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_descriptor(rule) for rule in rules],
    }
    uri = _information_uri()
    if uri:
        driver["informationUri"] = uri
    return driver


def _descriptor(rule: RuleInfo) -> Json:
    text = inspect.cleandoc(rule.documentation) or rule.title
    markdown = rule.markdown or text
    return {
        "id": rule.id,
        "name": _pascal(rule.title) or rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": " ".join(markdown.partition("\n\n")[0].split())},
        "help": {"text": text, "markdown": markdown},
    }


def _pascal(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _results(problems: Sequence[Problem], index: dict[str, int], correlation_id: str) -> list[Json]:
    seen: Counter[str] = Counter()
    results = []
    for problem in sorted(problems):
        base = fingerprint(problem)
        seen[base] += 1
        result = _result(problem, index[problem.rule], f"{base}:{seen[base]}")
        result["properties"] = {"correlationId": correlation_id}
        if problem.ref is not None:
            result["properties"] = {"correlationId": correlation_id, "ref": problem.ref}
        results.append(result)
    return results


def _result(problem: Problem, rule_index: int, fingerprint_value: str) -> Json:
    result: Json = {
        "ruleId": problem.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[problem.severity],
        "message": {"text": _message(problem)},
        "locations": [{"physicalLocation": _physical_location(problem)}],
        "partialFingerprints": {FINGERPRINT: fingerprint_value},
    }
    if problem.waived is not None:  # a waiver in the repository: suppressed outside the code
        result["suppressions"] = [{"kind": "external", "justification": problem.waived}]
    return result


def _message(problem: Problem) -> str:
    return problem.message if problem.ref is None else f"{problem.location()}: {problem.message}"


def _physical_location(problem: Problem) -> Json:
    location: Json = {"artifactLocation": _artifact(problem)}
    if problem.line >= 1:
        region: Json = {"startLine": problem.line}
        if problem.column >= 1:
            region["startColumn"] = problem.column
        location["region"] = region
    return location


def _artifact(problem: Problem) -> Json:
    """The checkout's file, or for a problem on another branch a URI that names the branch."""
    if problem.ref is None:
        return {"uri": artifact_uri(problem.file), "uriBaseId": SRCROOT}
    branch = quote(problem.ref, safe="")  # origin%2Fprod: where the branch's name ends
    return {"uri": f"{REF_SCHEME}:{branch}/{artifact_uri(problem.file)}"}


def artifact_uri(file: str) -> str:
    """A repository-relative path as a relative URI reference (percent-encoded, ``/``-separated)."""
    relative = file.replace("\\", "/").lstrip("/")
    return quote(relative, safe="/-._~!$&'()*+=@")


def _information_uri() -> str | None:
    """The distribution's home page, when its metadata names one."""
    try:
        meta = metadata.metadata("floe-gate")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "documentation", "source"}:
            return str(url).strip()
    home = meta.get_all("Home-page") or []
    return str(home[0]).strip() if home else None


def emit_problems(shown: list[Problem], elsewhere: list[Problem]) -> None:
    """The SARIF log on stdout, alone; counts on stderr."""
    import click

    from floe_gate.observability import correlation_id
    from floe_gate.report import rule_catalogue, text

    click.echo(
        render(shown, rule_catalogue(), correlation_id=correlation_id(), elsewhere=elsewhere)
    )
    text.echo_counts(shown, elsewhere)
