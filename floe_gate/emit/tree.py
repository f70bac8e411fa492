"""Keeping an artifact directory equal to the expected files, or saying how it differs.

``compile`` owns only part of ``--out``: the directory of each environment it
compiles, ``requirements-dbt.txt``, and, when it compiles every environment, any
other top-level directory holding a ``compiled.json`` (an environment the manifest
no longer has). Everything else there is neither written, removed nor reported,
so ``--out`` may sit inside a repository next to other files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "compiled.json"
"""A directory holding this file is an environment directory written by ``compile``."""


class NotOurs(Exception):
    """An environment directory to write already holds files ``compile`` did not write."""


class SymlinkBelowOut(NotOurs):
    """A symbolic link below ``--out`` where compile reads or writes: never followed.

    A committed ``artifacts/dev/revenue -> ~/.dbt`` would make compile overwrite the
    files it points to, and ``--check`` compare them.
    """


@dataclass(frozen=True)
class Difference:
    """Paths relative to ``--out``, sorted."""

    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return not (self.stale or self.missing or self.extra)


@dataclass(frozen=True)
class Written:
    written: list[str]
    unchanged: list[str]
    removed: list[str]


def stale_environments(out: Path, environments: Iterable[str]) -> list[str]:
    """Top-level directories of ``out`` written by ``compile`` for other environments."""
    if not out.is_dir():
        return []
    known = set(environments)
    return sorted(
        entry.name
        for entry in out.iterdir()
        if entry.is_dir() and entry.name not in known and (entry / MARKER).is_file()
    )


def compare(out: Path, expected: dict[str, bytes], owned: Iterable[str]) -> Difference:
    """How ``out`` differs from ``expected`` within the ``owned`` directories and files.

    ``SymlinkBelowOut`` if any path compile owns there is, or passes through, a symlink.
    """
    refuse_symlinks(out, owned, expected)
    present = set(existing_files(out, owned))
    stale = [path for path in expected if path in present and _read(out / path) != expected[path]]
    return Difference(
        stale=sorted(stale),
        missing=sorted(path for path in expected if path not in present),
        extra=sorted(present - set(expected)),
    )


def write(out: Path, expected: dict[str, bytes], owned: Iterable[str]) -> Written:
    """Make the owned part of ``out`` equal ``expected``; files already right stay untouched.

    ``NotOurs`` (before anything is written) when an owned environment directory
    holds files but no ``compiled.json``: its files would be removed as extra.
    """
    owned = list(owned)
    refuse_symlinks(out, owned, expected)
    _refuse_foreign(out, owned)
    difference = compare(out, expected, owned)
    before = _directories(out, owned)
    changed = sorted([*difference.stale, *difference.missing])
    made: set[str] = set(before)
    if changed:
        out.mkdir(parents=True, exist_ok=True)
    for path in changed:
        _make_parents(out, path, made)
        _write_file(out / path, expected[path])
    for path in difference.extra:
        (out / path).unlink()
    _remove_empty_directories(out, before, expected)
    unchanged = sorted(set(expected) - set(changed))
    return Written(written=changed, unchanged=unchanged, removed=difference.extra)


DBT_USER_FILE = ".user.yml"
"""dbt's anonymous usage id, written into the profiles directory of every dbt command
run with usage statistics on: dbt's file, so compile neither reports nor removes it."""


def existing_files(out: Path, owned: Iterable[str]) -> list[str]:
    """Files (and symbolic links) under the owned paths, relative to ``out``, sorted.

    dbt's ``.user.yml`` is left out wherever it is.
    """
    found: list[str] = []
    for name in owned:
        top = out / name
        if top.is_file() or top.is_symlink():
            found.append(name)
        elif top.is_dir():
            for directory, _, files in os.walk(top):
                relative = Path(directory).relative_to(out).as_posix()
                found.extend(f"{relative}/{file}" for file in files if file != DBT_USER_FILE)
    return sorted(found)


def refuse_symlinks(out: Path, owned: Iterable[str], expected: Iterable[str]) -> None:
    """``SymlinkBelowOut`` naming the first symlink at or below an owned path of ``out``."""
    for name in sorted({*owned, *(path.split("/", 1)[0] for path in expected)}):
        top = out / name
        if top.is_symlink():
            raise _symlink(top)
        if top.is_dir():
            for directory, subdirectories, files in os.walk(top):
                for entry in (*subdirectories, *files):
                    if os.path.islink(os.path.join(directory, entry)):
                        raise _symlink(Path(directory, entry))


def _symlink(path: Path) -> SymlinkBelowOut:
    return SymlinkBelowOut(
        f"{path} is a symbolic link; compile never follows one below --out "
        "(remove it, or choose another --out)"
    )


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _refuse_foreign(out: Path, owned: list[str]) -> None:
    for name in owned:
        directory = out / name
        if directory.is_dir() and not (directory / MARKER).is_file() and any(directory.iterdir()):
            raise NotOurs(
                f"{directory} holds files but no {MARKER}, so compile did not write it; "
                "refusing to replace its contents (choose another --out, or empty it)"
            )


def _make_parents(out: Path, path: str, made: set[str]) -> None:
    """Make the directories of ``path`` below ``out`` that ``made`` does not list, top down
    (one ``mkdir`` each: they are many, and on some file systems slow)."""
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        directory = "/".join(parts[:depth])
        if directory not in made:
            (out / directory).mkdir(parents=True, exist_ok=True)
            made.add(directory)


def _write_file(path: Path, content: bytes) -> None:
    """Write through a temporary file and a rename, so readers never see half a file."""
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _directories(out: Path, owned: Iterable[str]) -> list[str]:
    """The directories at and below the owned paths, relative to ``out``."""
    found: list[str] = []
    for name in owned:
        top = out / name
        if top.is_dir() and not top.is_symlink():
            for directory, _, _ in os.walk(top):
                found.append(Path(directory).relative_to(out).as_posix())
    return found


def _remove_empty_directories(out: Path, before: list[str], kept: Iterable[str]) -> None:
    """Remove the directories listed ``before`` writing that now hold none of the ``kept``
    files (the owned part of ``out`` holds exactly those after a write), deepest first."""
    holding: set[str] = set()
    for path in kept:
        parent = path.rpartition("/")[0]
        while parent and parent not in holding:
            holding.add(parent)
            parent = parent.rpartition("/")[0]
    for directory in sorted(before, key=len, reverse=True):
        if directory not in holding:
            try:
                (out / directory).rmdir()
            except OSError:
                continue  # something else put a file there meanwhile: it stays
