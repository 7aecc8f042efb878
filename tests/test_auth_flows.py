"""Officials' accounts end to end: invitations, sign-in, resets, sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Official, SignInLink
from app.audit.models import AuditEntry
from app.extensions import db
from app.mail.delivery import MailSender
from app.shared.db_types import utcnow
from tests.conftest import PASSWORD
from tests.support.mailbox import links_in, text_part

NEW_PASSWORD = "a brand new long password"


def deliver(app) -> int:
    return MailSender(app).deliver_due()


def link_path(link: str) -> str:
    return link.removeprefix("http://localhost")


def test_clerk_invites_official_who_sets_password_and_signs_in(app, client, clerk, sign_in, submit_form, mailbox):
    sign_in(clerk)
    response = submit_form(
        "/officials/",
        {"name": "Alder Zoe Park", "email": "zoe.park@city.example", "role": "drafter", "locale": "en"},
        follow_redirects=True,
    )
    assert "Invitation sent to zoe.park@city.example" in response.get_data(as_text=True)
    assert mailbox.to("zoe.park@city.example") == []  # queued, not sent inside the request
    assert deliver(app) == 1
    [message] = mailbox.to("zoe.park@city.example")
    assert "invited you" in text_part(message)
    [link] = links_in(message)

    client.post("/auth/sign-out", data={})  # the clerk leaves; the form needs CSRF, so sign out via a new client
    invitee = app.test_client()
    page = invitee.get(link_path(link))
    assert page.status_code == 200
    assert "Welcome, Alder Zoe Park" in page.get_data(as_text=True)
    from tests.conftest import csrf_token_from

    token = csrf_token_from(page.get_data(as_text=True))
    done = invitee.post(link_path(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)
    dashboard = invitee.get("/dashboard")
    assert dashboard.status_code == 200
    assert "Alder Zoe Park" in dashboard.get_data(as_text=True)
    official = db.session.scalar(select(Official).where(Official.email == "zoe.park@city.example"))
    assert official.role == "drafter" and official.password_hash.startswith("$argon2")
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"official.invited", "official.password_set"} <= actions


def test_reused_invitation_link_shows_clear_page(app, runner):
    result = runner.invoke(args=["users", "create", "first@city.example", "--name", "First Clerk", "--role", "clerk"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    first, second = app.test_client(), app.test_client()
    from tests.conftest import csrf_token_from

    token = csrf_token_from(first.get(link_path(link)).get_data(as_text=True))
    assert (
        first.post(
            link_path(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    again = second.get(link_path(link))
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_expired_link_shows_clear_page(app, runner, client):
    result = runner.invoke(args=["users", "create", "late@city.example", "--name", "Late Alder", "--role", "drafter"])
    link = result.output.strip().splitlines()[-1]
    for record in db.session.scalars(select(SignInLink)):
        record.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(link_path(link))
    assert page.status_code == 410
    assert "expired" in page.get_data(as_text=True)


def test_unknown_link_shows_clear_page(client):
    page = client.get("/auth/link/not-a-real-token")
    assert page.status_code == 410
    assert "not valid" in page.get_data(as_text=True)


def test_set_password_rejects_short_password(app, runner, client):
    result = runner.invoke(args=["users", "create", "short@city.example", "--name", "Short", "--role", "reviewer"])
    path = link_path(result.output.strip().splitlines()[-1])
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get(path).get_data(as_text=True))
    response = client.post(path, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert response.status_code == 200
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(Official).where(Official.email == "short@city.example")).password_hash is None


def test_sign_in_and_out(client, drafter, sign_in):
    assert client.get("/dashboard").status_code == 302  # to the sign-in page
    sign_in(drafter)
    assert client.get("/dashboard").status_code == 200
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/dashboard").get_data(as_text=True))
    client.post("/auth/sign-out", data={"csrf_token": token})
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_and_unknown_email_get_one_generic_message(client, drafter, submit_form):
    wrong = submit_form("/auth/sign-in", {"email": drafter.email, "password": "not the password"})
    unknown = submit_form("/auth/sign-in", {"email": "nobody@city.example", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Email or password is not correct." in response.get_data(as_text=True)


def test_sign_in_is_rate_limited(client, drafter, submit_form):
    # Different addresses, so that this is the per-address limit (tests/test_sign_in_slowdown.py
    # has the per-account one).
    statuses = [
        submit_form("/auth/sign-in", {"email": f"nobody{i}@city.example", "password": "wrong"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    # Even the right password is refused while limited.
    assert submit_form("/auth/sign-in", {"email": drafter.email, "password": PASSWORD}).status_code == 429


def test_rate_limit_allowlist_exempts_addresses(app, client, drafter, submit_form):
    from app.config import parse_networks

    app.config["RATE_LIMIT_ALLOWLIST"] = parse_networks("10.0.0.0/8, 127.0.0.1")
    statuses = {
        submit_form("/auth/sign-in", {"email": f"nobody{i}@city.example", "password": "wrong"}).status_code
        for i in range(12)
    }
    assert statuses == {401}


def test_deactivated_official_cannot_sign_in(make_official, submit_form):
    official = make_official("drafter", active=False)
    response = submit_form("/auth/sign-in", {"email": official.email, "password": PASSWORD})
    assert response.status_code == 401


def test_password_reset_by_mail(app, client, drafter, submit_form, mailbox):
    response = submit_form("/auth/reset", {"email": drafter.email}, follow_redirects=True)
    assert "reset link is on its way" in response.get_data(as_text=True)
    deliver(app)
    [message] = mailbox.to(drafter.email)
    [link] = links_in(message)
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get(link_path(link)).get_data(as_text=True))
    assert (
        client.post(
            link_path(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    fresh = app.test_client()
    token = csrf_token_from(fresh.get("/auth/sign-in").get_data(as_text=True))
    old = fresh.post("/auth/sign-in", data={"email": drafter.email, "password": PASSWORD, "csrf_token": token})
    assert old.status_code == 401
    new = fresh.post("/auth/sign-in", data={"email": drafter.email, "password": NEW_PASSWORD, "csrf_token": token})
    assert new.status_code == 302


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(app, submit_form, mailbox):
    response = submit_form("/auth/reset", {"email": "stranger@city.example"}, follow_redirects=True)
    assert "reset link is on its way" in response.get_data(as_text=True)
    assert deliver(app) == 0


def test_password_change_ends_other_sessions(app, client, drafter, sign_in):
    sign_in(drafter)
    assert client.get("/dashboard").status_code == 200
    drafter.session_version += 1
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_only_clerk_may_invite(client, drafter, sign_in):
    sign_in(drafter)
    assert client.get("/officials/").status_code == 403


def test_clerk_cannot_invite_duplicate_email(client, clerk, drafter, sign_in, submit_form):
    sign_in(clerk)
    response = submit_form(
        "/officials/", {"name": "Dup", "email": drafter.email.upper(), "role": "drafter", "locale": "en"}
    )
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)


def test_invitation_mail_in_spanish(app, client, clerk, sign_in, submit_form, mailbox):
    sign_in(clerk)
    submit_form("/officials/", {"name": "Luz Ortega", "email": "luz@city.example", "role": "reviewer", "locale": "es"})
    deliver(app)
    [message] = mailbox.to("luz@city.example")
    assert "Hola" in text_part(message)


def reset_links(app, client, submit_form, mailbox, email: str, count: int) -> list[str]:
    """Ask for `count` password-reset links for `email` and return their paths, oldest first."""
    for _ in range(count):
        submit_form("/auth/reset", {"email": email})
    deliver(app)
    return [link_path(links_in(message)[0]) for message in mailbox.to(email)]


def choose_password(client, path: str, password: str = NEW_PASSWORD):
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


def test_using_one_reset_link_kills_the_older_and_newer_ones(app, client, drafter, submit_form, mailbox):
    first, second, third = reset_links(app, client, submit_form, mailbox, drafter.email, 3)
    assert choose_password(app.test_client(), second).status_code == 302
    for other in (first, third):
        page = app.test_client().get(other)
        assert page.status_code == 410
        assert "already been used" in page.get_data(as_text=True)
        assert choose_password(app.test_client(), other, "another long password").status_code == 410
    db.session.expire_all()
    assert db.session.scalar(select(SignInLink).where(SignInLink.used_at.is_(None))) is None


def test_using_a_reset_link_kills_the_invitation_and_back(app, runner, client, submit_form, mailbox):
    result = runner.invoke(args=["users", "create", "new@city.example", "--name", "New Alder", "--role", "drafter"])
    invitation = link_path(result.output.strip().splitlines()[-1])
    [reset] = reset_links(app, client, submit_form, mailbox, "new@city.example", 1)
    assert choose_password(app.test_client(), reset).status_code == 302
    assert app.test_client().get(invitation).status_code == 410

    result = runner.invoke(args=["users", "create", "other@city.example", "--name", "Other", "--role", "drafter"])
    invitation = link_path(result.output.strip().splitlines()[-1])
    [reset] = reset_links(app, client, submit_form, mailbox, "other@city.example", 1)
    assert choose_password(app.test_client(), invitation).status_code == 302
    assert app.test_client().get(reset).status_code == 410


def test_a_password_change_kills_open_links(app, client, drafter, submit_form, mailbox):
    from app.accounts import officials

    [reset] = reset_links(app, client, submit_form, mailbox, drafter.email, 1)
    officials.set_password(drafter, NEW_PASSWORD)
    db.session.commit()
    assert app.test_client().get(reset).status_code == 410
