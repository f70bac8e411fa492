"""``floe-gate schema``: JSON Schemas of the configuration files, for editors.

The schemas are generated from the pydantic models the gate validates with
(``floe_gate.config.models``), so an editor and the gate agree on every key. Output
is deterministic: sorted keys, two-space indentation, a trailing newline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel

from floe_gate.config.models import DataProduct, Manifest, Policy, Waivers
from floe_gate.exit_codes import ExitCode
from floe_gate.report.errors import echo_error

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_PREFIX = "urn:floe-gate:schema:floe-v1:"

SCHEMAS: dict[str, type[BaseModel]] = {
    "data-product.schema.json": DataProduct,
    "manifest.schema.json": Manifest,
    "policy.schema.json": Policy,
    "waivers.schema.json": Waivers,
}
"""File name → the model of the configuration file it describes."""


def schema_of(file_name: str) -> dict[str, Any]:
    """The JSON Schema written to ``file_name``, with its dialect and id."""
    schema = SCHEMAS[file_name].model_json_schema(by_alias=True)
    stem = file_name.removesuffix(".schema.json")
    return {"$schema": DIALECT, "$id": ID_PREFIX + stem, **schema}


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """File name → its content, for every schema."""
    return {name: render(schema_of(name)) for name in sorted(SCHEMAS)}


def run_schema(out_dir: Path | None, check: bool) -> int:
    if out_dir is None:
        if check:
            raise click.UsageError("--check needs --out DIR (the committed schemas)")
        click.echo(render({name: schema_of(name) for name in sorted(SCHEMAS)}), nl=False)
        return ExitCode.OK
    return _check(out_dir) if check else _write(out_dir)


def _write(out_dir: Path) -> int:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, content in generate().items():
            (out_dir / name).write_bytes(content.encode())
    except OSError as error:
        echo_error(f"cannot write {out_dir}: {error.strerror or error}")
        return ExitCode.CANNOT_JUDGE
    return ExitCode.OK


def _check(out_dir: Path) -> int:
    generated = generate().items()
    stale = [name for name, content in generated if _read(out_dir / name) != content.encode()]
    for name in stale:
        click.echo(f"{out_dir / name}: stale or missing; run `floe-gate schema --out {out_dir}`")
    return ExitCode.PROBLEMS if stale else ExitCode.OK


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
