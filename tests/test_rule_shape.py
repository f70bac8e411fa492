"""Every rule, ``check``'s and ``parity``'s, has the same shape: a module of its own
(``ID``, ``TITLE``, ``check``, its docstring the documentation), discovered once, that
builds its problems with ``located`` and imports no other rule."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

from floe_gate.rules import RULE_PACKAGES, all_rules, discover, documented_rules, parity_rules

PACKAGE = Path(__file__).resolve().parent.parent / "floe_gate"
RULE_MODULE = re.compile(r"fg\d{3}_[a-z0-9_]+")


def rule_files() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("fg*.py") if RULE_MODULE.fullmatch(path.stem))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_rules_are_found() -> None:
    assert len(rule_files()) > 20


def test_no_rule_imports_another_rule() -> None:
    for path in rule_files():
        others = {
            name
            for name in imported_modules(path)
            if any(RULE_MODULE.fullmatch(part) for part in name.split("."))
        }
        assert not others, f"{path.name} imports {sorted(others)}: share it through Context"


def test_rule_ids_are_written_only_in_their_rule_modules() -> None:
    rules = set(rule_files())
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in rules:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if literal and re.fullmatch(r"FG\d{3}", node.value):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value}")
    assert not found, f"import the rule module's ID instead: {found}"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def test_every_rule_module_is_discovered_once_with_the_id_it_is_named_after() -> None:
    modules = [module_name(path) for path in rule_files()]
    assert {name.rpartition(".")[0] for name in modules} == set(RULE_PACKAGES)
    discovered = [rule.id for package in RULE_PACKAGES for rule in discover(package)]
    assert len(discovered) == len(set(discovered)) == len(modules), discovered
    assert sorted(discovered) == sorted(name.rpartition(".")[2][:5].upper() for name in modules)
    assert [rule.id for rule in documented_rules()] == sorted(discovered)
    for name in modules:
        module = importlib.import_module(name)
        assert name.rpartition(".")[2][:5].upper() == module.ID, name
        assert callable(module.check), name
        assert not hasattr(module, "RULE"), f"{name}: a rule's id is its ID"
        assert (module.__doc__ or "").startswith(f"{module.ID} — "), name


def test_parity_rules_judge_a_parity_context_and_check_rules_a_context() -> None:
    for rules, context in ((all_rules(), "Context"), (parity_rules(), "ParityContext")):
        assert rules
        for rule in rules:
            parameters = list(inspect.signature(rule.check).parameters.values())
            assert [p.annotation for p in parameters] == [context], rule.id
    assert all(rule.id.startswith("FG6") for rule in parity_rules())
    assert not any(rule.id.startswith("FG6") for rule in all_rules())


def test_rules_build_their_problems_with_located() -> None:
    for path in rule_files():
        calls = [
            node.lineno
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Problem"
        ]
        assert not calls, f"{path.name}:{calls}: build the problem with located(origin, ID, …)"
