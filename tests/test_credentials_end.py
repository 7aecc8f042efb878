"""Signing out, revoking a token, a new password or a deactivation take effect at once: on the
browser's cookie and on the drafting connections opened with them (issue 11, item 10)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.accounts.models import ApiToken, Official
from app.extensions import db
from app.letters.models import Letter
from app.sync import make_patch
from tests.conftest import csrf_token_from
from tests.support.sockets import socket_client

NS = "/draft"
TEXT = "Dear Mayor,\n\nWe ask.\n"


@pytest.fixture
def letter_id(client, drafter, bearer) -> int:
    return client.post("/api/v1/letters", json={"title": "Sanctuary", "text": TEXT}, headers=bearer(drafter)).json["id"]


@pytest.fixture
def sockets(app):
    opened = []

    def open_socket(**kwargs):
        sio = socket_client(app, namespace=NS, **kwargs)
        assert sio.is_connected(NS)
        opened.append(sio)
        return sio

    yield open_socket
    for sio in opened:
        if sio.is_connected(NS):
            sio.disconnect(namespace=NS)


def join(sio, letter_id: int) -> dict:
    answer = sio.emit("join", {"letter_id": letter_id}, namespace=NS, callback=True)
    sio.get_received(NS)
    return answer


def edit(sio, letter_id: int, edit_id: str, old: str, new: str) -> dict:
    db.session.expire_all()
    base = db.session.get(Letter, letter_id).revision
    payload = {"letter_id": letter_id, "edit_id": edit_id, "base_revision": base, "patch": make_patch(old, new)}
    return sio.emit("edit", payload, namespace=NS, callback=True)


def revision_of(letter_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Letter, letter_id).revision


def revisions_received(sio) -> list[int]:
    return [event["args"][0]["revision"] for event in sio.get_received(NS) if event["name"] == "revision"]


def token_socket(sockets, app, official):
    from app.accounts import api_tokens

    token = api_tokens.issue_token(official, "socket")
    record = db.session.scalar(select(ApiToken).where(ApiToken.official_id == official.id).order_by(ApiToken.id.desc()))
    return sockets(auth={"token": token}), record.id


def sign_out(client) -> None:
    token = csrf_token_from(client.get("/dashboard").get_data(as_text=True))
    assert client.post("/auth/sign-out", data={"csrf_token": token}).status_code == 302


# -- browser sessions ------------------------------------------------------------------------


def test_a_copy_of_the_cookie_no_longer_signs_in_after_sign_out(app, client, drafter, sign_in):
    sign_in(drafter)
    copied = client.get_cookie("session").value
    sign_out(client)
    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/dashboard")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


def test_signing_out_ends_the_session_on_every_device_and_signing_in_again_works(app, client, drafter, sign_in):
    sign_in(drafter)
    other = app.test_client()
    page = other.get("/auth/sign-in")
    other.post(
        "/auth/sign-in",
        data={
            "email": drafter.email,
            "password": "correct horse battery staple",
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )
    assert other.get("/dashboard").status_code == 200
    sign_out(client)
    assert other.get("/dashboard").status_code == 302
    sign_in(drafter)
    assert client.get("/dashboard").status_code == 200


def test_signing_out_closes_the_drafting_connections_of_that_session(
    app, client, drafter, drafter2, sign_in, sockets, letter_id, bearer
):
    sign_in(drafter)
    browser = sockets(flask_test_client=client)
    assert join(browser, letter_id)["ok"]
    colleague = sockets(auth={"token": bearer(drafter2)["Authorization"][7:]})
    assert join(colleague, letter_id)["ok"]
    sign_out(client)
    assert not browser.is_connected(NS)
    assert colleague.is_connected(NS)
    assert edit(colleague, letter_id, "c1", TEXT, TEXT + "More.\n")["ok"]


def test_a_session_ended_elsewhere_is_refused_on_the_next_request(
    app, client, drafter, drafter2, sign_in, sockets, letter_id, bearer
):
    """Another server process ended the session (no signal reaches this one): the connection's
    next request is refused, nothing changes, and it gets no more of the room's events."""
    sign_in(drafter)
    browser = sockets(flask_test_client=client)
    assert join(browser, letter_id)["ok"]
    db.session.execute(
        update(Official).where(Official.id == drafter.id).values(session_version=Official.session_version + 1)
    )
    db.session.commit()
    answer = edit(browser, letter_id, "e1", TEXT, TEXT + "Sneaky.\n")
    assert answer["ok"] is False and answer["error"]["code"] == "unauthorized"
    assert revision_of(letter_id) == 0
    for event in ("join", "fetch"):
        refused = browser.emit(event, {"letter_id": letter_id, "since": 0}, namespace=NS, callback=True)
        assert refused["error"]["code"] == "unauthorized"
    colleague = sockets(auth={"token": bearer(drafter2)["Authorization"][7:]})
    assert join(colleague, letter_id)["ok"]
    assert edit(colleague, letter_id, "c1", TEXT, TEXT + "More.\n")["ok"]
    assert revisions_received(browser) == []
    assert revisions_received(colleague) == [1]


def test_a_new_password_closes_the_drafting_connections_of_older_sessions(
    app, client, drafter, sign_in, sockets, letter_id
):
    from app.accounts import officials

    sign_in(drafter)
    browser = sockets(flask_test_client=client)
    officials.set_password(drafter, "a brand new long password")
    db.session.commit()
    answer = browser.emit("join", {"letter_id": letter_id}, namespace=NS, callback=True)
    assert answer["error"]["code"] == "unauthorized"


# -- API tokens --------------------------------------------------------------------------------


def test_revoking_a_token_closes_its_drafting_connections_at_once(app, client, drafter, sign_in, sockets, letter_id):
    sio, token_id = token_socket(sockets, app, drafter)
    assert join(sio, letter_id)["ok"]
    assert edit(sio, letter_id, "e1", TEXT, TEXT + "One.\n")["ok"]
    other, _ = token_socket(sockets, app, drafter)
    sign_in(drafter)
    token = csrf_token_from(client.get("/account/tokens").get_data(as_text=True))
    assert client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": token}).status_code == 302
    assert not sio.is_connected(NS)
    assert other.is_connected(NS)  # another token of the same official still holds
    assert join(other, letter_id)["ok"]


def test_a_token_revoked_elsewhere_is_refused_on_the_next_request(app, drafter, drafter2, sockets, letter_id, bearer):
    sio, token_id = token_socket(sockets, app, drafter)
    assert join(sio, letter_id)["ok"]
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=db.func.now()))
    db.session.commit()
    answer = edit(sio, letter_id, "e1", TEXT, TEXT + "Sneaky.\n")
    assert answer["ok"] is False and answer["error"]["code"] == "unauthorized"
    assert revision_of(letter_id) == 0
    colleague = sockets(auth={"token": bearer(drafter2)["Authorization"][7:]})
    assert join(colleague, letter_id)["ok"]
    assert edit(colleague, letter_id, "c1", TEXT, TEXT + "More.\n")["ok"]
    assert revisions_received(sio) == []


def test_deactivating_an_official_closes_all_their_connections(
    app, client, clerk, drafter, sign_in, sockets, letter_id
):
    from app.accounts import officials

    by_token, _ = token_socket(sockets, app, drafter)
    officials.set_active(clerk, drafter.id, False)
    assert not by_token.is_connected(NS)


def test_a_failure_while_closing_connections_does_not_undo_the_revocation(
    app, client, drafter, sign_in, sockets, letter_id, monkeypatch
):
    from app.accounts import credentials

    sio, token_id = token_socket(sockets, app, drafter)
    assert join(sio, letter_id)["ok"]
    sign_in(drafter)
    token = csrf_token_from(client.get("/account/tokens").get_data(as_text=True))
    holding = credentials.official_holding

    def database_down(credential):
        raise ConnectionError("database down")

    monkeypatch.setattr(credentials, "official_holding", database_down)
    assert client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": token}).status_code == 302
    monkeypatch.setattr(credentials, "official_holding", holding)
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is not None
    assert edit(sio, letter_id, "e1", TEXT, TEXT + "Sneaky.\n")["error"]["code"] == "unauthorized"
