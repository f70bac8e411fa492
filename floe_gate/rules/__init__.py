"""The gate's rules: one module each, whose docstring is its user documentation.

Each module defines ``ID`` (stable, e.g. ``FG201``), ``TITLE`` and
``check(context)`` yielding located ``Problem``s. ``docs/rules.md`` is kept in step
with these modules by a test.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType

from floe_gate.problems import Problem
from floe_gate.rules.context import Context


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    documentation: str
    check: Callable[[Context], Iterator[Problem]]


def all_rules() -> list[Rule]:
    """Every rule module of this package, ordered by id."""
    rules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("fg"):
            module: ModuleType = importlib.import_module(f"{__name__}.{info.name}")
            rules.append(Rule(module.ID, module.TITLE, module.__doc__ or "", module.check))
    return sorted(rules, key=lambda rule: rule.id)


def run_rules(context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for rule in all_rules():
        problems.extend(rule.check(context))
    return problems
