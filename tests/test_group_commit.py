"""Group commit: concurrent callers share one batch; each gets its own outcome after the batch."""

from __future__ import annotations

import threading

import pytest

from app.shared.group_commit import GroupCommit

CALLERS = 12


def wait_until(condition, timeout: float = 10.0) -> None:
    done = threading.Event()
    while not condition():
        if done.wait(0.005) or timeout <= 0:
            raise AssertionError("condition not reached")
        timeout -= 0.005


def test_callers_arriving_during_a_write_go_together_in_the_next_batch():
    batches: list[list[int]] = []
    first_batch_may_end = threading.Event()

    def write(items):
        batches.append(list(items))
        if len(batches) == 1:
            first_batch_may_end.wait(10)
        return [item * 10 for item in items]

    group = GroupCommit(write)
    results: dict[int, int] = {}
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, group.submit(n))) for n in range(CALLERS)]
    threads[0].start()
    wait_until(lambda: len(batches) == 1)  # caller 0 leads the first batch, alone
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: len(group._queue) == CALLERS - 1)  # the others queue behind it
    first_batch_may_end.set()
    for thread in threads:
        thread.join(10)

    assert batches[0] == [0]
    assert sorted(batches[1]) == list(range(1, CALLERS))  # one batch for all who waited
    assert results == {n: n * 10 for n in range(CALLERS)}  # each caller gets its own outcome
    assert group.batches == 2


def test_a_failed_batch_fails_each_of_its_callers_and_the_next_batch_still_runs():
    calls = []

    def write(items):
        calls.append(list(items))
        if "bad" in items:
            raise RuntimeError("database down")
        return ["ok"] * len(items)

    group = GroupCommit(write)
    with pytest.raises(RuntimeError, match="database down"):
        group.submit("bad")
    assert group.submit("good") == "ok"
    assert calls == [["bad"], ["good"]]


def test_a_batch_is_at_most_max_batch_items():
    sizes = []
    release = threading.Event()

    def write(items):
        sizes.append(len(items))
        if len(sizes) == 1:
            release.wait(10)
        return list(items)

    group = GroupCommit(write, max_batch=4)
    threads = [threading.Thread(target=group.submit, args=(n,)) for n in range(9)]
    threads[0].start()
    wait_until(lambda: len(sizes) == 1)
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: len(group._queue) == 8)
    release.set()
    for thread in threads:
        thread.join(10)
    assert sizes == [1, 4, 4]
