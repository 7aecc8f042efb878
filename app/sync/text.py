"""Text helpers: newline normalisation and the UTF-16 view of a string.

Python strings count code points; JavaScript strings (and the offsets of the patches the
browser sends) count UTF-16 code units. The *UTF-16 view* of a string replaces each
character outside the Basic Multilingual Plane by its two surrogate code points, so
``len(view) == utf16_len(text)`` and every offset in the view is a UTF-16 offset. The
engine does all position arithmetic on views and converts back at the edges.
"""

from __future__ import annotations

import re

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR line endings into LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (astral characters count twice)."""
    if text.isascii():
        return len(text)
    return len(text) + len(_ASTRAL.findall(text))


def has_surrogates(text: str) -> bool:
    """Whether ``text`` contains surrogate code points (lone or paired)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def _split_astral(match: re.Match[str]) -> str:
    cp = ord(match.group()) - 0x10000
    return chr(0xD800 + (cp >> 10)) + chr(0xDC00 + (cp & 0x3FF))


def to_utf16_view(text: str) -> str:
    """The UTF-16 view of ``text``: each astral character becomes its surrogate pair."""
    if text.isascii():
        return text
    return _ASTRAL.sub(_split_astral, text)


def from_utf16_view(view: str) -> str:
    """Collapse surrogate pairs of a UTF-16 view back into characters.

    Raises ``ValueError`` if the view contains a lone surrogate.
    """
    if view.isascii() or not _SURROGATE.search(view):
        return view
    try:
        return view.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise ValueError("lone surrogate in UTF-16 view") from exc


def is_high_surrogate(ch: str) -> bool:
    """Whether the one-character string ``ch`` is a high (leading) surrogate."""
    return "\ud800" <= ch <= "\udbff"


def is_low_surrogate(ch: str) -> bool:
    """Whether the one-character string ``ch`` is a low (trailing) surrogate."""
    return "\udc00" <= ch <= "\udfff"


def splits_pair(view: str, offset: int) -> bool:
    """Whether ``offset`` in a UTF-16 view falls between the two halves of a surrogate pair."""
    return 0 < offset < len(view) and is_low_surrogate(view[offset]) and is_high_surrogate(view[offset - 1])
