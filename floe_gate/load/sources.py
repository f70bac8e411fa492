"""Where configuration files come from: the working tree (here) or git objects (parity)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Protocol

SPAWNED: list[tuple[str, ...]] = []
"""Every git command line floe_gate.load started, in order (for tests and diagnostics)."""


class CannotJudge(Exception):
    """The run cannot be judged at all (exit 2): no repository, no manifest, bad usage."""


class FileSource(Protocol):
    """Repository-relative POSIX paths and their bytes."""

    def files(self) -> list[str]: ...

    def read(self, path: str) -> bytes: ...


class WorkingTree:
    """Files git knows or would add (tracked and untracked, minus what git ignores)."""

    def __init__(self, directory: Path) -> None:
        self.root = _toplevel(directory)

    def files(self) -> list[str]:
        listed = git(self.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        names = {name for name in listed.split("\0") if name}
        root = str(self.root)  # os.path: a stat per file, without a Path object per file
        return sorted(name for name in names if os.path.isfile(os.path.join(root, name)))

    def read(self, path: str) -> bytes:
        return (self.root / path).read_bytes()


def _toplevel(directory: Path) -> Path:
    try:
        return Path(git(directory, "rev-parse", "--show-toplevel").strip())
    except CannotJudge as error:
        raise CannotJudge(f"{directory} is not inside a git repository: {error}") from None


def git(directory: Path, *args: str, check: bool = True) -> str:
    """Run ``git -C DIRECTORY ARGS…`` (no shell); its stdout, or ``CannotJudge`` on failure.

    Without ``check``, a failing git command gives an empty string instead.
    """
    command = ("git", "-C", str(directory), *args)
    SPAWNED.append(command)
    try:
        done = subprocess.run(
            command, capture_output=True, check=False, text=True,
            encoding="utf-8", errors="surrogateescape",
        )  # fmt: skip
    except OSError as error:
        raise CannotJudge(f"cannot run git: {error}") from None
    if check and done.returncode != 0:
        raise CannotJudge(done.stderr.strip() or f"git {args[0]} failed")
    return done.stdout if done.returncode == 0 else ""
