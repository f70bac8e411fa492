"""Where configuration files come from: the working tree (here) or git objects (parity).

Both read only regular files, the way git stores them: a symbolic link is never
followed (git keeps the link, not what it points to; a link out of the repository
would read a file no review saw), and a FIFO or device is never opened (a link to
``/proc/kmsg`` hung ``check``). What is left out is reported by ``skipped()``, so that
the files that matter become located problems instead of vanishing.
"""

from __future__ import annotations

import os
import stat
import subprocess
from functools import cached_property
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

    def size(self, path: str) -> int:
        """The size of ``path`` in bytes, known without reading it."""
        ...

    def skipped(self) -> dict[str, str]:
        """Paths listed but not read (symlinks, non-regular files), each with why."""
        ...


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class WorkingTree:
    """Files git knows or would add (tracked and untracked, minus what git ignores)."""

    def __init__(self, directory: Path) -> None:
        self.root = _toplevel(directory)
        self._skipped: dict[str, str] = {}

    def files(self) -> list[str]:
        listed = git(self.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        names = {name for name in listed.split("\0") if name}
        root = str(self.root)
        regular: list[str] = []
        for directory, members in _by_directory(names).items():
            entries = _entries(os.path.join(root, directory) if directory else root)
            for name in members:
                mode = _mode(root, name, entries.get(name.rpartition("/")[2]))
                if mode is None:
                    continue  # deleted since git listed it
                if stat.S_ISREG(mode):
                    regular.append(name)
                else:
                    self._skipped[name] = _why_not_read(root, name, mode)
        return sorted(regular)

    @cached_property
    def _root(self) -> str:
        return str(self.root)

    @cached_property
    def _prefix(self) -> str:
        return self._root if self._root.endswith("/") else self._root + "/"

    def _path(self, path: str) -> str:
        """``os.path.join(root, path)``, without its generality: called for every file."""
        return path if path.startswith("/") else self._prefix + path

    def read(self, path: str) -> bytes:
        """The bytes of a regular file; ``OSError`` for a symlink or anything else."""
        descriptor = os.open(self._path(path), _READ_FLAGS)
        try:  # os.read, not a file object: check reads thousands of small model files
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                raise OSError(f"{path} is not a regular file")
            data = os.read(descriptor, status.st_size + 1)
            if len(data) <= status.st_size:
                return data  # all of it: a short read at the end of a regular file
            chunks = [data]  # the file grew since fstat
            while chunks[-1]:
                chunks.append(os.read(descriptor, 1 << 20))
            return b"".join(chunks)
        finally:
            os.close(descriptor)

    def size(self, path: str) -> int:
        return os.lstat(self._path(path)).st_size

    def skipped(self) -> dict[str, str]:
        return dict(self._skipped)


def _by_directory(names: set[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name in names:
        grouped.setdefault(name.rpartition("/")[0], []).append(name)
    return grouped


def _entries(directory: str) -> dict[str, os.DirEntry[str]]:
    """A directory's entries by name, for the kind of each without an ``lstat`` per file
    (``readdir`` tells it; thousands of stat results cost more than the listing)."""
    try:
        with os.scandir(directory) as listing:
            return {entry.name: entry for entry in listing}
    except OSError:
        return {}


def _mode(root: str, name: str, entry: os.DirEntry[str] | None) -> int | None:
    """The file type bits of ``name`` as ``lstat`` gives them (a link is not followed); None
    if it is gone."""
    try:
        if entry is None:  # not listed there (a name git gives with a trailing /, say)
            return os.lstat(os.path.join(root, name)).st_mode
        if entry.is_file(follow_symlinks=False):
            return stat.S_IFREG
        return entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return None


def _why_not_read(root: str, name: str, mode: int) -> str:
    if not stat.S_ISLNK(mode):
        return "not a regular file (a FIFO, device or socket); never opened"
    target = os.path.realpath(os.path.join(root, name))
    inside = os.path.commonpath([os.path.realpath(root), target]) == os.path.realpath(root)
    where = "inside the repository" if inside else "out of the repository"
    return f"a symbolic link {where}; floe-gate follows none (commit the file itself)"


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
