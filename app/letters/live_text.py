"""The newest text of the letters being drafted, kept in this process's memory.

For each letter recently written through this process: its newest revision number and text
(as a UTF-16 view), the operations of its most recent revisions (as every client derives
them from the stored patches) and the texts of a few recent revisions. An edit is then merged without reading
the text or the later patches from the database.

It is only ever trusted under the letter's write lock and only when its revision number is
the database's (read under that lock). When another process wrote the revisions since, the
next writer here catches it up from their stored patches (each turns the exact text of one
revision into the next); an accepted suggestion or a restore made in this process, or a
failed write, forgets it, and the next writer reloads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from itertools import islice

from app.sync import Operation, from_utf16_view, to_utf16_view

KEEP_OPERATIONS = 512  # recent revisions whose operations are kept per letter
KEEP_VIEWS = 1024  # recent revisions whose texts are kept per letter (the bases of edits in flight),
KEEP_VIEW_UNITS = 8_000_000  # as long as they hold at most this many UTF-16 units in all (16 MB)
KEEP_LETTERS = 64  # letters kept in memory per process


@dataclass
class LiveText:
    """A letter's newest revision as this process last wrote or read it."""

    letter_id: int
    revision: int
    view: str
    operations: deque[Operation] = field(default_factory=lambda: deque(maxlen=KEEP_OPERATIONS))
    views: OrderedDict[int, str] = field(default_factory=OrderedDict)

    view_units: int = 0

    def __post_init__(self) -> None:
        self.views[self.revision] = self.view
        self.view_units = len(self.view)

    @property
    def text(self) -> str:
        return from_utf16_view(self.view)

    def operations_after(self, base: int) -> list[Operation] | None:
        """The operations of revisions base+1 .. newest, or None if they are no longer kept."""
        behind = self.revision - base
        if behind < 0 or behind > len(self.operations):
            return None
        return list(islice(self.operations, len(self.operations) - behind, None)) if behind else []

    def view_of(self, number: int) -> str | None:
        """The UTF-16 view of a recent revision's text, if kept."""
        return self.views.get(number)

    def advance(self, view: str, operation: Operation) -> int:
        """Record the next revision (in memory only); its number."""
        self.revision += 1
        self.view = view
        self.operations.append(operation)
        self.views[self.revision] = view
        self.view_units += len(view)
        while len(self.views) > 1 and (len(self.views) > KEEP_VIEWS or self.view_units > KEEP_VIEW_UNITS):
            self.view_units -= len(self.views.popitem(last=False)[1])
        return self.revision


_letters: OrderedDict[int, LiveText] = OrderedDict()
_guard = threading.Lock()


def current(letter_id: int, revision: int) -> LiveText | None:
    """The kept text of the letter if it is at `revision` (the database's, read under the lock)."""
    with _guard:
        live = _letters.get(letter_id)
        if live is None or live.revision != revision:
            return None
        _letters.move_to_end(letter_id)
        return live


def behind(letter_id: int, revision: int) -> LiveText | None:
    """The kept text of the letter if it is older than `revision` by at most KEEP_OPERATIONS
    revisions (another process wrote the ones between): to be caught up, not reloaded."""
    with _guard:
        live = _letters.get(letter_id)
        if live is None or not 0 < revision - live.revision <= KEEP_OPERATIONS:
            return None
        _letters.move_to_end(letter_id)
        return live


def start(letter_id: int, revision: int, text: str) -> LiveText:
    """Keep a letter's newest text, read from the database under its write lock."""
    live = LiveText(letter_id, revision, to_utf16_view(text))
    with _guard:
        _letters[letter_id] = live
        while len(_letters) > KEEP_LETTERS:
            _letters.popitem(last=False)
    return live


def clear() -> None:
    """Forget every letter (tests start each app from nothing)."""
    with _guard:
        _letters.clear()


def forget(letter_id: int) -> None:
    """Stop trusting the kept text (a write failed, or the text changed by another path)."""
    with _guard:
        _letters.pop(letter_id, None)
