"""Names from a ref, made safe to show: the one place that decides what a terminal, a Markdown
page or a CI log may be handed raw.

A ``__tablename__``, a commit subject or a file path comes from whoever wrote the ref. Raw, an
ESC sequence would reach the reader's terminal, a newline would start a line that GitHub
Actions runs as a workflow command, and a bidi override would reorder what a reviewer reads.
"""

from __future__ import annotations

import unicodedata

_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
"""Control and format characters, surrogates, private and unassigned code points, and the
line and paragraph separators: none of them belongs in a name shown to a person."""
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every character a reader cannot see for what it is written as an escape
    (``\\x1b``, ``\\n``, ``\\u202e``), as Python's ``repr`` spells them; printable text,
    accented letters and CJK included, is left as it is."""
    if text.isprintable():
        return text  # the common case, and ``isprintable`` is a C loop
    return "".join(_escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    if ch == " " or unicodedata.category(ch) not in _HIDDEN:
        return ch
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )
