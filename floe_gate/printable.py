"""Text that a terminal, a CI log or pre-commit shows as written, never as commands.

A key, a directory name or a message read from a pull request can carry ESC (``\\e[2J``
clears the screen), a newline followed by ``::error file=…::`` (a fake problem line, or a
GitHub workflow command in a log), or Unicode bidi overrides that reorder what is shown.
``printable`` writes every such character as a visible escape (``\\x1b``, ``\\n``,
``\\u202e``); everything else, non-ASCII letters included, is kept.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    character = match.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control, separator and bidi characters written as escapes: one line."""
    return _CONTROL.sub(_escaped, text) if _CONTROL.search(text) else text


def printable_lines(lines: list[str]) -> str:
    """``lines`` joined by newlines, each made ``printable`` (a value cannot add a line)."""
    return "\n".join(printable(line) for line in lines)
