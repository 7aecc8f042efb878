"""Domain events: what happened to a letter's text, for whoever subscribes (the socket layer
broadcasts them). Each is sent while the letter is still held for writing, so subscribers see
a letter's events in the order they happened.

    text_changed.send(RevisionBatch)    one or more consecutive revisions were stored in one
                                        transaction (edits, an accepted suggestion, a restore)
    letter_locked.send(LockResult)      the clerk locked the letter
    translation_published.send(TranslationPublished)
                                        the clerk published a translation after the lock
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blinker import Namespace

_signals = Namespace()
text_changed = _signals.signal("text-changed")
letter_locked = _signals.signal("letter-locked")
translation_published = _signals.signal("translation-published")


@dataclass(frozen=True)
class StoredRevision:
    """A revision as stored: the patch that turns revision n-1's text into revision n's."""

    letter_id: int
    revision: int
    patch: str
    edit_id: str
    author: dict[str, Any]
    duplicate: bool = False

    def event(self) -> dict[str, Any]:
        """The payload of the contract's `revision` event."""
        return {
            "letter_id": self.letter_id,
            "revision": self.revision,
            "patch": self.patch,
            "edit_id": self.edit_id,
            "author": self.author,
        }


@dataclass(frozen=True)
class RevisionBatch:
    """Consecutive revisions of one letter, stored in one transaction, oldest first."""

    letter_id: int
    revisions: tuple[StoredRevision, ...]

    def events(self) -> list[dict[str, Any]]:
        """Each revision as the payload of a version-1 `revision` event."""
        return [stored.event() for stored in self.revisions]


@dataclass(frozen=True)
class LockResult:
    letter_id: int
    revision: int
    content_hash: str
    # The SHA-256 of each translation locked with it, by language; the unapproved ones left out.
    translations: tuple[tuple[str, str], ...] = ()
    translations_left_out: tuple[str, ...] = ()

    def event(self) -> dict[str, Any]:
        """The payload of the contract's `locked` event."""
        return {"letter_id": self.letter_id, "revision": self.revision, "content_hash": self.content_hash}


@dataclass(frozen=True)
class TranslationPublished:
    """A translation left out of the lock (or started after it), approved and then published by
    the clerk, with its own SHA-256."""

    letter_id: int
    language: str
    content_hash: str
