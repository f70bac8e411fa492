"""Keeping an artifact directory equal to the expected files, or saying how it differs.

``compile`` owns only part of ``--out``: the directory of each environment it
compiles, ``requirements-dbt.txt``, and, when it compiles every environment, any
other top-level directory holding a ``compiled.json`` (an environment the manifest
no longer has). Everything else there is neither written, removed nor reported,
so ``--out`` may sit inside a repository next to other files.
"""

from __future__ import annotations

import contextlib
import os
import stat
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
    return _difference(out, expected, _scan(out, owned, expected))


def write(out: Path, expected: dict[str, bytes], owned: Iterable[str]) -> Written:
    """Make the owned part of ``out`` equal ``expected``; files already right stay untouched.

    ``NotOurs`` (before anything is written) when an owned environment directory
    holds files but no ``compiled.json``: its files would be removed as extra.

    A changed file is replaced through a temporary file and a rename, so a reader sees
    the old content or the new. A missing file that one ``write`` fills (every
    ``profiles.yml``) is created in place, never over anything (``O_EXCL``): a reader
    sees no file, an empty one or all of it. (A first compile makes thousands; the
    temporary file and the rename doubled the directory updates.)
    """
    owned = list(owned)
    listing = _scan(out, owned, expected)
    _refuse_foreign(out, owned)
    difference = _difference(out, expected, listing)
    stale = set(difference.stale)
    changed = sorted([*difference.stale, *difference.missing])
    made = set(listing.directories)
    if changed:
        out.mkdir(parents=True, exist_ok=True)
    for path in changed:
        _make_parents(out, path, made)
        target = os.path.join(out, path)
        if path in stale or not _create(target, expected[path]):
            _replace(target, expected[path])
    for path in difference.extra:
        os.unlink(os.path.join(out, path))
    _remove_empty_directories(out, listing.directories, expected)
    unchanged = sorted(set(expected) - set(changed))
    return Written(written=changed, unchanged=unchanged, removed=difference.extra)


DBT_USER_FILE = ".user.yml"
"""dbt's anonymous usage id, written into the profiles directory of every dbt command
run with usage statistics on: dbt's file, so compile neither reports nor removes it."""


@dataclass(frozen=True)
class _Listing:
    """What the owned part of ``out`` holds, relative to ``out``."""

    files: list[str]
    """Files (and anything else that is not a directory), sorted; dbt's ``.user.yml``
    is left out wherever it is."""
    directories: list[str]
    """Top down: each directory after the one holding it."""


def _scan(out: Path, owned: Iterable[str], expected: Iterable[str]) -> _Listing:
    """One walk of the owned paths (and those ``expected`` is under), from the
    directory entries' types: ``SymlinkBelowOut`` names the first symlink met."""
    owned = set(owned)
    files: list[str] = []
    directories: list[str] = []
    for name in sorted({*owned, *(path.split("/", 1)[0] for path in expected)}):
        top = os.path.join(out, name)
        try:
            mode = os.lstat(top).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            raise _symlink(Path(top))
        if name not in owned:
            if stat.S_ISDIR(mode):
                _walk(top, name, [], [])
        elif stat.S_ISDIR(mode):
            directories.append(name)
            _walk(top, name, files, directories)
        else:
            files.append(name)
    return _Listing(sorted(files), directories)


def _walk(top: str, relative: str, files: list[str], directories: list[str]) -> None:
    """Add what ``top`` holds, at every depth, to ``files`` and ``directories``."""
    pending = [(top, relative)]
    while pending:
        directory, name = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                path = f"{name}/{entry.name}"
                if entry.is_symlink():
                    raise _symlink(Path(entry.path))
                if entry.is_dir(follow_symlinks=False):
                    directories.append(path)
                    pending.append((entry.path, path))
                elif entry.name != DBT_USER_FILE:
                    files.append(path)


def _difference(out: Path, expected: dict[str, bytes], listing: _Listing) -> Difference:
    present = set(listing.files)
    stale = [
        path
        for path in expected
        if path in present and not _holds(os.path.join(out, path), expected[path])
    ]
    return Difference(
        stale=sorted(stale),
        missing=sorted(path for path in expected if path not in present),
        extra=sorted(present - set(expected)),
    )


def _symlink(path: Path) -> SymlinkBelowOut:
    return SymlinkBelowOut(
        f"{path} is a symbolic link; compile never follows one below --out "
        "(remove it, or choose another --out)"
    )


_ANY = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _ANY
"""Never through a symlink put there since the scan; a FIFO reads as empty (stale)."""
CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _ANY
ONE_WRITE = 4096
"""Bytes a new file is created with in place: one page, so a reader that opens it while
it is written sees it empty or whole, never a prefix that may parse."""


def _holds(path: str, content: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``content`` (False if unreadable)."""
    try:
        descriptor = os.open(path, READ)
    except OSError:
        return False
    try:
        chunks = []
        left = len(content) + 1  # one byte more tells a longer file
        while left > 0 and (chunk := os.read(descriptor, left)):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return b"".join(chunks) == content


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
            _make_directory(os.path.join(out, directory))
            made.add(directory)


def _make_directory(path: str) -> None:
    try:
        os.mkdir(path)
    except FileExistsError:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise


def _create(path: str, content: bytes) -> bool:
    """Create the file ``path`` with ``content`` in one write; False (nothing done) when
    ``content`` needs more than one or something is already at ``path``."""
    if len(content) > ONE_WRITE:
        return False
    try:
        descriptor = os.open(path, CREATE, 0o666)
    except FileExistsError:
        return False
    try:
        _write_all(descriptor, content)
    finally:
        os.close(descriptor)
    return True


def _replace(path: str, content: bytes) -> None:
    """Write through a temporary file and a rename, so readers never see half a file."""
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".{name}.tmp{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)  # left by a run that was killed
    descriptor = os.open(temporary, CREATE, 0o666)
    try:
        _write_all(descriptor, content)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)


def _write_all(descriptor: int, content: bytes) -> None:
    view = memoryview(content)
    while view:
        view = view[os.write(descriptor, view) :]


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
