"""A token revoked by another process takes effect at once on every server process: the drafting
connections opened with it are refused on their next request (issue 11, item 10)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time

import pytest
import socketio

from app.sync import make_patch
from tests.multiprocess.cluster import PYTHON, REPO_ROOT

pytestmark = [pytest.mark.multiprocess, pytest.mark.xdist_group("multiprocess")]

NS = "/draft"
EMAIL = "Alder 7@multiprocess.invalid"

# A third process (a command, as `flask users ...` would be): it tells no server process anything.
TOKENS_SNIPPET = """
import json, sys
from app import create_app
from app.accounts import api_tokens, officials
app = create_app()
with app.app_context():
    official = officials.find_by_email(sys.argv[2])
    if sys.argv[1] == "issue":
        token = api_tokens.issue_token(official, "revoked by another process")
        print(json.dumps({"token": token, "id": api_tokens.list_tokens(official)[0].id}))
    else:
        api_tokens.revoke_token(official, int(sys.argv[3]))
        print("{}")
"""


def tokens_command(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run(
        [PYTHON, "-c", TOKENS_SNIPPET, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def connect(url: str, token: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(url, namespaces=[NS], auth={"token": token}, transports=["websocket"], wait_timeout=20)
    return client


def call(client: socketio.Client, event: str, payload: dict) -> dict:
    return client.call(event, payload, namespace=NS, timeout=20)


def test_a_token_revoked_elsewhere_is_refused_by_every_server_process(cluster):
    letter_id = cluster.new_letter("Revoked elsewhere", text="Dear Mayor,\n")
    issued = tokens_command(cluster.services.env, "issue", EMAIL)
    clients = [connect(app.url, issued["token"]) for app in cluster.apps.values()]
    try:
        for client in clients:
            assert call(client, "join", {"letter_id": letter_id})["ok"]
        first = {"letter_id": letter_id, "edit_id": "before", "base_revision": 0}
        answer = call(clients[0], "edit", {**first, "patch": make_patch("Dear Mayor,\n", "Dear Mayor,\nOne.\n")})
        assert answer == {"ok": True, "revision": 1}

        tokens_command(cluster.services.env, "revoke", EMAIL, str(issued["id"]))

        # Each connection is refused at its next request, or already closed by its process (told
        # through Redis: see the next test), whichever comes first.
        sneaky = make_patch("Dear Mayor,\nOne.\n", "Dear Mayor,\nOne.\nSneaky.\n")
        for n, client in enumerate(clients):
            edit = {"letter_id": letter_id, "edit_id": f"after-{n}", "base_revision": 1, "patch": sneaky}
            try:
                answer = call(client, "edit", edit)
            except (socketio.exceptions.BadNamespaceError, socketio.exceptions.TimeoutError):
                assert not client.connected
                continue
            assert answer["ok"] is False and answer["error"]["code"] == "unauthorized", answer
        assert cluster.letter(letter_id)["revision"] == 1
    finally:
        for client in clients:
            with contextlib.suppress(Exception):
                client.disconnect()


def test_a_token_revoked_elsewhere_closes_its_listening_connections_on_every_process(cluster):
    """A connection that only listens makes no request that would be refused: every process
    closes it when the token is revoked, here by a command, which tells them through Redis."""
    letter_id = cluster.new_letter("Closed elsewhere", text="Dear Mayor,\n")
    issued = tokens_command(cluster.services.env, "issue", EMAIL)
    kept = tokens_command(cluster.services.env, "issue", EMAIL)  # another token of the same official
    clients = [connect(app.url, issued["token"]) for app in cluster.apps.values()]
    others = [connect(app.url, kept["token"]) for app in cluster.apps.values()]
    try:
        for client in clients + others:
            assert call(client, "join", {"letter_id": letter_id})["ok"]

        tokens_command(cluster.services.env, "revoke", EMAIL, str(issued["id"]))

        deadline = time.monotonic() + 20
        while any(client.connected for client in clients):
            assert time.monotonic() < deadline, [client.connected for client in clients]
            time.sleep(0.1)
        assert all(client.connected for client in others), "the official's other token still holds"
    finally:
        for client in clients + others:
            with contextlib.suppress(Exception):
                client.disconnect()
