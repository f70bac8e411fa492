"""Applying waivers: a waived problem becomes a warning; unused waivers become notes.

A waiver of a rule in :data:`UNWAIVABLE` applies to nothing and is itself an error.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from floe_gate.config.models import Waiver, Waivers
from floe_gate.load.repository import Loaded
from floe_gate.problems import Problem, Severity, located
from floe_gate.resolve.hierarchy import Origin
from floe_gate.rules.fg401_literal_secret import ID as LITERAL_SECRET
from floe_gate.rules.fg403_template_in_value import ID as TEMPLATE_IN_VALUE
from floe_gate.rules.fg404_path_outside_work_directory import ID as PATH_OUTSIDE
from floe_gate.rules.fg501_expired_waiver import ID as EXPIRED_WAIVER

UNWAIVABLE = frozenset({LITERAL_SECRET, TEMPLATE_IN_VALUE, PATH_OUTSIDE, EXPIRED_WAIVER})
"""Rules no waiver applies to: a literal secret would ship into profiles.yml, a
template would be rendered by dbt (reading environment variables, running macros), a
path outside the work directory would be opened by dbt (``compute.allowed_paths`` is
the platform's way to allow one), and a waived expiry would make a waiver permanent."""


def apply_waivers(
    problems: list[Problem],
    waivers: Loaded[Waivers] | None,
    today: date,
    unjudged: frozenset[str] = frozenset(),
) -> list[Problem]:
    """``unjudged``: data products whose rules could not run (their domain does not
    resolve); a waiver for one matched nothing because nothing was judged, not because
    its problem is gone, so it is not called unused."""
    if waivers is None:
        return problems
    active = {
        i: w
        for i, w in enumerate(waivers.model.waivers)
        if w.expires >= today and w.rule not in UNWAIVABLE
    }
    used: set[int] = set()
    result = list(_forbidden(waivers))
    for problem in problems:
        waivable = problem.severity is Severity.ERROR and problem.rule not in UNWAIVABLE
        match = next((i for i, w in active.items() if waivable and _matches(w, problem)), None)
        if match is None:
            result.append(problem)
            continue
        used.add(match)
        waiver = active[match]
        result.append(
            dataclasses.replace(
                problem,
                severity=Severity.WARNING,
                waived=waiver.reason,
                message=f"{problem.message} [waived until {waiver.expires.isoformat()}: "
                f"{waiver.reason}]",
            )
        )
    for index, waiver in active.items():
        if index not in used and waiver.subject.split(":", 1)[0] not in unjudged:
            origin = Origin.of(waivers.document, ("waivers", index))
            message = f"waiver of {waiver.rule} for {waiver.subject} matches no problem; delete it"
            result.append(located(origin, EXPIRED_WAIVER, message, severity=Severity.NOTE))
    return result


def _forbidden(waivers: Loaded[Waivers]) -> list[Problem]:
    """An error at the ``rule`` of each waiver of a rule that cannot be waived."""
    return [
        located(
            Origin.of(waivers.document, ("waivers", index, "rule")),
            EXPIRED_WAIVER,
            f"{waiver.rule} cannot be waived; delete this waiver and fix the problem"
            + (" (remove the secret and rotate it)" if waiver.rule == LITERAL_SECRET else ""),
        )
        for index, waiver in enumerate(waivers.model.waivers)
        if waiver.rule in UNWAIVABLE
    ]


def _matches(waiver: Waiver, problem: Problem) -> bool:
    if waiver.rule != problem.rule:
        return False
    subjects = {problem.file, f"{problem.file}:{problem.line}"}
    if problem.subject:
        subjects |= {problem.subject, problem.subject.split(":", 1)[0]}
    return waiver.subject in subjects
