"""Formatters: problems in, text out. A new format touches no rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from floe_gate.problems import Problem, Severity


def summary(problems: Sequence[Problem]) -> dict[str, int]:
    counts = Counter(problem.severity for problem in problems)
    return {
        "errors": counts[Severity.ERROR],
        "warnings": counts[Severity.WARNING],
        "notes": counts[Severity.NOTE],
    }


def counts_sentence(problems: Sequence[Problem], *, strong: Callable[[str], str] = str) -> str:
    """``N error(s), N warning(s), N note(s)``; ``strong`` marks up the errors' part."""
    counts = summary(problems)
    errors = strong(f"{counts['errors']} error(s)")
    return f"{errors}, {counts['warnings']} warning(s), {counts['notes']} note(s)"


@dataclass(frozen=True)
class RuleInfo:
    """A rule as reports describe it: ``documentation`` is its module's docstring."""

    id: str
    title: str
    documentation: str = ""
    markdown: str = ""
    """The documentation as Markdown (as ``docs/rules.md`` shows it)."""


def rule_catalogue() -> list[RuleInfo]:
    """Every rule of the check, ordered by id (imports the rule modules)."""
    from floe_gate.rules import documentation_markdown, documented_rules

    return [
        RuleInfo(rule.id, rule.title, rule.documentation, documentation_markdown(rule))
        for rule in documented_rules()
    ]
