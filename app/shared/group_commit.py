"""Group commit: concurrent callers in one process share one transaction and one durable commit.

A caller hands its item to `GroupCommit.submit` and waits. If no batch is being written, the caller
becomes the leader: it takes every item queued so far (its own included, up to `max_batch`) and
runs `write_batch` on them, which does all of them in one transaction and returns one outcome per
item. Items that arrive meanwhile queue up and go together in the next batch, led by one of their
callers. Nobody gets an answer before the commit that made their item durable.

There is no timer and no background thread: under no load a batch is one item and costs what a
plain transaction costs; under load the batches grow by themselves. It works with threads and
with gevent's patched threading alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Ticket(Generic[T]):
    item: T
    done: bool = False
    outcome: object = field(default=None)
    failed: bool = False


class GroupCommit(Generic[T, R]):
    """`write_batch(items) -> outcomes` writes a batch in one transaction and commits it; an
    exception it raises is raised to every caller of that batch."""

    def __init__(self, write_batch: Callable[[Sequence[T]], Sequence[R]], max_batch: int = 500) -> None:
        self.write_batch = write_batch
        self.max_batch = max_batch
        self._condition = threading.Condition()
        self._queue: list[_Ticket[T]] = []
        self._writing = False
        self.batches = 0  # how many batches were written (for tests and benchmarks)

    def submit(self, item: T) -> R:
        """Write `item` with whatever else is queued; return its outcome once it is committed."""
        ticket: _Ticket[T] = _Ticket(item)
        with self._condition:
            self._queue.append(ticket)
            while not ticket.done:
                if self._writing:
                    self._condition.wait()
                else:
                    self._lead()
        if ticket.failed:
            raise ticket.outcome  # type: ignore[misc]
        return ticket.outcome  # type: ignore[return-value]

    def _lead(self) -> None:
        """Write the queued batch (called holding the condition; releases it while writing)."""
        batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
        self._writing = True
        self._condition.release()
        try:
            try:
                outcomes = list(self.write_batch([ticket.item for ticket in batch]))
                if len(outcomes) != len(batch):
                    raise RuntimeError("write_batch must return one outcome per item")
                failed = False
            except BaseException as error:  # every caller of the batch learns it failed
                outcomes, failed = [error] * len(batch), True
        finally:
            self._condition.acquire()
            self._writing = False
        for ticket, outcome in zip(batch, outcomes, strict=True):
            ticket.outcome, ticket.failed, ticket.done = outcome, failed, True
        self.batches += 1
        self._condition.notify_all()
