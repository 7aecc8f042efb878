"""A simulated server and network for the convergence tests (no Flask, no sockets)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from app.sync import (
    MergeResult,
    Operation,
    SyncError,
    apply_patch_to_view,
    from_utf16_view,
    merge_edit,
    merge_into_view,
    normalise_newlines,
    to_utf16_view,
)
from tests.support.sync_client import OutgoingEdit, SyncClient


@dataclass
class Revision:
    number: int
    patch: str
    edit_id: str | None
    text: str


@dataclass
class Server:
    """Keeps every revision; merges edits with merge_edit, deduplicating edit ids."""

    text: str
    revisions: list[Revision] = field(default_factory=list)
    edit_ids: dict[str, int] = field(default_factory=dict)
    use_patches: bool = True
    # Merge as the server's group commit does: on UTF-16 views, with each revision's operation
    # kept from when it was stored (merge_into_view), rather than re-parsing patches.
    use_views: bool = False
    operations: list[Operation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.revisions.append(Revision(0, "", None, self.text))
        self.operations.append([])

    @property
    def revision(self) -> int:
        return len(self.revisions) - 1

    @property
    def newest(self) -> str:
        return self.revisions[-1].text

    def handle_edit(self, edit: OutgoingEdit) -> tuple[dict, Revision | None]:
        """The acknowledgement, and the new revision to broadcast (if any)."""
        if edit.edit_id in self.edit_ids:
            return {"ok": True, "revision": self.edit_ids[edit.edit_id]}, None
        base = edit.base_revision
        later = self.revisions[base + 1 :]
        try:
            if self.use_views:
                merged = merge_into_view(
                    to_utf16_view(self.revisions[base].text),
                    edit.patch,
                    self.operations[base + 1 :],
                    to_utf16_view(self.newest),
                )
                # The kept operation is exactly the one clients derive from the stored patch.
                assert apply_patch_to_view(to_utf16_view(self.newest), merged.patch)[1] == merged.operation or (
                    not merged.changed
                )
                result = MergeResult(from_utf16_view(merged.view), merged.patch, merged.changed)
                operation = merged.operation
            elif self.use_patches:
                result: MergeResult = merge_edit(
                    self.revisions[base].text, edit.patch, later_patches=[r.patch for r in later]
                )
            else:
                result = merge_edit(self.revisions[base].text, edit.patch, [r.text for r in later])
        except SyncError as exc:
            return {"ok": False, "error": {"code": exc.code, "message": exc.message}}, None
        if not result.changed:
            self.edit_ids[edit.edit_id] = self.revision
            return {"ok": True, "revision": self.revision}, None
        rev = Revision(self.revision + 1, result.patch, edit.edit_id, result.text)
        self.revisions.append(rev)
        self.operations.append(operation if self.use_views else [])
        self.edit_ids[edit.edit_id] = rev.number
        return {"ok": True, "revision": rev.number}, rev

    def fetch(self, since: int) -> list[Revision]:
        return self.revisions[since + 1 :]


@dataclass
class Peer:
    client: SyncClient
    inbox: deque = field(default_factory=deque)  # server -> client, in order
    outbox: deque = field(default_factory=deque)  # client -> server, in order


class Network:
    """Per-connection FIFO queues whose deliveries the test interleaves at will."""

    def __init__(self, text: str, n_clients: int, use_patches: bool = True, use_views: bool = False) -> None:
        # The service stores letters with LF line endings from the start, and clients
        # join with the server's text.
        text = normalise_newlines(text)
        self.server = Server(text, use_patches=use_patches, use_views=use_views)
        self.peers = [Peer(SyncClient(0, text, client_id=f"c{i}")) for i in range(n_clients)]
        self.errors: list[dict] = []

    def send(self, i: int) -> None:
        edit = self.peers[i].client.take_edit()
        if edit is not None:
            self.peers[i].outbox.append(edit)

    def deliver_up(self, i: int, ack_first: bool = False) -> bool:
        peer = self.peers[i]
        if not peer.outbox:
            return False
        edit = peer.outbox.popleft()
        ack, rev = self.server.handle_edit(edit)
        answer = ("ack", edit.edit_id, ack)
        if ack_first:
            peer.inbox.append(answer)
        if rev is not None:
            for other in self.peers:
                other.inbox.append(("revision", rev.number, rev.patch, rev.edit_id))
        if not ack_first:
            peer.inbox.append(answer)
        return True

    def deliver_down(self, i: int) -> bool:
        peer = self.peers[i]
        if not peer.inbox:
            return False
        msg = peer.inbox.popleft()
        if msg[0] == "revision":
            peer.client.receive_revision(msg[1], msg[2], msg[3])
        else:
            _, edit_id, ack = msg
            if ack["ok"]:
                peer.client.receive_ack(edit_id, ack["revision"])
            else:
                self.errors.append(ack["error"])
                peer.client.receive_error(edit_id, ack["error"]["code"])
        return True

    def reconnect(self, i: int, lose_outbox: bool) -> None:
        """Drop the connection: lost messages, then fetch and resend what is in flight."""
        peer = self.peers[i]
        peer.inbox.clear()
        if lose_outbox:
            peer.outbox.clear()
        for rev in self.server.fetch(peer.client.revision):
            peer.client.receive_revision(rev.number, rev.patch, rev.edit_id)
        if peer.client.in_flight is not None and not peer.outbox:
            peer.outbox.append(peer.client.in_flight)

    def flush(self, max_rounds: int = 1_000) -> None:
        """Deliver everything until every client is settled and every queue empty."""
        for _ in range(max_rounds):
            busy = False
            for i in range(len(self.peers)):
                self.send(i)
                busy |= self.deliver_up(i)
                while self.deliver_down(i):
                    busy = True
            if not busy and all(p.client.settled and not p.inbox and not p.outbox for p in self.peers):
                return
        raise AssertionError("the network did not settle")
