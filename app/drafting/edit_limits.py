"""Fair limits on real-time edits: a token bucket per connection and one per official.

Each bucket holds up to `burst` edits and refills at `rate` edits a second, so a fast typist (the
browser sends at most one edit per round trip, after a short pause) and the drafting benchmark
(about 2.5 edits a second per drafter) never meet the limit, while a runaway client does. The
buckets live in this process's memory: no database round trip per edit. With several server
processes, each counts the connections it serves (a connection always stays on one process).

Settings (see docs/configuration.md): DRAFT_EDIT_RATE and DRAFT_EDIT_BURST per connection,
DRAFT_EDIT_RATE_PER_OFFICIAL and DRAFT_EDIT_BURST_PER_OFFICIAL per official; a rate of 0 turns
that limit off."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from app.shared.errors import InvalidInput

MAX_BUCKETS = 20_000  # the least recently used are forgotten beyond this (a forgotten bucket is full)


class TooManyEdits(InvalidInput):
    """An edit over the limit: answered `bad_request`, with `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        seconds = math.ceil(retry_after * 10) / 10
        super().__init__(
            _("Too many edits at once: wait %(s)s seconds, then send the edit again.", s=seconds),
            details={"retry_after": seconds},
        )


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass(frozen=True)
class Limit:
    """`rate` edits a second, at most `burst` at once; a rate of 0 is no limit."""

    rate: float
    burst: float


class TokenBuckets:
    """Token buckets by key; `take` spends one token from every bucket named, or none."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, capacity: int = MAX_BUCKETS) -> None:
        self._clock = clock
        self._capacity = capacity
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, wanted: list[tuple[Hashable, Limit]]) -> float:
        """0 if a token was taken from each bucket; otherwise the seconds until each has one."""
        with self._lock:
            now = self._clock()
            buckets = []
            wait = 0.0
            for key, limit in wanted:
                if limit.rate <= 0:
                    continue
                bucket = self._refilled(key, limit, now)
                buckets.append(bucket)
                if bucket.tokens < 1:
                    wait = max(wait, (1 - bucket.tokens) / limit.rate)
            if wait > 0:
                return wait
            for bucket in buckets:
                bucket.tokens -= 1
            return 0.0

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._buckets.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()

    def _refilled(self, key: Hashable, limit: Limit, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=limit.burst, stamp=now)
            while len(self._buckets) > self._capacity:
                self._buckets.popitem(last=False)
        else:
            bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.stamp) * limit.rate)
            bucket.stamp = now
            self._buckets.move_to_end(key)
        return bucket


buckets = TokenBuckets()


def admit_edit(connection: str, official_id: int) -> None:
    """Spend one edit from the connection's and the official's buckets, or raise TooManyEdits."""
    config = current_app.config
    wait = buckets.take(
        [
            (("connection", connection), Limit(config["DRAFT_EDIT_RATE"], config["DRAFT_EDIT_BURST"])),
            (
                ("official", official_id),
                Limit(config["DRAFT_EDIT_RATE_PER_OFFICIAL"], config["DRAFT_EDIT_BURST_PER_OFFICIAL"]),
            ),
        ]
    )
    if wait > 0:
        raise TooManyEdits(wait)


def forget_connection(connection: str) -> None:
    """A closed connection's bucket is dropped."""
    buckets.forget(("connection", connection))
