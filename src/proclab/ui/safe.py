"""Text from a container or a lab folder, made safe to show: the one way the UI prints it.

A scenario's output, a checkpoint's name and data, a command line, a check's evidence,
a lab's title and lesson may hold terminal control sequences (clear the screen, move the
cursor up and print a fake "PASSED", set the window title, an OSC 8 hyperlink) or rich
markup ("[/x]"). ``visible`` shows every control character as caret notation (ESC as
``^[``, DEL as ``^?``; C1 controls and bidirectional overrides as ``<U+009B>``), and
``safe`` wraps the result in a ``rich.text.Text``, which rich never reads as markup.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 controls but tab, DEL, C1 controls, bidirectional embeddings/overrides/isolates, and
# lone surrogates (they cannot be written as UTF-8)
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_KEEP_NEWLINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _show(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"<U+{code:04X}>"


def visible(text: object, keep_newlines: bool = False) -> str:
    """str(text) with every control character shown, not obeyed (``\\x1b`` becomes ``^[``)."""
    s = text if isinstance(text, str) else str(text)
    if keep_newlines:
        s = s.replace("\r\n", "\n")
    return (_UNSAFE_KEEP_NEWLINES if keep_newlines else _UNSAFE).sub(_show, s)


def safe(text: object, style: str = "", keep_newlines: bool = False) -> Text:
    """A rich Text of the visible form of text: never markup, never a control sequence."""
    return Text(visible(text, keep_newlines), style=style)
