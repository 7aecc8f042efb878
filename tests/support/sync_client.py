"""A simulated drafting client: the same state machine a browser runs, without I/O.

Used by the tests and the benchmarks (bench/drafting_worker.py), not by the app; it uses only
the sync engine's public API (``app.sync``).

State:

* the *shadow*: the server's exact text at revision ``revision``;
* at most one edit *in flight* (sent, not yet seen back as a revision): its ``edit_id``,
  base revision and operation on the shadow;
* *pending* local changes: an operation on top of shadow + in-flight edit;
* the *local* text the user sees: shadow + in-flight + pending.

Events:

* :meth:`SyncClient.edit` / :meth:`SyncClient.apply_local`: the user changed the text;
* :meth:`SyncClient.take_edit`: if nothing is in flight, turn the pending changes into an
  edit (patch against the shadow) to send;
* :meth:`SyncClient.receive_revision`: a ``revision`` event (or one item of a ``fetch``
  answer). The patch is applied exactly to the shadow and turned into an operation by
  composing its hunks, exactly as the server does. A remote revision is transformed past
  the in-flight edit and the pending changes (the remote one counts as committed first),
  then applied to the local text. The client's own revision (same ``edit_id``) just
  advances the shadow: the local text already contains it;
* :meth:`SyncClient.receive_ack` / :meth:`SyncClient.receive_error`: the answer to ``edit``.

Operations count UTF-16 code units, as a browser's would.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.sync import (
    Operation,
    apply_operation,
    apply_patch_to_view,
    canonical_operation,
    compose_operations,
    from_utf16_view,
    is_noop,
    normalise_newlines,
    operation_between,
    patch_from_operation,
    to_utf16_view,
    transform_operations,
)


def _keep(length: int) -> Operation:
    """The operation that keeps a view of ``length`` units as it is."""
    return canonical_operation([length])


@dataclass(frozen=True, slots=True)
class OutgoingEdit:
    """Payload of an ``edit`` event (without the letter id)."""

    edit_id: str
    base_revision: int
    patch: str


class RevisionGap(Exception):
    """A revision arrived out of order: the client must ``fetch`` what it missed."""


class SyncClient:
    """One client's view of a letter (see the module docstring)."""

    def __init__(self, revision: int, text: str, client_id: str = "client") -> None:
        self.client_id = client_id
        self.revision = revision
        self._shadow = to_utf16_view(text)
        self._local = self._shadow
        self._pending: Operation = _keep(len(self._shadow))
        if "\r" in text:  # the server's text should not hold CR; if it does, the first edit fixes it
            self.edit(text)
        self._inflight: Operation | None = None
        self._inflight_edit: OutgoingEdit | None = None
        self._acked_at: int | None = None
        self._counter = 0
        self.mismatches = 0  # own revisions that differed from the local prediction

    # -- state ------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The local text (what the user sees)."""
        return from_utf16_view(self._local)

    @property
    def shadow_text(self) -> str:
        """The server's text at :attr:`revision`."""
        return from_utf16_view(self._shadow)

    @property
    def in_flight(self) -> OutgoingEdit | None:
        """The edit sent and not yet seen back, if any."""
        return self._inflight_edit

    @property
    def has_pending(self) -> bool:
        """Whether there are local changes not yet sent."""
        return not is_noop(self._pending)

    @property
    def settled(self) -> bool:
        """Nothing in flight and nothing pending."""
        return self._inflight is None and not self.has_pending

    # -- local changes ----------------------------------------------------------

    def edit(self, new_text: str) -> None:
        """The user replaced the local text by ``new_text`` (line endings normalised)."""
        new_text = normalise_newlines(new_text)
        self.apply_local(operation_between(self.text, new_text))

    def apply_local(self, ops: Operation) -> None:
        """Apply a local operation (UTF-16 units, on the local text)."""
        self._local = apply_operation(self._local, ops)
        self._pending = compose_operations(self._pending, ops)

    def insert(self, index: int, text: str) -> None:
        """Insert ``text`` at UTF-16 offset ``index`` of the local text."""
        view = to_utf16_view(normalise_newlines(text))
        ops = canonical_operation([index, view, len(self._local) - index])
        self.apply_local(ops)

    def delete(self, index: int, length: int) -> None:
        """Delete ``length`` UTF-16 units at offset ``index`` of the local text."""
        ops = canonical_operation([index, -length, len(self._local) - index - length])
        self.apply_local(ops)

    def take_edit(self) -> OutgoingEdit | None:
        """The next edit to send, if nothing is in flight and something is pending."""
        if self._inflight is not None or not self.has_pending:
            return None
        self._counter += 1
        edit = OutgoingEdit(
            edit_id=f"{self.client_id}-{self._counter}",
            base_revision=self.revision,
            patch=patch_from_operation(self._shadow, self._pending),
        )
        self._inflight = self._pending
        self._inflight_edit = edit
        self._acked_at = None
        self._pending = _keep(len(self._local))
        return edit

    # -- server messages --------------------------------------------------------

    def receive_revision(self, revision: int, patch: str, edit_id: str | None = None) -> None:
        """Apply revision ``revision`` (which must be the next one); older ones are ignored."""
        if revision <= self.revision:
            return
        if revision != self.revision + 1:
            raise RevisionGap(f"expected revision {self.revision + 1}, got {revision}")
        new_shadow, ops = apply_patch_to_view(self._shadow, patch)
        if self._inflight_edit is not None and edit_id == self._inflight_edit.edit_id:
            self._finish_inflight(new_shadow)
        else:
            if self._inflight is not None:
                self._inflight, ops = transform_operations(self._inflight, ops)
            self._pending, ops = transform_operations(self._pending, ops)
            self._local = apply_operation(self._local, ops)
        self._shadow = new_shadow
        self.revision = revision
        self._check_noop_ack()

    def receive_ack(self, edit_id: str, revision: int) -> None:
        """The server stored (or had already stored) edit ``edit_id`` as of ``revision``.

        The client's own ``revision`` event normally follows (or preceded) it. An edit that
        changed nothing makes no revision; its ack names the newest revision when it was
        merged, and the edit is settled once this client has reached that revision.
        """
        if self._inflight_edit is not None and edit_id == self._inflight_edit.edit_id:
            self._acked_at = revision
            self._check_noop_ack()

    def receive_error(self, edit_id: str, code: str) -> None:
        """The server refused edit ``edit_id``.

        ``conflict``: the change goes back to pending, to be sent again once the client has
        caught up. Any other code: the in-flight and pending changes are dropped and the
        local text goes back to the shadow.
        """
        if self._inflight_edit is None or edit_id != self._inflight_edit.edit_id:
            return
        inflight = self._inflight
        self._inflight = None
        self._inflight_edit = None
        self._acked_at = None
        if code == "conflict" and inflight is not None:
            self._pending = compose_operations(inflight, self._pending)
        else:
            self._local = self._shadow
            self._pending = _keep(len(self._shadow))

    # -- internals --------------------------------------------------------------

    def _check_noop_ack(self) -> None:
        if self._inflight is not None and self._acked_at is not None and self.revision >= self._acked_at:
            self._finish_inflight(self._shadow)

    def _finish_inflight(self, server_text: str) -> None:
        inflight = self._inflight if self._inflight is not None else _keep(len(self._shadow))
        predicted = apply_operation(self._shadow, inflight)
        if predicted != server_text:
            # Should not happen when client and server agree on every operation; carry the
            # pending changes over the difference rather than lose them.
            self.mismatches += 1
            fix = operation_between(from_utf16_view(predicted), from_utf16_view(server_text))
            self._pending, _ = transform_operations(self._pending, fix)
            self._local = apply_operation(server_text, self._pending)
        self._inflight = None
        self._inflight_edit = None
        self._acked_at = None
