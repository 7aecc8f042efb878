"""Faults during a drafting load on two app processes: a process killed, Redis restarted,
PostgreSQL restarted. Only the private services of these tests are stopped (see conftest.py).

In each: drafters on both processes keep typing through the fault; afterwards every client has
the server's text, the revisions are dense, and no acknowledged edit is lost or applied twice.
"""

from __future__ import annotations

import contextlib
import time

import pytest
import requests
import socketio

from tests.multiprocess.checks import assert_converged, settle, summary
from tests.multiprocess.cluster import api_get
from tests.multiprocess.drafter import ANSWER_TIMEOUT

pytestmark = [pytest.mark.multiprocess, pytest.mark.xdist_group("multiprocess")]

ANSWER_BOUND = ANSWER_TIMEOUT  # seconds: no edit waits longer for its answer, fault or not


def start_load(cluster, make_drafter, letter_id: int, per_process: int, markers: int, interval: float):
    drafters = []
    for app in ("A", "B"):
        for n in range(per_process):
            official = len(drafters)
            drafters.append(make_drafter(f"{app.lower()}{n}", app, official, letter_id))
    for drafter in drafters:
        drafter.type_markers(markers, interval)
    return drafters


def assert_answers_bounded(drafters) -> None:
    for drafter in drafters:
        slowest = max(drafter.answer_latencies, default=0.0)
        assert slowest < ANSWER_BOUND, f"{drafter.name} waited {slowest:.1f} s for an answer"
        assert drafter.unanswered == 0, f"{drafter.name}: {drafter.unanswered} requests never answered"


def assert_json_error(answer: requests.Response, status: int, code: str) -> None:
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    assert answer.headers.get("Content-Type", "").startswith("application/json"), answer.text[:300]
    assert answer.json()["error"]["code"] == code, answer.text


def test_killing_a_process_loses_no_acknowledged_edit(cluster, make_drafter):
    letter_id = cluster.new_letter("A process dies")
    initial = cluster.letter(letter_id)["text"]
    drafters = start_load(cluster, make_drafter, letter_id, per_process=3, markers=24, interval=0.12)
    on_b = [d for d in drafters if d.name.startswith("b")]

    time.sleep(1.2)  # typing is well under way on both processes
    acked_before = {m for d in on_b for m in d.acknowledged_markers()}
    cluster.apps["B"].kill()
    assert not cluster.apps["B"].alive()

    server = settle(drafters, cluster, letter_id, timeout=60)
    print(f"revisions: {server['revision']}\n{summary(drafters)}")
    assert acked_before, "the drafters on B had nothing acknowledged before the kill"
    for drafter in on_b:  # they lost their process, reconnected through nginx to A and caught up
        assert drafter.disconnects >= 1 and drafter.connects >= 2, drafter.describe()
    for drafter in drafters:
        if drafter not in on_b:  # the drafters on A never noticed
            assert drafter.connects == 1 and drafter.disconnects == 0, drafter.describe()
    for drafter in drafters:
        assert drafter.error_codes.total() == 0, drafter.error_samples
    assert_answers_bounded(drafters)
    assert_converged(server, drafters, initial)


def test_redis_restart_during_drafting(cluster, make_drafter, services):
    letter_id = cluster.new_letter("Redis restarts")
    initial = cluster.letter(letter_id)["text"]
    drafters = start_load(cluster, make_drafter, letter_id, per_process=2, markers=30, interval=0.15)
    a0 = next(d for d in drafters if d.name == "a0")
    b0 = next(d for d in drafters if d.name == "b0")

    time.sleep(1.0)
    services.redis.stop()
    try:
        time.sleep(1.0)
        # While Redis is down the HTTP API still answers (JSON), on both processes.
        for app in cluster.apps.values():
            answer = api_get(app.url, f"/api/v1/letters/{letter_id}", services.drafter_token(0))
            assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        time.sleep(1.5)
    finally:
        services.redis.start()
    down_errors = {code for d in drafters for code in d.error_codes}
    assert down_errors <= {"edit:server_error"}, [d.error_samples for d in drafters]

    server = settle(drafters, cluster, letter_id, timeout=90)

    # Broadcasting recovers without restarting the app: an edit stored on A reaches a drafter on B
    # as a `revision` event (the app's Redis listener reconnects with back-off: bounded wait).
    reached = False
    deadline = time.monotonic() + 45
    probes = 0
    while not reached and time.monotonic() < deadline and probes < 40:
        probes += 1
        marker = a0.type_now()
        a0.wait(lambda m=marker: a0.settled() and m in a0.acknowledged_markers(), 30, "probe acknowledged")
        number = next(r.acked_revision for r in a0.edits.values() if marker in r.markers)
        until = time.monotonic() + 2
        while time.monotonic() < until and number not in b0.event_times:
            time.sleep(0.05)
        reached = number in b0.event_times
    assert reached, f"no revision from A reached B as an event within 45 s after Redis came back ({probes} probes)"

    server = settle(drafters, cluster, letter_id, timeout=60)
    print(f"revisions: {server['revision']}, probes until broadcasts reached B: {probes}\n{summary(drafters)}")
    assert_answers_bounded(drafters)
    assert_converged(server, drafters, initial)
    for app in cluster.apps.values():
        assert app.alive(), f"app {app.name} died"


def test_postgres_restart_during_drafting(cluster, make_drafter, services):
    letter_id = cluster.new_letter("PostgreSQL restarts")
    initial = cluster.letter(letter_id)["text"]
    drafters = start_load(cluster, make_drafter, letter_id, per_process=2, markers=30, interval=0.15)

    time.sleep(1.0)
    services.postgres.stop("fast")
    try:
        time.sleep(0.5)
        # The HTTP API answers a JSON 500 (not an HTML page), directly and through nginx.
        for base in [app.url for app in cluster.apps.values()] + [cluster.nginx.url]:
            answer = api_get(base, f"/api/v1/letters/{letter_id}", services.drafter_token(0))
            assert_json_error(answer, 500, "server_error")
        time.sleep(2.0)
        refused = {code for d in drafters for code in d.error_codes}
    finally:
        services.postgres.start()
    # Edits made while the database was down were answered with a clear error: server_error.
    assert "edit:server_error" in refused, [d.error_samples for d in drafters]
    assert refused <= {"edit:server_error"}, [d.error_samples for d in drafters]

    server = settle(drafters, cluster, letter_id, timeout=90)
    print(f"revisions: {server['revision']}\n{summary(drafters)}")
    # Edits succeed again without restarting the app (every drafter's edits were stored).
    for drafter in drafters:
        assert drafter.edits and all(r.acked_revision is not None for r in drafter.edits.values())
    assert_answers_bounded(drafters)
    assert_converged(server, drafters, initial)
    for app in cluster.apps.values():
        assert app.alive(), f"app {app.name} died"
        answer = api_get(app.url, f"/api/v1/letters/{letter_id}", services.drafter_token(0))
        assert answer.status_code == 200


def try_to_connect(url: str, token: str, wait: float) -> tuple[list, float, bool]:
    """Open a /draft connection; answers (connect_error payloads, seconds taken, connected)."""
    client = socketio.Client(reconnection=False, handle_sigint=False)
    refusals: list = []
    client.on("connect_error", lambda data=None: refusals.append(data), namespace="/draft")
    started = time.monotonic()
    with contextlib.suppress(socketio.exceptions.ConnectionError):
        client.connect(url, transports=["websocket"], namespaces=["/draft"], auth={"token": token}, wait_timeout=wait)
    taken, connected = time.monotonic() - started, client.connected
    with contextlib.suppress(Exception):
        client.disconnect()
    return refusals, taken, connected


def test_connecting_while_postgres_is_down_is_answered(app_factory, services):
    """A client that (re)connects during a database outage is told at once (connect_error), so that
    it can try again, instead of waiting for an answer that never comes: socket.io-client in a
    browser has no timeout for a namespace's CONNECT and would stay half-connected for good."""
    (app,) = app_factory(["db-down"])
    token = services.drafter_token(0)
    services.postgres.stop("fast")
    try:
        refusals, taken, connected = try_to_connect(app.url, token, wait=5)
    finally:
        services.postgres.start()
    # Once the database is back, connecting works again without restarting the app.
    _, _, connected_after = try_to_connect(app.url, token, wait=10)
    assert connected_after
    assert not connected
    assert refusals, f"no connect_error after {taken:.1f} s while the database was down: the connection hangs"
