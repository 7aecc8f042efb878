"""Two app processes behind nginx, sharing PostgreSQL and Redis: drafters on different processes
see each other's edits, and rate limits count across processes."""

from __future__ import annotations

import re
import time
import uuid

import pytest
import requests

from tests.multiprocess.checks import assert_converged, settle, summary

pytestmark = [pytest.mark.multiprocess, pytest.mark.xdist_group("multiprocess")]

EDITS_EACH = 20


def test_drafters_on_two_processes_converge(cluster, make_drafter):
    letter_id = cluster.new_letter("Two processes")
    initial = cluster.letter(letter_id)["text"]
    a = make_drafter("a", "A", 0, letter_id)
    b = make_drafter("b", "B", 1, letter_id)
    assert cluster.nginx.node_for["A"] != cluster.nginx.node_for["B"]

    for drafter in (a, b):
        drafter.type_markers(EDITS_EACH, interval=0.05)
    server = settle([a, b], cluster, letter_id)
    print(f"revisions: {server['revision']}\n{summary([a, b])}")

    assert_converged(server, [a, b], initial)
    assert server["revision"] >= 2  # (typing merges keystrokes made while an edit is in flight)
    for drafter in (a, b):
        assert len(drafter.typed) == EDITS_EACH
        assert all(record.acked_revision is not None for record in drafter.edits.values())
        assert drafter.connects == 1 and drafter.disconnects == 0
        assert not drafter.error_codes, drafter.error_samples

    # Every revision reached both clients as a `revision` event, whichever process stored it:
    # the message queue carried the other process's revisions (fetch only filled reordering).
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        set(range(1, server["revision"] + 1)) - set(d.event_times) for d in (a, b)
    ):
        time.sleep(0.05)
    for drafter in (a, b):
        missing = sorted(set(range(1, server["revision"] + 1)) - set(drafter.event_times))
        assert not missing, f"{drafter.name} never received revisions {missing} as events"
    own = {d.name: {r.acked_revision for r in d.edits.values()} for d in (a, b)}
    assert own["a"] and own["b"] and not own["a"] & own["b"]  # both processes stored revisions

    for app in cluster.apps.values():
        assert not app.problems(), f"app {app.name} logged tracebacks"


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the sign-in page"
    return match.group(1)


def test_sign_in_rate_limit_is_shared_between_processes(services, app_factory):
    # No allowlist here (the drafting processes allow 127.0.0.1), and a Redis database of its own.
    apps = app_factory(["limits-A", "limits-B"], RATE_LIMIT_ALLOWLIST="", RATELIMIT_STORAGE_URI=services.redis.url(2))
    forms = []
    for app in apps:
        session = requests.Session()
        page = session.get(f"{app.url}/auth/sign-in", timeout=30)
        assert page.status_code == 200
        forms.append((app, session, _csrf_token(page.text)))

    email = f"nobody-{uuid.uuid4().hex[:8]}@multiprocess.invalid"
    statuses = []
    for attempt in range(11):  # "10 per minute" on POST /auth/sign-in, alternating processes
        app, session, token = forms[attempt % 2]
        answer = session.post(
            f"{app.url}/auth/sign-in",
            data={"email": email, "password": "not the password", "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        statuses.append(answer.status_code)
    for _app, session, _token in forms:
        session.close()
    assert statuses == [401] * 10 + [429], statuses
