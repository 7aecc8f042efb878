"""Where a form may send the browser next: only a path on this site, never another site."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

MAX_NEXT_LENGTH = 2000


def safe_next(target: object, default: str) -> str:
    """`target` if it is a path on this site (`/letters/3?x=1`), else `default`.

    Judged as a browser reads a `Location` header: browsers drop tabs and newlines anywhere and
    read a backslash as a slash, so `/\\t/evil.example/` and `/\\\\evil.example` mean
    `//evil.example`, another site. Any control character, any backslash, a scheme (`https:`,
    `javascript:`), a host (`//host`) or a target that does not start with one `/` is refused,
    and so is anything over 2,000 characters.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return default
    if "\\" in target or any(unicodedata.category(char) == "Cc" for char in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    try:
        parts = urlsplit(target)
    except ValueError:
        return default
    if parts.scheme or parts.netloc:
        return default
    return target
