"""Errors raised by the sync engine; each carries the wire error ``code``."""

from __future__ import annotations


class SyncError(Exception):
    """Base class: ``code`` is the error code sent to clients, ``message`` a human explanation."""

    code = "sync_error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code)
        self.message = message or self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class BadPatch(SyncError):
    """The patch text is malformed (syntax, escapes, header lengths, wrong type)."""

    code = "bad_patch"


class TooLarge(SyncError):
    """The patch text or a resulting text exceeds the limits."""

    code = "too_large"


class Conflict(SyncError):
    """The patch does not fit the text it claims to be based on; nothing was changed."""

    code = "conflict"
