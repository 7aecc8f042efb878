"""API tokens: issued from the web and the CLI, checked on every API call, revocable."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import ApiToken
from app.extensions import db


def test_token_page_creates_token_shown_once(client, drafter, sign_in, submit_form):
    sign_in(drafter)
    page = submit_form("/account/tokens", {"label": "Ward script"})
    html = page.get_data(as_text=True)
    assert "shown only once" in html
    token = html.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("usg_")
    record = db.session.scalar(select(ApiToken))
    assert record.token_digest != token and token not in record.token_digest
    answer = client.post(
        "/api/v1/letters", json={"title": "T", "text": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201
    assert "shown only once" not in client.get("/account/tokens").get_data(as_text=True)


def test_revoked_token_is_refused(client, drafter, sign_in, submit_form, bearer):
    headers = bearer(drafter)
    assert client.post("/api/v1/letters", json={"title": "T", "text": "x"}, headers=headers).status_code == 201
    sign_in(drafter)
    record = db.session.scalar(select(ApiToken))
    submit_form("/account/tokens", {}, post_url=f"/account/tokens/{record.id}/revoke")
    response = client.post("/api/v1/letters", json={"title": "T", "text": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_cannot_revoke_someone_elses_token(client, drafter, drafter2, sign_in, submit_form, bearer):
    bearer(drafter2)
    other = db.session.scalar(select(ApiToken))
    sign_in(drafter)
    response = submit_form("/account/tokens", {}, post_url=f"/account/tokens/{other.id}/revoke")
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.revoked_at is None


def test_cli_token_prints_token_alone_on_last_line(app, runner, drafter, client):
    result = runner.invoke(args=["users", "token", drafter.email])
    assert result.exit_code == 0
    token = result.output.rstrip("\n").splitlines()[-1]
    assert token.startswith("usg_") and " " not in token
    response = client.post(
        "/api/v1/letters", json={"title": "T", "text": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201


def test_cli_token_for_unknown_email_fails(runner):
    result = runner.invoke(args=["users", "token", "nobody@city.example"])
    assert result.exit_code != 0
    assert "No active official" in result.output


def test_deactivated_officials_tokens_stop_working(client, make_official, bearer):
    official = make_official("drafter")
    headers = bearer(official)
    official.active = False
    db.session.commit()
    assert client.post("/api/v1/letters", json={"title": "T", "text": "x"}, headers=headers).status_code == 401
