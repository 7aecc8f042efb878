"""Two app processes behind nginx, sharing PostgreSQL and Redis: drafters on different processes
see each other's edits, and rate limits count across processes."""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio

from tests.multiprocess.checks import assert_converged, settle, summary
from tests.multiprocess.cluster import REPO_ROOT, NginxProcess, free_port

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


def test_protocol_2_across_processes_in_order_without_fetches_and_shared_presence(cluster, make_drafter):
    """Version-2 drafters on two processes get every revision in `revisions` batches, in order,
    whichever process stored it, without a gap to fetch; a version-1 drafter beside them gets
    the same revisions one by one; each sees who is on the other process."""
    letter_id = cluster.new_letter("Protocol 2 on two processes")
    initial = cluster.letter(letter_id)["text"]
    a = make_drafter("a", "A", 0, letter_id, protocol=2)
    b = make_drafter("b", "B", 1, letter_id, protocol=2)
    c = make_drafter("c", "B", 2, letter_id, protocol=1)
    assert cluster.nginx.node_for["A"] != cluster.nginx.node_for["B"]

    for drafter in (a, b, c):
        drafter.type_markers(EDITS_EACH, interval=0.05)
    server = settle([a, b, c], cluster, letter_id)
    assert_converged(server, [a, b, c], initial)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        set(range(1, server["revision"] + 1)) - set(d.event_times) for d in (a, b, c)
    ):
        time.sleep(0.05)
    for drafter in (a, b, c):
        missing = sorted(set(range(1, server["revision"] + 1)) - set(drafter.event_times))
        assert not missing, f"{drafter.name} never received revisions {missing} as events"
        assert drafter.fetches == 0, f"{drafter.name} had to fetch: revisions arrived out of order or late"
        assert not drafter.error_codes, drafter.error_samples
    assert a.batches and b.batches and c.batches == 0
    own = {d.name: {r.acked_revision for r in d.edits.values()} for d in (a, b)}
    assert own["a"] and own["b"]  # both processes stored revisions

    names = {d.name: d for d in (a, b, c)}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(len(d.presence) < 3 for d in names.values()):
        time.sleep(0.1)
    for drafter in names.values():
        assert len(drafter.presence) == 3, f"{drafter.name} sees only {drafter.presence}"
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

    run = uuid.uuid4().hex[:8]
    statuses = []
    for attempt in range(11):  # "10 per minute" on POST /auth/sign-in, alternating processes
        app, session, token = forms[attempt % 2]
        answer = session.post(
            f"{app.url}/auth/sign-in",
            # A new address each time: this is the per-address limit, not the per-account slow-down.
            data={"email": f"nobody-{run}-{attempt}@multiprocess.invalid", "password": "wrong", "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        statuses.append(answer.status_code)
    for _app, session, _token in forms:
        session.close()
    assert statuses == [401] * 10 + [429], statuses


def test_sign_in_slow_down_per_account_is_shared_between_processes(services, app_factory):
    """Wrong passwords for one account count across processes: after 5, alternating between
    them, the next attempt waits on either (RATELIMIT_STORAGE_URI is Redis)."""
    apps = app_factory(
        ["slow-A", "slow-B"], RATE_LIMIT_ALLOWLIST="127.0.0.1", RATELIMIT_STORAGE_URI=services.redis.url(3)
    )
    forms = []
    for app in apps:
        session = requests.Session()
        forms.append((app, session, _csrf_token(session.get(f"{app.url}/auth/sign-in", timeout=30).text)))
    email = f"nobody-{uuid.uuid4().hex[:8]}@multiprocess.invalid"
    answers = []
    for attempt in range(7):
        app, session, token = forms[attempt % 2]
        answer = session.post(
            f"{app.url}/auth/sign-in",
            data={"email": email, "password": "not the password", "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        answers.append((answer.status_code, answer.headers.get("Retry-After") is not None))
    for _app, session, _token in forms:
        session.close()
    assert answers == [(401, False)] * 5 + [(429, True)] * 2, answers


def production_site(apps, http_port: int, https_port: int, cert, key) -> str:
    """deploy/nginx.conf with its addresses, ports, certificate and log file replaced, nothing else."""
    site = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    access_log = Path(cert).with_name("nginx-access.log")
    replacements = [
        (r"access_log /var/log/nginx/\S+ ", f"access_log {access_log} "),
        (r"(?m)^\s*server 127\.0\.0\.1:\d+ [^;]*;\n", ""),
        (r"(?m)^\s*listen \[::\]:[^\n]*\n", ""),
        (r"(?m)^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http_port};"),
        (r"(?m)^(\s*)listen 443 ssl", rf"\1listen 127.0.0.1:{https_port} ssl"),
        (r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};"),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement, site)
        assert count, f"deploy/nginx.conf no longer has {pattern!r}"
    servers = "".join(f"    server 127.0.0.1:{app.port} max_fails=1 fail_timeout=10s;\n" for app in apps)
    site, count = re.subn(r"(hash \$remote_addr consistent;\n)", rf"\1{servers}", site)
    assert count == 1, "deploy/nginx.conf no longer hashes $remote_addr"
    return site


def test_production_nginx_example_serves_drafting(cluster, make_drafter, tmp_path):
    """deploy/nginx.conf as shipped (TLS, HTTP/2, sticky by address, websocket upgrade) in front of
    the two processes: the redirect, HSTS, and a drafting session over wss:// through it."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    http_port, https_port = free_port(), free_port()
    site = production_site(cluster.apps.values(), http_port, https_port, cert, key)
    nginx = NginxProcess(tmp_path / "production-nginx", site, [http_port, https_port])
    nginx.start()
    try:
        plain = requests.get(f"http://127.0.0.1:{http_port}/healthz", allow_redirects=False, timeout=10)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
        secure = requests.get(f"https://127.0.0.1:{https_port}/healthz", verify=str(cert), timeout=10)
        assert secure.status_code == 200 and "max-age" in secure.headers["Strict-Transport-Security"]

        # A browser on the site sends Origin https://<host> (the standard port is left out).
        url = f"https://127.0.0.1:{https_port}"
        browser_like = {"ssl_verify": False, "websocket_extra_options": {"origin": "https://127.0.0.1"}}
        letter_id = cluster.new_letter("Through the production nginx")
        initial = cluster.letter(letter_id)["text"]
        drafter = make_drafter("p", "A", 2, letter_id, url=url, **browser_like)
        drafter.type_markers(5, interval=0.05)
        server = settle([drafter], cluster, letter_id)
        assert_converged(server, [drafter], initial)
        assert drafter.connects == 1 and not drafter.error_codes

        # A page from another site may not open a drafting connection through the proxy.
        foreign = socketio.Client(
            reconnection=False, ssl_verify=False, websocket_extra_options={"origin": "https://elsewhere.example"}
        )
        # (python-engineio reports the refused handshake as ConnectionError or ValueError.)
        with contextlib.suppress(socketio.exceptions.ConnectionError, ValueError):
            foreign.connect(
                url,
                transports=["websocket"],
                namespaces=["/draft"],
                auth={"token": cluster.services.drafter_token(3)},
                wait_timeout=5,
            )
        assert not foreign.connected
        foreign.disconnect()

        # Emailed links' secret tokens are not written to the access log; the routes are.
        for path in ("/signatures/confirm/SeCrEt1/correct", "/signatures/withdraw/SeCrEt2", "/auth/link/SeCrEt3"):
            requests.get(f"{url}{path}", verify=str(cert), timeout=10)
    finally:
        nginx.stop()
    logged = (tmp_path / "nginx-access.log").read_text()
    assert "SeCrEt" not in logged, logged
    assert "/signatures/confirm/[token]/correct" in logged and "/auth/link/[token]" in logged, logged
    assert "/healthz" in logged
