"""Every rule has the same shape: a module of its own that imports no other rule."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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
