"""Assertions shared by the multi-process tests: convergence and nothing lost."""

from __future__ import annotations

import time
from typing import Any

from app.sync import apply_patch_exact
from tests.multiprocess.drafter import Drafter


def wait_all(drafters: list[Drafter], what: str, predicate_name: str, timeout: float) -> None:
    """Wait (bounded) until every drafter's `predicate_name()` is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(getattr(d, predicate_name)() for d in drafters):
            return
        time.sleep(0.05)
    lagging = [f"{d.name}: {d.describe()}" for d in drafters if not getattr(d, predicate_name)()]
    if lagging:
        raise AssertionError(f"{what} not within {timeout} s:\n" + "\n".join(lagging))


def settle(drafters: list[Drafter], cluster: Any, letter_id: int, timeout: float = 60) -> dict[str, Any]:
    """Wait until every drafter has stored all it typed, then until each has the server's newest
    revision; answers the server's letter (GET /api/v1/letters/{id} through nginx)."""
    wait_all(drafters, "typing stored", "settled", timeout)
    server = cluster.letter(letter_id)
    for drafter in drafters:
        drafter.catch_up(server["revision"], timeout)
    return server


def assert_converged(server: dict[str, Any], drafters: list[Drafter], initial_text: str) -> None:
    """Every drafter has the server's text; the revisions are dense, replay to that text, and every
    marker typed (in particular every acknowledged one) is in it exactly once."""
    text, newest = server["text"], server["revision"]
    for drafter in drafters:
        state = drafter.state()
        assert not drafter.problems, f"{drafter.name}: {drafter.problems}"
        assert state["revision"] == newest, f"{drafter.name} is at {state['revision']}, the server at {newest}"
        assert state["text"] == text, f"{drafter.name} diverged from the server"
        assert state["shadow"] == text and state["settled"], f"{drafter.name} is not settled"
        applied = [number for number, _via in drafter.applied]
        assert applied == list(range(drafter.join_revision + 1, newest + 1)), (
            f"{drafter.name} applied revisions out of order or with gaps: {applied}"
        )
        conflicts = {code: n for code, n in drafter.error_codes.items() if code.endswith(":conflict")}
        assert not conflicts, f"{drafter.name} had conflicts (its copy was wrong): {drafter.error_samples}"

    revisions = drafters[0].fetch_since(0)
    assert [r["revision"] for r in revisions] == list(range(1, newest + 1)), "revisions are not dense 1..N"
    edit_ids = [r["edit_id"] for r in revisions]
    assert len(set(edit_ids)) == len(edit_ids), "an edit_id was stored twice"
    replayed = initial_text
    for revision in revisions:
        replayed = apply_patch_exact(replayed, revision["patch"])
    assert replayed == text, "the stored patches do not replay to the server's text"

    typed = [marker for drafter in drafters for marker in drafter.typed]
    assert len(set(typed)) == len(typed)
    acknowledged = {marker for drafter in drafters for marker in drafter.acknowledged_markers()}
    counts = {marker: text.count(marker) for marker in typed}
    lost = sorted(m for m, n in counts.items() if n == 0)
    doubled = sorted(m for m, n in counts.items() if n > 1)
    assert not (lost or doubled), (
        f"lost: {lost} (acknowledged among them: {sorted(acknowledged & set(lost))}); twice or more: {doubled}"
    )
    assert acknowledged <= set(typed)


def summary(drafters: list[Drafter]) -> str:
    """One line per drafter (printed; pytest shows it with -s or on failure)."""
    lines = []
    for d in drafters:
        via_fetch = sum(1 for _n, via in d.applied if via == "fetch")
        slowest = max(d.answer_latencies, default=0.0)
        resent = sum(1 for record in d.edits.values() if record.sends > 1)
        lines.append(
            f"{d.name}: typed={len(d.typed)} edits={len(d.edits)} applied={len(d.applied)} "
            f"(by fetch {via_fetch}) resent={resent} fetches={d.fetches} connects={d.connects} "
            f"errors={dict(d.error_codes)} "
            f"slowest answer={slowest:.2f}s"
        )
    return "\n".join(lines)
