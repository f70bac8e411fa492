"""Formatters: problems in, text out. A new format touches no rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from floe_gate.problems import Problem, Severity


def summary(problems: Sequence[Problem]) -> dict[str, int]:
    counts = Counter(problem.severity for problem in problems)
    return {
        "errors": counts[Severity.ERROR],
        "warnings": counts[Severity.WARNING],
        "notes": counts[Severity.NOTE],
    }
