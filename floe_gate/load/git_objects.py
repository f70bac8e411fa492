"""Read a branch or commit straight from git objects, without a checkout.

``GitObjects`` owns one ``git cat-file --batch`` process for the whole run; every
``GitRef`` made from it lists its tree with one ``git ls-tree`` and reads blobs
through that shared process, so the number of git processes grows with the number
of refs read, never with the number of files. Blobs are cached by object id:
files unchanged between branches are read once.

Ref names never pass through a shell and are checked before git sees them: they
must look like a ref name (``git check-ref-format`` rules) or an object id, and
must name a commit (``git rev-parse --verify --end-of-options REF^{commit}``).

A git object that cannot be read (missing or corrupt: a broken clone, a ref to an
object that is gone) means the run cannot be judged: ``UnreadableObject`` (exit 2),
naming the ref and the path, never a problem in the file of that name.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path
from types import TracebackType
from typing import IO

from floe_gate.load.repository import ParseCache
from floe_gate.load.sources import SPAWNED, CannotJudge, git

__all__ = ["SPAWNED", "GitObjects", "GitRef", "UnreadableObject", "git", "valid_ref_name"]

_OBJECT_ID = re.compile(r"[0-9a-fA-F]{4,64}")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock(/|\Z)")
_BLOB_MODES = {b"100644", b"100755"}


class UnreadableObject(CannotJudge):
    """A git object of a ref read cannot be read: the run cannot be judged (exit 2)."""


def valid_ref_name(ref: str) -> bool:
    """Whether ``ref`` is a plausible ref name or object id (``git check-ref-format`` rules).

    Refused: empty names, a leading ``-`` (an option to git), ``@`` alone, control
    characters, spaces, any of ``~^:?*[\\``, ``..``, ``@{``, ``//``, a component
    starting with ``.`` or ending with ``.lock``, and a trailing ``/`` or ``.``.
    """
    if not ref or ref.startswith(("-", "/", ".")) or ref.endswith(("/", ".")) or ref == "@":
        return False
    if _OBJECT_ID.fullmatch(ref):
        return True
    return _FORBIDDEN.search(ref) is None


class GitObjects:
    """One repository's object database, read through one ``git cat-file --batch``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._process: subprocess.Popen[bytes] | None = None
        self._blobs: dict[str, bytes] = {}
        self.parse_cache = ParseCache()
        """YAML parsed once per distinct file content, across every ref of the run."""

    def __enter__(self) -> GitObjects:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the ``cat-file`` process, if one was started."""
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait()
            self._process = None

    def commit(self, ref: str) -> str | None:
        """The commit id ``ref`` names; None if it names none. Invalid names are refused."""
        if not valid_ref_name(ref):
            raise CannotJudge(f"{ref!r} is not a valid git ref name")
        out = git(
            self.directory, "rev-parse", "--verify", "--quiet", "--end-of-options",
            f"{ref}^{{commit}}", check=False,
        )  # fmt: skip
        return out.strip() or None

    def ref(self, ref: str) -> GitRef:
        """The files of ``ref``'s tree; ``CannotJudge`` if it names no commit."""
        commit = self.commit(ref)
        if commit is None:
            raise CannotJudge(
                f"{ref!r} names no commit in {self.directory} (no such ref, or one that "
                "points at a missing or corrupt git object)"
            )
        return GitRef(self, ref, commit)

    def blob(self, object_id: str) -> bytes:
        """The content of one blob, read through the shared ``cat-file --batch`` process."""
        if object_id not in self._blobs:
            self._blobs[object_id] = self._read_object(object_id)
        return self._blobs[object_id]

    def _batch(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            command = ("git", "-C", str(self.directory), "cat-file", "--batch")
            SPAWNED.append(command)
            try:
                self._process = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.PIPE
                )
            except OSError as error:
                raise CannotJudge(f"cannot run git: {error}") from None
        return self._process

    def _read_object(self, object_id: str) -> bytes:
        process = self._batch()
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(object_id.encode("ascii") + b"\n")
        process.stdin.flush()
        header = process.stdout.readline().split()
        if len(header) != 3:  # "<id> missing" (also for a corrupt one), or the process died
            raise UnreadableObject(f"git object {object_id} is missing or corrupt")
        content = _read_exactly(process.stdout, int(header[2]))
        process.stdout.read(1)  # the newline after every object
        return content


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise UnreadableObject("git cat-file ended early")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


class GitRef:
    """A ``FileSource`` for one commit: its regular files (no symlinks, no submodules)."""

    def __init__(self, objects: GitObjects, name: str, commit: str) -> None:
        self.objects = objects
        self.name = name
        self.commit = commit
        self._ids: dict[str, str] | None = None
        self._sizes: dict[str, int] = {}
        self._links: list[str] = []
        self._fingerprint = ""

    def _tree(self) -> dict[str, str]:
        if self._ids is None:
            try:
                listing = git(
                    self.objects.directory, "ls-tree", "-r", "-z", "-l", "--full-tree", self.commit
                )
            except CannotJudge as error:
                raise UnreadableObject(
                    f"cannot list the files of {self.name}: {error} "
                    "(a missing or corrupt git object; `git fsck` tells more)"
                ) from None
            entries = _entries(listing)
            self._ids = {path: object_id for path, object_id, _ in entries}
            self._sizes = {path: size for path, _, size in entries}
            self._links = _symlinks(listing)
            self._fingerprint = hashlib.sha256(
                listing.encode("utf-8", "surrogateescape")
            ).hexdigest()
        return self._ids

    def fingerprint(self) -> str:
        """Equal for two refs exactly when their trees hold the same files and contents."""
        self._tree()
        return self._fingerprint

    def files(self) -> list[str]:
        """Repository-relative paths of the commit's regular files, sorted."""
        return sorted(self._tree())

    def skipped(self) -> dict[str, str]:
        """The commit's symbolic links: never followed, as in the working tree."""
        self._tree()
        return dict.fromkeys(
            self._links, "a symbolic link; floe-gate follows none (commit the file itself)"
        )

    def size(self, path: str) -> int:
        """The size of ``path``'s blob, as ``git ls-tree -l`` listed it."""
        self._tree()
        if path not in self._sizes:
            raise FileNotFoundError(f"{path} is not in {self.name}")
        return self._sizes[path]

    def read(self, path: str) -> bytes:
        """The bytes of ``path`` at this commit; ``OSError`` if it has no such file."""
        object_id = self._tree().get(path)
        if object_id is None:
            raise FileNotFoundError(f"{path} is not in {self.name}")
        try:
            return self.objects.blob(object_id)
        except UnreadableObject as error:
            raise UnreadableObject(
                f"cannot read {self.name}:{path}: {error} (`git fsck` tells more)"
            ) from None


def _symlinks(listing: str) -> list[str]:
    """Paths of the symbolic links (mode 120000) in ``git ls-tree -r -z`` output."""
    return [
        record.partition("\t")[2]
        for record in listing.split("\0")
        if record.startswith("120000 blob ")
    ]


def _entries(listing: str) -> list[tuple[str, str, int]]:
    """``(path, blob id, size)`` of regular files in ``git ls-tree -r -z -l`` output."""
    entries = []
    for record in listing.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        mode, kind, object_id, size = meta.split()  # the size is right-aligned with spaces
        if kind == "blob" and mode.encode() in _BLOB_MODES:
            # git lists a blob it cannot read with the size BAD; reading it then raises
            # UnreadableObject, naming the branch and the path.
            entries.append((path, object_id, int(size) if size.isdigit() else 0))
    return entries
