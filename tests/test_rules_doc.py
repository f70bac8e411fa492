"""docs/rules.md is generated from the rule modules, and cannot drift from them."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import floe_gate.rules
from floe_gate.rules import all_rules, documented_rules, parity_rules, rules_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
REGENERATE = (
    'docs/rules.md is stale; regenerate it with: python -c "from floe_gate.rules import '
    "rules_markdown as m; print(m(), end='')\" > docs/rules.md"
)


def test_docs_rules_md_is_what_the_modules_produce() -> None:
    assert DOC.read_text(encoding="utf-8") == rules_markdown(), REGENERATE


def test_rule_ids_are_unique_and_well_formed() -> None:
    ids = [rule.id for rule in documented_rules()]
    assert ids, "no rule found"
    assert len(ids) == len(set(ids)), ids
    assert all(re.fullmatch(r"FG\d{3}", rule_id) for rule_id in ids), ids
    assert ids == sorted(ids)


def test_every_rule_module_is_a_rule_named_after_its_id() -> None:
    modules = [info.name for info in pkgutil.iter_modules(floe_gate.rules.__path__)]
    rule_modules = sorted(name for name in modules if name.startswith("fg"))
    assert [rule.id.lower() for rule in all_rules()] == [name[:5] for name in rule_modules]
    for name in rule_modules:
        module = importlib.import_module(f"floe_gate.rules.{name}")
        assert re.fullmatch(r"fg\d{3}_[a-z0-9_]+", name), name
        assert module.TITLE, name
        assert module.TITLE.strip() == module.TITLE, name
        doc = module.__doc__ or ""
        assert doc.startswith(f"{module.ID} — "), f"{name}: the docstring starts with its id"
        assert len(doc.splitlines()) > 2, f"{name}: the docstring documents the rule"


def test_every_rule_is_in_the_document_with_its_title_and_documentation() -> None:
    text = DOC.read_text(encoding="utf-8")
    for rule in documented_rules():
        assert f"\n## {rule.id} — {rule.title}\n" in text
        assert f"| [{rule.id}](#" in text
        last_line = rule.documentation.strip().splitlines()[-1].strip().replace("``", "`")
        assert last_line in text, (rule.id, last_line)


def test_parity_rules_are_documented_like_check_rules() -> None:
    parity = [rule for rule in documented_rules() if rule.id.startswith("FG6")]
    assert [rule.id for rule in parity] == [rule.id for rule in parity_rules()]
    assert {"FG601", "FG606"} <= {rule.id for rule in parity}  # drift, and --strict's
    for rule in parity:
        assert rule.documentation.startswith(f"{rule.id} — "), rule.id
        assert rule.title.strip() == rule.title
