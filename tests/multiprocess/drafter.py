"""A test drafter: a python-socketio client of `/draft` that loses nothing, like the browser.

It keeps the test client state machine (`tests.support.sync_client.SyncClient`: the server's text as a
shadow, at most one edit in flight, typing pending behind it) and adds the network part:

* `revision` events are applied strictly in order; one that arrives early waits in a buffer,
  and a client that is behind (a gap, or an acknowledged revision it has not seen) asks with
  `fetch` after a short grace;
* each edit stays in flight until the server has it: after `server_error` or a lost answer it is
  sent again unchanged (same `edit_id`, `base_revision` and patch), and after a reconnect the
  client joins again, resends it and fetches what it missed;
* typing inserts unique markers ("[a0-07]") at word boundaries, so a test can check that every
  marker reaches the final text exactly once.

One pump thread owns the state; Socket.IO handlers and acknowledgement callbacks (which
python-socketio runs on a thread per message, in no particular order) only queue what they
received. Every wait is bounded.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import socketio

from app.sync import utf16_len
from tests.support.sync_client import RevisionGap, SyncClient

NAMESPACE = "/draft"
FETCH_GRACE = 0.3  # seconds behind before asking with fetch (events may arrive out of order)
RETRY_AFTER = 0.5  # seconds before resending an edit the server failed
ANSWER_TIMEOUT = 20.0  # an edit or fetch without an answer this long (connected) is sent again


@dataclass
class EditRecord:
    edit_id: str
    markers: list[str]
    base_revision: int
    patch: str
    sends: int = 0
    awaiting: bool = False  # the latest send has had no answer yet
    first_sent: float = 0.0
    last_sent: float = 0.0
    acked_revision: int | None = None
    acked_after: float | None = None  # seconds from the first send to the ok answer
    answers: list[str] = field(default_factory=list)  # "ok" or the error codes, in order


class Drafter:
    """One drafting client; see the module docstring. Thread-safe accessors for tests."""

    def __init__(
        self,
        name: str,
        url: str,
        token: str,
        letter_id: int,
        *,
        seed: int = 0,
        protocol: int = 1,
        **client_options: Any,
    ) -> None:
        self.name = name
        self.protocol = protocol
        self.presence: list[str] = []  # the names in the latest `presence` event
        self.url = url
        self.token = token
        self.letter_id = letter_id
        self.rng = random.Random(seed)
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=0.2,
            reconnection_delay_max=1.0,
            randomization_factor=0.2,
            request_timeout=5,
            handle_sigint=False,
            **client_options,
        )
        self.sio.on("connect", self._on_connect, namespace=NAMESPACE)
        self.sio.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        self.sio.on("connect_error", self._on_connect_error, namespace=NAMESPACE)
        self.sio.on("revision", self._on_revision, namespace=NAMESPACE)
        self.sio.on("revisions", self._on_revisions, namespace=NAMESPACE)
        self.sio.on("presence", self._on_presence, namespace=NAMESPACE)
        self.inbox: queue.Queue[tuple] = queue.Queue()
        self.lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, name=f"drafter-{name}", daemon=True)

        # Connection state (pump thread).
        self.generation = 0
        self.connected = False
        self.joined = False
        self._join_sent_at: float | None = None
        self._fetch_sent_at: float | None = None
        self._behind_since: float | None = None
        self._resend_at: float | None = None
        self._inflight_generation = -1

        # The document.
        self.sync: SyncClient | None = None
        self.join_revision: int | None = None
        self.known_revision = 0  # the newest revision this client knows exists
        self._buffer: dict[int, dict[str, Any]] = {}

        # Typing.
        self._typing_plan: list[tuple[float, str]] = []
        self._pending_markers: list[str] = []
        self._inflight_markers: list[str] = []
        self._marker_count = 0

        # What happened (for assertions).
        self.typed: list[str] = []
        self.edits: dict[str, EditRecord] = {}
        self.applied: list[tuple[int, str]] = []  # (revision, "event" | "fetch"), in the order applied
        self.event_times: dict[int, float] = {}  # revision -> when first received as an event
        self.error_codes: Counter[str] = Counter()
        self.error_samples: list[str] = []
        self.problems: list[str] = []  # anything that should never happen
        self.connects = 0
        self.disconnects = 0
        self.connect_errors: list[str] = []
        self.fetches = 0
        self.batches = 0  # `revisions` events received (protocol version 2)
        self.answer_latencies: list[float] = []  # seconds from each edit send to its answer
        self.unanswered = 0  # requests left without an answer for ANSWER_TIMEOUT on a live connection

    # -- life cycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 20) -> Drafter:
        self._thread.start()
        self.sio.connect(
            self.url,
            transports=["websocket"],
            namespaces=[NAMESPACE],
            auth={"token": self.token},
            wait_timeout=10,
        )
        self.wait(lambda: self.joined and self.sync is not None, timeout, "join")
        return self

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception as error:  # (closing must not fail a test's teardown)
            self.problems.append(f"disconnect failed: {error!r}")
        self._stop.set()
        self._thread.join(timeout=5)

    # -- what tests call ----------------------------------------------------------------------

    def type_markers(self, count: int, interval: float, start_in: float = 0.0) -> list[str]:
        """Plan `count` markers, one every `interval` seconds; answers the markers."""
        now = time.monotonic()
        with self.lock:
            planned = []
            for k in range(count):
                self._marker_count += 1
                n = self._marker_count
                marker = f"[{self.name}-{n:02d}{'👋' if n % 5 == 0 else ''}]"
                planned.append(marker)
                self._typing_plan.append((now + start_in + k * interval, marker))
            self._typing_plan.sort(key=lambda planned_marker: planned_marker[0])
        return planned

    def type_now(self, marker: str | None = None) -> str:
        with self.lock:
            if marker is None:
                self._marker_count += 1
                marker = f"[{self.name}-{self._marker_count:02d}]"
            self._typing_plan.insert(0, (0.0, marker))
        return marker

    def fetch_since(self, since: int, timeout: float = 15) -> list[dict[str, Any]]:
        """Every stored revision after `since` (a blocking `fetch`, outside the pump)."""
        answer = self.sio.call(
            "fetch", {"letter_id": self.letter_id, "since": since}, namespace=NAMESPACE, timeout=timeout
        )
        if not isinstance(answer, dict) or not answer.get("ok"):
            raise AssertionError(f"fetch refused: {answer!r}")
        return answer["revisions"]

    def wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate():
                    return
            time.sleep(0.02)
        with self.lock:
            if predicate():
                return
            raise TimeoutError(f"drafter {self.name}: {what} not within {timeout} s; {self.describe()}")

    def done_typing(self) -> bool:
        with self.lock:
            return not self._typing_plan

    def settled(self) -> bool:
        """Everything typed has been sent and stored, and the client has seen it come back."""
        with self.lock:
            return (
                self.joined
                and self.sync is not None
                and not self._typing_plan
                and self.sync.settled
                and not self._pending_markers
            )

    def catch_up(self, revision: int, timeout: float) -> None:
        """Wait until this client has applied `revision` (fetching it if no event brings it)."""
        with self.lock:
            self.known_revision = max(self.known_revision, revision)
        self.wait(lambda: self.sync is not None and self.sync.revision >= revision, timeout, f"revision {revision}")

    def acknowledged_markers(self) -> list[str]:
        with self.lock:
            return [m for record in self.edits.values() if record.acked_revision is not None for m in record.markers]

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "revision": self.sync.revision if self.sync else None,
                "text": self.sync.text if self.sync else None,
                "shadow": self.sync.shadow_text if self.sync else None,
                "settled": self.sync.settled if self.sync else False,
            }

    def describe(self) -> str:
        with self.lock:
            sync = self.sync
            return (
                f"revision={sync.revision if sync else None} known={self.known_revision} "
                f"connected={self.connected} joined={self.joined} in_flight={sync.in_flight if sync else None} "
                f"pending={sync.has_pending if sync else None} plan={len(self._typing_plan)} "
                f"buffer={sorted(self._buffer)[:5]} errors={dict(self.error_codes)} problems={self.problems[:3]}"
            )

    # -- Socket.IO handlers (any thread): queue only ---------------------------------------------

    def _on_connect(self) -> None:
        self.inbox.put(("connected",))

    def _on_disconnect(self, *_reason: Any) -> None:
        self.inbox.put(("disconnected",))

    def _on_connect_error(self, data: Any = None) -> None:
        self.inbox.put(("connect_error", data))

    def _on_revision(self, data: Any) -> None:
        self.inbox.put(("revision", data, time.monotonic()))

    def _on_revisions(self, data: Any) -> None:
        """Protocol version 2: a batch of consecutive revisions, each a `revision` event's fields."""
        at = time.monotonic()
        self.batches += 1
        for item in data["revisions"]:
            self.inbox.put(("revision", {"letter_id": data["letter_id"], **item}, at))

    def _on_presence(self, data: Any) -> None:
        with self.lock:
            self.presence = [user["name"] for user in data["users"]]

    def _emit(self, event: str, payload: dict[str, Any], tag: tuple) -> bool:
        generation = self.generation

        def answered(*args: Any) -> None:
            self.inbox.put(("answer", generation, tag, args[0] if args else None))

        try:
            self.sio.emit(event, payload, namespace=NAMESPACE, callback=answered)
        except Exception as error:  # (not connected: sent again after the reconnect)
            self.error_samples.append(f"{event} not sent: {error!r}"[:200])
            return False
        return True

    # -- the pump -------------------------------------------------------------------------------

    def _pump(self) -> None:
        while not self._stop.is_set():
            try:
                item = self.inbox.get(timeout=0.02)
            except queue.Empty:
                item = None
            with self.lock:
                try:
                    if item is not None:
                        self._handle(item)
                    self._tick()
                except Exception as error:  # (recorded; the test fails on it)
                    self.problems.append(f"pump: {error!r}"[:300])

    def _handle(self, item: tuple) -> None:
        kind = item[0]
        if kind == "connected":
            self.generation += 1
            self.connected = True
            self.joined = False
            self.connects += 1
            self._send_join()
        elif kind == "disconnected":
            self.connected = False
            self.joined = False
            self.disconnects += 1
        elif kind == "connect_error":
            self.connect_errors.append(repr(item[1])[:200])
        elif kind == "revision":
            data, at = item[1], item[2]
            if isinstance(data, dict) and data.get("letter_id") == self.letter_id:
                self.event_times.setdefault(data["revision"], at)
                self._receive(data, "event")
        elif kind == "answer":
            _, generation, tag, answer = item
            if generation != self.generation:
                return  # an answer on a connection since replaced
            handler = {"join": self._on_join_answer, "edit": self._on_edit_answer, "fetch": self._on_fetch_answer}
            handler[tag[0]](tag, answer)

    def _tick(self) -> None:
        now = time.monotonic()
        if self.connected and not self.joined and (self._join_sent_at is None or now - self._join_sent_at > 5):
            self._send_join()
        self._type_due(now)  # typing goes on while disconnected, as in a browser
        if not self.joined or self.sync is None:
            return
        edit = self.sync.in_flight
        if edit is not None:
            record = self.edits[edit.edit_id]
            unanswered = (
                record.awaiting
                and self._inflight_generation == self.generation
                and now - record.last_sent > ANSWER_TIMEOUT
            )
            if unanswered:
                self.unanswered += 1
            if (
                unanswered
                or self._inflight_generation != self.generation
                or (self._resend_at is not None and now >= self._resend_at)
            ):
                self._send_edit(edit.edit_id)
        self._maybe_fetch(now)
        self._maybe_send()

    # -- joining --------------------------------------------------------------------------------

    def _send_join(self) -> None:
        self._join_sent_at = time.monotonic()
        join = {"letter_id": self.letter_id}
        if self.protocol == 2:
            join["protocol"] = 2
        self._emit("join", join, ("join",))

    def _on_join_answer(self, _tag: tuple, answer: Any) -> None:
        if not isinstance(answer, dict) or not answer.get("ok"):
            self._record_error("join", answer)
            self._join_sent_at = time.monotonic() - 4.5  # ask again in half a second
            return
        revision, text = answer["revision"], answer["text"]
        if self.sync is None:
            self.sync = SyncClient(revision, text, client_id=f"{self.name}-e")
            self.join_revision = revision
        elif revision == self.sync.revision and text != self.sync.shadow_text:
            self.problems.append(f"join at revision {revision}: the server's text differs from the shadow")
        self.known_revision = max(self.known_revision, revision)
        self.joined = True
        self._fetch_sent_at = None  # a fetch sent on the old connection is lost
        if self.known_revision > self.sync.revision:
            self._send_fetch()  # missed revisions: ask at once
        self._drain()

    # -- receiving revisions --------------------------------------------------------------------

    def _receive(self, item: dict[str, Any], via: str) -> None:
        number = item["revision"]
        self.known_revision = max(self.known_revision, number)
        if self.sync is None or number > self.sync.revision:
            self._buffer.setdefault(number, {**item, "via": via})
        self._drain()

    def _drain(self) -> None:
        sync = self.sync
        if sync is None:
            return
        while sync.revision + 1 in self._buffer:
            item = self._buffer.pop(sync.revision + 1)
            was_inflight = sync.in_flight
            try:
                sync.receive_revision(item["revision"], item["patch"], item.get("edit_id"))
            except RevisionGap as error:  # cannot happen: only the next revision is applied
                self.problems.append(f"gap: {error}")
                return
            except Exception as error:  # (the shadow and the server disagree)
                self.problems.append(f"revision {item['revision']} does not apply: {error!r}"[:300])
                return
            self.applied.append((item["revision"], item["via"]))
            if was_inflight is not None and sync.in_flight is None:
                self._inflight_done()
        for number in [n for n in self._buffer if n <= sync.revision]:
            del self._buffer[number]
        if sync.revision >= self.known_revision:
            self._behind_since = None

    def _maybe_fetch(self, now: float) -> None:
        sync = self.sync
        if sync is None:
            return
        if self._fetch_sent_at is not None:
            if now - self._fetch_sent_at < ANSWER_TIMEOUT:
                return
            self.unanswered += 1
            self._fetch_sent_at = None  # no answer: ask again
        if sync.revision >= self.known_revision:
            self._behind_since = None
            return
        if self._behind_since is None:
            self._behind_since = now
        elif now - self._behind_since >= FETCH_GRACE:
            self._send_fetch()

    def _send_fetch(self) -> None:
        if self.sync is None:
            return
        self.fetches += 1
        self._fetch_sent_at = time.monotonic()
        self._behind_since = None
        self._emit("fetch", {"letter_id": self.letter_id, "since": self.sync.revision}, ("fetch",))

    def _on_fetch_answer(self, _tag: tuple, answer: Any) -> None:
        self._fetch_sent_at = None
        if not isinstance(answer, dict) or not answer.get("ok"):
            self._record_error("fetch", answer)
            return
        for item in answer["revisions"]:
            self._receive({"letter_id": self.letter_id, **item}, "fetch")

    # -- typing and sending ---------------------------------------------------------------------

    def _type_due(self, now: float) -> None:
        sync = self.sync
        while self._typing_plan and self._typing_plan[0][0] <= now and sync is not None:
            _, marker = self._typing_plan.pop(0)
            text = sync.text
            boundaries = [0, len(text)] + [i + 1 for i, ch in enumerate(text) if ch in " \n]"]
            at = self.rng.choice(boundaries)
            sync.insert(utf16_len(text[:at]), f"{marker} ")
            self._pending_markers.append(marker)
            self.typed.append(marker)

    def _maybe_send(self) -> None:
        sync = self.sync
        if sync is None or not self.joined or sync.in_flight is not None or not sync.has_pending:
            return
        edit = sync.take_edit()
        if edit is None:
            return
        self._inflight_markers, self._pending_markers = self._pending_markers, []
        self.edits[edit.edit_id] = EditRecord(
            edit.edit_id, list(self._inflight_markers), edit.base_revision, edit.patch
        )
        self._send_edit(edit.edit_id)

    def _send_edit(self, edit_id: str) -> None:
        """Send (or send again, unchanged) the edit in flight."""
        record = self.edits[edit_id]
        now = time.monotonic()
        self._resend_at = None
        self._inflight_generation = self.generation
        record.sends += 1
        record.awaiting = True
        record.first_sent = record.first_sent or now
        record.last_sent = now
        payload = {
            "letter_id": self.letter_id,
            "edit_id": record.edit_id,
            "base_revision": record.base_revision,
            "patch": record.patch,
        }
        if not self._emit("edit", payload, ("edit", edit_id, now)):
            self._inflight_generation = -1  # send again once connected

    def _on_edit_answer(self, tag: tuple, answer: Any) -> None:
        _, edit_id, sent_at = tag
        record = self.edits[edit_id]
        self.answer_latencies.append(time.monotonic() - sent_at)
        if sent_at == record.last_sent:
            record.awaiting = False
        sync = self.sync
        current = sync is not None and sync.in_flight is not None and sync.in_flight.edit_id == edit_id
        if isinstance(answer, dict) and answer.get("ok"):
            record.answers.append("ok")
            if record.acked_revision is None:
                record.acked_revision = answer["revision"]
                record.acked_after = time.monotonic() - record.first_sent
            elif record.acked_revision != answer["revision"]:
                self.problems.append(f"{edit_id} acknowledged as {record.acked_revision} and {answer['revision']}")
            self.known_revision = max(self.known_revision, answer["revision"])
            if current:
                sync.receive_ack(edit_id, answer["revision"])
                if sync.in_flight is None:
                    self._inflight_done()
            return
        code = self._record_error("edit", answer)
        record.answers.append(code)
        if not current:
            return
        if code == "conflict":  # rebuilt on the newest text and sent with a new edit_id
            sync.receive_error(edit_id, code)
            self._pending_markers = self._inflight_markers + self._pending_markers
            self._inflight_markers = []
            self._send_fetch()
        else:  # server_error (or anything else): nothing changed; the same edit again, later
            self._resend_at = time.monotonic() + RETRY_AFTER

    def _inflight_done(self) -> None:
        self._inflight_markers = []
        self._resend_at = None

    def _record_error(self, what: str, answer: Any) -> str:
        code = "no_answer"
        if isinstance(answer, dict):
            code = str((answer.get("error") or {}).get("code", "malformed"))
        self.error_codes[f"{what}:{code}"] += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{what}: {answer!r}"[:300])
        return code
