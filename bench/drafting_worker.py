"""One load-generator process for bench/drafting_load.py: many simulated drafters on asyncio.

Each drafter (protocol version 2 unless the config says `"protocol": 1`) is a Socket.IO
client of the `/draft` namespace (Engine.IO 4 / Socket.IO 5 over a
plain websocket, spoken directly by a small asyncio protocol so that one process can carry
a hundred clients cheaply) that behaves like the browser: it joins the letter, keeps a
`tests.support.sync_client.SyncClient` (shadow, one edit in flight, pending typing rebased over
every remote revision), applies every `revision` event it receives (asking with `fetch` on a gap), and
types at the rate of Etherpad's load tester: every 400 ms it appends 4 characters; with an
edit in flight the keystrokes wait and are merged into the next edit.

Each `edit_id` is `d<drafter>.<send time in µs since the epoch>-<n>`, so any process on the
machine can tell how long a revision took from its sender's send to its own receipt.

Protocol with the parent (JSON lines): it reads one config line on stdin, connects and joins
every drafter, prints {"event": "ready"}; then reads {"cmd": "go", ...times...}, types, and
after typing stops prints {"event": "settled"} once its drafters have nothing in flight or
pending; then reads {"cmd": "verify", "revision", "sha256"}, waits (bounded) until every
drafter has that revision, prints {"event": "result", ...}; then {"cmd": "quit"}.
Every wait is bounded. Not a test: a benchmark tool.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(Path(__file__).resolve().parent.parent))

from app.sync import utf16_len
from tests.support.sync_client import RevisionGap, SyncClient

NAMESPACE = "/draft"
EVENT_PREFIX = f"42{NAMESPACE},"
ACK_PREFIX = f"43{NAMESPACE},"
CONNECT_PREFIX = f"40{NAMESPACE},"
ERROR_PREFIX = f"44{NAMESPACE},"
PRESENCE_PREFIX = f'{EVENT_PREFIX}["presence"'
TICK = 0.4  # seconds between keystroke batches (Etherpad's load tester)
CHARS_PER_TICK = 4
BUCKET_US = 100  # latency histogram resolution: 0.1 ms


def now_us() -> int:
    return time.time_ns() // 1000


def log(message: str) -> None:
    print(f"[worker {os.getpid()}] {message}", file=sys.stderr, flush=True)


# -- a minimal Socket.IO client over a websocket ------------------------------------------


class SocketIOConnection(asyncio.Protocol):
    """One Engine.IO 4 websocket carrying the Socket.IO namespace /draft (text packets only)."""

    def __init__(self, host: str, port: int, auth: dict[str, Any], on_event) -> None:
        self.host = host
        self.port = port
        self.auth = auth
        self.on_event = on_event  # on_event(name, data, received_us)
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._upgraded = False
        self._fragments: list[bytes] = []
        self._acks: dict[int, Any] = {}
        self._next_ack = 0
        self.connected: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed = False
        self.close_reason = ""

    # transport callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {self.host}:{self.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        transport.write(request.encode())  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.close_reason = self.close_reason or (str(exc) if exc else "closed by server")
        if not self.connected.done():
            self.connected.set_exception(ConnectionError(self.close_reason))
        for future in self._acks.values():
            if not future.done():
                future.set_exception(ConnectionError(self.close_reason))
        self._acks.clear()

    def data_received(self, data: bytes) -> None:
        received = now_us()
        buffer = self._buffer
        buffer += data
        if not self._upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).decode("latin-1")
            del buffer[: end + 4]
            if " 101 " not in head.split("\r\n", 1)[0]:
                self._fail(f"websocket upgrade refused: {head.splitlines()[0]}")
                return
            self._upgraded = True
        while len(buffer) >= 2:
            b0, b1 = buffer[0], buffer[1]
            length = b1 & 0x7F
            pos = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length = int.from_bytes(buffer[2:4], "big")
                pos = 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length = int.from_bytes(buffer[2:10], "big")
                pos = 10
            mask = None
            if b1 & 0x80:
                if len(buffer) < pos + 4:
                    return
                mask = bytes(buffer[pos : pos + 4])
                pos += 4
            if len(buffer) < pos + length:
                return
            payload = bytes(buffer[pos : pos + length])
            del buffer[: pos + length]
            if mask is not None:
                payload = _mask(payload, mask)
            opcode = b0 & 0x0F
            if opcode == 0:  # continuation
                self._fragments.append(payload)
                if b0 & 0x80:
                    payload = b"".join(self._fragments)
                    self._fragments = []
                    self._packet(payload.decode(), received)
            elif opcode in (1, 2):
                if b0 & 0x80:
                    self._packet(payload.decode(), received)
                else:
                    self._fragments = [payload]
            elif opcode == 8:
                self.close_reason = "websocket closed by server"
                self._send_frame(8, payload[:2])
                if self.transport is not None:
                    self.transport.close()
                return
            elif opcode == 9:
                self._send_frame(10, payload)

    # Engine.IO / Socket.IO packets
    def _packet(self, packet: str, received: int) -> None:
        if packet.startswith(EVENT_PREFIX):
            if packet.startswith(PRESENCE_PREFIX):
                return  # presence lists: not part of the measurement
            body = packet[len(EVENT_PREFIX) :]
            if body[0].isdigit():  # an event asking for an ack: not used by the server
                body = body[body.index("[") :]
            args = json.loads(body)
            self.on_event(args[0], args[1] if len(args) > 1 else None, received)
        elif packet.startswith(ACK_PREFIX):
            body = packet[len(ACK_PREFIX) :]
            split = body.index("[")
            future = self._acks.pop(int(body[:split]), None)
            if future is not None and not future.done():
                args = json.loads(body[split:])
                future.set_result(args[0] if args else None)
        elif packet == "2":
            self.send_text("3")
        elif packet.startswith("0{"):
            self.send_text(CONNECT_PREFIX + json.dumps(self.auth))
        elif packet.startswith(CONNECT_PREFIX):
            if not self.connected.done():
                self.connected.set_result(True)
        elif packet.startswith(ERROR_PREFIX):
            self._fail(f"namespace connection refused: {packet[len(ERROR_PREFIX) :]}")
        elif packet.startswith(f"41{NAMESPACE}") or packet == "1":
            self._fail("disconnected by server")

    def _fail(self, reason: str) -> None:
        self.close_reason = reason
        if not self.connected.done():
            self.connected.set_exception(ConnectionError(reason))
        if self.transport is not None:
            self.transport.close()

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        length = len(payload)
        if length < 126:
            header = bytes((0x80 | opcode, 0x80 | length))
        elif length < 65536:
            header = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
        else:
            header = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
        key = random.getrandbits(32).to_bytes(4, "big")
        self.transport.write(header + key + _mask(payload, key))

    def send_text(self, text: str) -> None:
        self._send_frame(1, text.encode())

    def emit(self, event: str, data: Any) -> asyncio.Future:
        """Emit an event asking for an acknowledgement; the future gets the ack's first argument."""
        self._next_ack += 1
        future = asyncio.get_running_loop().create_future()
        if self.closed:
            future.set_exception(ConnectionError(self.close_reason))
            return future
        self._acks[self._next_ack] = future
        self.send_text(f"{EVENT_PREFIX}{self._next_ack}{json.dumps([event, data], separators=(',', ':'))}")
        return future

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.send_text(f"41{NAMESPACE},")
            self._send_frame(8, (1000).to_bytes(2, "big"))
            self.transport.close()


def _mask(payload: bytes, key: bytes) -> bytes:
    n = len(payload)
    if n == 0:
        return payload
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(n, "big")


# -- measurements -----------------------------------------------------------------------


class Stats:
    """What one process measured; merged by the parent."""

    def __init__(self) -> None:
        self.window = (0, 0)  # send times (µs) of the edits that count
        self.delivery_hist: dict[int, int] = {}  # per (edit, receiver): latency bucket -> count
        self.ack_hist: dict[int, int] = {}  # send -> ack of one's own edit
        self.per_edit: dict[str, list[int]] = {}  # edit_id -> [max latency µs, receivers]
        self.sent_in_window: list[str] = []
        self.acked_in_window = 0
        self.edits_sent = 0
        self.keystroke_batches = 0
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []
        self.gaps = 0
        self.fetches = 0
        self.receive_failures: list[str] = []
        self.disconnects = 0

    def in_window(self, sent_us: int) -> bool:
        return self.window[0] <= sent_us < self.window[1]

    def delivered(self, edit_id: str, sent_us: int, received_us: int) -> None:
        latency = max(0, received_us - sent_us)
        bucket = latency // BUCKET_US
        self.delivery_hist[bucket] = self.delivery_hist.get(bucket, 0) + 1
        entry = self.per_edit.get(edit_id)
        if entry is None:
            self.per_edit[edit_id] = [latency, 1]
        else:
            if latency > entry[0]:
                entry[0] = latency
            entry[1] += 1

    def error(self, code: str, detail: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1
        if len(self.error_samples) < 10:
            self.error_samples.append(detail)


def parse_edit_id(edit_id: object) -> tuple[int, int] | None:
    """(sender drafter index, send time µs) of a benchmark edit id, else None."""
    if not isinstance(edit_id, str) or not edit_id.startswith("d"):
        return None
    try:
        head = edit_id[1:].rsplit("-", 1)[0]
        sender, sent = head.split(".", 1)
        return int(sender), int(sent)
    except ValueError:
        return None


# -- one simulated drafter --------------------------------------------------------------


class Drafter:
    def __init__(self, index: int, token: str, config: dict[str, Any], stats: Stats) -> None:
        self.index = index
        self.token = token
        self.letter_id = config["letter_id"]
        self.host = config["host"]
        self.port = config["port"]
        self.stats = stats
        self.sync: SyncClient | None = None
        self.conn: SocketIOConnection | None = None
        self.fetching = False
        self.held: list[tuple[dict, int]] = []  # revisions that arrived during a fetch
        self.typing = False
        self.words = f"drafter {index} asks the council for safer streets and better buses. "
        self.word_pos = 0
        self.last_revision_at = 0.0
        self.protocol = int(config.get("protocol", 2))

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        _, conn = await loop.create_connection(
            lambda: SocketIOConnection(self.host, self.port, {"token": self.token}, self.on_event),
            self.host,
            self.port,
        )
        self.conn = conn
        await asyncio.wait_for(conn.connected, 30)
        join = {"letter_id": self.letter_id}
        if self.protocol == 2:
            join["protocol"] = 2
        answer = await asyncio.wait_for(conn.emit("join", join), 30)
        if not answer or not answer.get("ok"):
            raise RuntimeError(f"join refused: {answer}")
        if self.protocol == 2 and answer.get("protocol") != 2:
            raise RuntimeError(f"the server does not speak protocol 2: {answer}")
        self.sync = SyncClient(answer["revision"], answer["text"], f"d{self.index}")

    # typing
    def next_chunk(self) -> str:
        words = self.words
        start = self.word_pos % len(words)
        chunk = (words + words)[start : start + CHARS_PER_TICK]
        self.word_pos += CHARS_PER_TICK
        return chunk

    async def type_until(self, start: float, stop: float) -> None:
        """Append 4 characters every TICK seconds from `start` (wall clock) until `stop`."""
        tick_at = start
        while tick_at < stop:
            delay = tick_at - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.sync is not None and self.conn is not None and not self.conn.closed:
                self.sync.insert(utf16_len(self.sync.text), self.next_chunk())
                self.stats.keystroke_batches += 1
                self.maybe_send()
            tick_at += TICK

    def maybe_send(self) -> None:
        sync, conn = self.sync, self.conn
        if sync is None or conn is None or conn.closed or self.fetching:
            return
        if sync.in_flight is not None or not sync.has_pending:
            return
        sent = now_us()
        sync.client_id = f"d{self.index}.{sent}"  # the edit id carries its send time
        edit = sync.take_edit()
        if edit is None:
            return
        self.stats.edits_sent += 1
        counted = self.stats.in_window(sent)
        if counted:
            self.stats.sent_in_window.append(edit.edit_id)
        future = conn.emit(
            "edit",
            {
                "letter_id": self.letter_id,
                "edit_id": edit.edit_id,
                "base_revision": edit.base_revision,
                "patch": edit.patch,
            },
        )
        future.add_done_callback(lambda f: self.on_edit_answer(f, edit.edit_id, sent, counted))

    def on_edit_answer(self, future: asyncio.Future, edit_id: str, sent: int, counted: bool) -> None:
        sync = self.sync
        if future.cancelled() or future.exception() is not None or sync is None:
            self.stats.error("no_answer", f"{edit_id}: {future.exception() if not future.cancelled() else 'cancelled'}")
            return
        answer = future.result()
        if isinstance(answer, dict) and answer.get("ok"):
            if counted:
                self.stats.acked_in_window += 1
                bucket = max(0, now_us() - sent) // BUCKET_US
                self.stats.ack_hist[bucket] = self.stats.ack_hist.get(bucket, 0) + 1
            sync.receive_ack(edit_id, answer["revision"])
            self.maybe_send()
            return
        code = answer.get("error", {}).get("code", "?") if isinstance(answer, dict) else "?"
        self.stats.error(code, f"{edit_id}: {answer}")
        sync.receive_error(edit_id, code)
        if code == "conflict":
            self.start_fetch()
        else:
            self.maybe_send()

    # receiving
    def on_event(self, name: str, data: Any, received: int) -> None:
        if name not in ("revision", "revisions") or not isinstance(data, dict):
            return
        if data.get("letter_id") != self.letter_id:
            return
        self.last_revision_at = time.monotonic()
        # Version 2: a batch of consecutive revisions, each with a version-1 revision's fields.
        batch = [{"letter_id": self.letter_id, **r} for r in data["revisions"]] if name == "revisions" else [data]
        for revision in batch:
            if self.fetching:
                self.held.append((revision, received))
            else:
                self.apply_revision(revision, received)
        self.maybe_send()

    def apply_revision(self, data: dict, received: int) -> None:
        sync = self.sync
        if sync is None:
            return
        number = data["revision"]
        if number <= sync.revision:
            return
        edit_id = data.get("edit_id")
        try:
            sync.receive_revision(number, data["patch"], edit_id)
        except RevisionGap:
            self.stats.gaps += 1
            self.held.append((data, received))
            self.start_fetch()
            return
        except Exception as exc:  # the shadow and the server disagree: record, resync
            self.stats.receive_failures.append(f"d{self.index} r{number}: {type(exc).__name__}: {exc}"[:300])
            return
        parsed = parse_edit_id(edit_id)
        if parsed is not None and parsed[0] != self.index and self.stats.in_window(parsed[1]):
            self.stats.delivered(edit_id, parsed[1], received)

    def start_fetch(self) -> None:
        if self.fetching or self.conn is None or self.sync is None or self.conn.closed:
            return
        self.fetching = True
        self.stats.fetches += 1
        future = self.conn.emit("fetch", {"letter_id": self.letter_id, "since": self.sync.revision})
        future.add_done_callback(self.on_fetch_answer)

    def on_fetch_answer(self, future: asyncio.Future) -> None:
        self.fetching = False
        if future.cancelled() or future.exception() is not None:
            self.stats.error("fetch_failed", f"d{self.index}: fetch without answer")
            return
        answer = future.result()
        received = now_us()
        if not isinstance(answer, dict) or not answer.get("ok"):
            self.stats.error("fetch_refused", f"d{self.index}: {answer}")
            return
        for item in answer["revisions"]:
            self.apply_revision({"letter_id": self.letter_id, **item}, received)
        held, self.held = self.held, []
        for data, at in sorted(held, key=lambda pair: pair[0]["revision"]):
            self.apply_revision(data, at)
        self.maybe_send()


# -- the process ----------------------------------------------------------------------


async def read_command(reader: asyncio.StreamReader, timeout: float) -> dict[str, Any]:
    line = await asyncio.wait_for(reader.readline(), timeout)
    if not line:
        raise SystemExit("parent went away")
    return json.loads(line)


def emit_line(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


async def connect_all(drafters: list[Drafter], concurrency: int) -> list[str]:
    gate = asyncio.Semaphore(concurrency)
    failures: list[str] = []

    async def one(drafter: Drafter) -> None:
        async with gate:
            try:
                await drafter.start()
            except Exception as exc:
                failures.append(f"d{drafter.index}: {type(exc).__name__}: {exc}"[:300])

    await asyncio.gather(*(one(d) for d in drafters))
    return failures


async def wait_until(predicate, timeout: float, poll: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(poll)
    return predicate()


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    config = await read_command(reader, 60)
    stats = Stats()
    drafters = [Drafter(index, token, config, stats) for index, token in config["drafters"]]
    failures = await connect_all(drafters, config.get("connect_concurrency", 20))
    emit_line({"event": "ready", "connected": len(drafters) - len(failures), "failures": failures[:10]})

    go = await read_command(reader, 600)
    start, measure_from, measure_until, stop = go["start"], go["measure_from"], go["measure_until"], go["stop"]
    stats.window = (int(measure_from * 1e6), int(measure_until * 1e6))
    rng = random.Random(config.get("seed", 0))
    typists = config.get("typists")  # None: everyone types; else only drafters with a lower index
    typing = [
        asyncio.create_task(d.type_until(start + rng.random() * TICK, stop))
        for d in drafters
        if d.sync is not None and (typists is None or d.index < typists)
    ]
    await asyncio.gather(*typing)
    await asyncio.sleep(max(0.0, stop - time.time()))

    # Let in-flight edits finish and pending typing go out (bounded).
    def settled() -> bool:
        return all(d.sync is None or d.conn is None or d.conn.closed or d.sync.settled for d in drafters)

    settled_ok = await wait_until(settled, config.get("settle_seconds", 60))
    emit_line({"event": "settled", "ok": settled_ok, "seconds": round(time.time() - stop, 2)})

    verify = await read_command(reader, 600)
    target = verify["revision"]

    def caught_up() -> bool:
        return all(d.sync is None or d.conn is None or d.conn.closed or d.sync.revision >= target for d in drafters)

    deadline = time.monotonic() + config.get("settle_seconds", 60)
    while not caught_up() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        for d in drafters:  # a drafter that heard nothing for a while asks
            if d.sync is not None and d.sync.revision < target and time.monotonic() - d.last_revision_at > 2:
                d.last_revision_at = time.monotonic()
                d.start_fetch()

    matched = 0
    diverged: list[dict[str, Any]] = []
    lagging = 0
    mismatches = 0
    for d in drafters:
        if d.sync is None:
            continue
        mismatches += d.sync.mismatches
        if d.sync.revision < target:
            lagging += 1
        digest = hashlib.sha256(d.sync.text.encode("utf-8")).hexdigest()
        if digest == verify["sha256"] and d.sync.settled:
            matched += 1
        elif len(diverged) < 5:
            diverged.append(
                {
                    "drafter": d.index,
                    "revision": d.sync.revision,
                    "length": len(d.sync.text),
                    "settled": d.sync.settled,
                    "tail": d.sync.text[-80:],
                }
            )
        else:
            diverged.append({"drafter": d.index})
    for d in drafters:
        if d.conn is not None and d.conn.closed:
            stats.disconnects += 1
    emit_line(
        {
            "event": "result",
            "drafters": len(drafters),
            "matched": matched,
            "diverged": len(diverged),
            "diverged_samples": diverged[:5],
            "lagging": lagging,
            "sync_mismatches": mismatches,
            "delivery_hist": stats.delivery_hist,
            "ack_hist": stats.ack_hist,
            "per_edit": stats.per_edit,
            "sent_in_window": stats.sent_in_window,
            "acked_in_window": stats.acked_in_window,
            "edits_sent": stats.edits_sent,
            "keystroke_batches": stats.keystroke_batches,
            "errors": stats.errors,
            "error_samples": stats.error_samples,
            "gaps": stats.gaps,
            "fetches": stats.fetches,
            "receive_failures": stats.receive_failures[:10],
            "receive_failure_count": len(stats.receive_failures),
            "disconnects": stats.disconnects,
        }
    )
    with contextlib.suppress(Exception):
        await read_command(reader, 60)  # quit
    for d in drafters:
        if d.conn is not None:
            d.conn.close()
    await asyncio.sleep(0.2)


if __name__ == "__main__":
    asyncio.run(main())
