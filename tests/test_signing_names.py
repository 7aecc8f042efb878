"""Public names (issue 11, item 4): a name with a link is counted but never listed nor mailed back,
and the clerk can hide a public name (still counted), in the audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.signing.names import has_link
from app.signing.public_letter import public_names
from tests.conftest import csrf_token_from
from tests.signing_helpers import confirmation_token, deliver, make_locked_letter
from tests.support.mailbox import html_part, text_part


@pytest.fixture
def letter_id(drafter, clerk) -> int:
    return make_locked_letter(drafter, clerk)


@pytest.fixture
def signed(app, client, mailbox):
    """Sign and confirm through the API, as a resident would."""

    def sign(letter_id: int, name: str, email: str, public: bool = True) -> None:
        body = {"name": name, "email": email, "public": public}
        assert client.post(f"/api/v1/letters/{letter_id}/signatures", json=body).status_code == 202
        deliver(app)
        token = confirmation_token(mailbox, email)
        assert client.post("/api/v1/signatures/confirm", json={"token": token}).status_code == 200

    return sign


@pytest.mark.parametrize(
    "name",
    [
        "Visit https://spam.example/offer",
        "www.spam.example",
        "cheap-pills.com",
        "Ana (ana@x.org)",
        "@ana_ruiz",
        "spam\uff0ecom now",  # a fullwidth dot
        "spam\u3002com",  # an ideographic full stop
        "ww\u200bw.spam.example",  # a zero-width space inside www.
        "bit.ly/abc",
        "ana\uff20x.org",  # a fullwidth @
    ],
)
def test_links_and_addresses_are_recognised(name):
    assert has_link(name)


@pytest.mark.parametrize(
    "name", ["Ana Ruiz", "J.R.R. Tolkien", "Dr. Smith", "José María de la Cruz", "Li Wei 李伟", "Mary-Jane O'Neil"]
)
def test_ordinary_names_are_not_links(name):
    assert not has_link(name)


def test_a_public_name_with_a_link_is_counted_but_never_listed(client, letter_id, signed):
    signed(letter_id, "Ana Ruiz", "ana@city.example")
    signed(letter_id, "Buy now at www.spam.example", "spam@city.example")

    page = client.get(f"/letters/{letter_id}").get_data(as_text=True)

    assert "Ana Ruiz" in page and "spam.example" not in page
    assert public_names(letter_id) == ["Ana Ruiz"]  # the delivery packet's list too
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 2


def test_the_confirmation_page_says_a_name_with_a_link_will_not_be_listed(app, client, letter_id, mailbox):
    body = {"name": "see www.spam.example", "email": "spam@city.example", "public": True}
    client.post(f"/api/v1/letters/{letter_id}/signatures", json=body)
    deliver(app)
    page = client.get(f"/signatures/confirm/{confirmation_token(mailbox, 'spam@city.example')}")
    assert "it is counted but not listed" in page.get_data(as_text=True)


def test_mails_do_not_repeat_a_name_with_a_link(app, client, letter_id, mailbox):
    body = {"name": "Win at https://spam.example", "email": "target@city.example", "public": False}
    client.post(f"/api/v1/letters/{letter_id}/signatures", json=body)
    deliver(app)
    [confirmation] = mailbox.to("target@city.example")
    token = confirmation_token(mailbox, "target@city.example")
    client.post("/api/v1/signatures/confirm", json={"token": token})
    deliver(app)
    receipt = mailbox.to("target@city.example")[-1]
    for message in (confirmation, receipt):
        assert "spam.example" not in text_part(message) and "spam.example" not in html_part(message)
        assert text_part(message).startswith("Hello,")


def test_an_ordinary_name_is_still_greeted(app, client, letter_id, mailbox):
    client.post(f"/api/v1/letters/{letter_id}/signatures", json={"name": "Ana Ruiz", "email": "ana@city.example"})
    deliver(app)
    assert text_part(mailbox.to("ana@city.example")[0]).startswith("Hello Ana Ruiz,")


def _hide_form(html: str, name: str) -> str:
    match = re.search(rf'<span>{re.escape(name)}</span>\s*<form method="post" action="([^"]+)"', html)
    assert match, f"no hide button for {name}"
    return match.group(1)


def test_the_clerk_hides_a_public_name_it_stays_counted_and_is_audited(client, letter_id, signed, clerk, sign_in):
    signed(letter_id, "Rude Name", "rude@city.example")
    signed(letter_id, "Kind Name", "kind@city.example")
    sign_in(clerk)
    tools = client.get(f"/letters/{letter_id}/tools").get_data(as_text=True)

    hidden = client.post(_hide_form(tools, "Rude Name"), data={"csrf_token": csrf_token_from(tools)})

    assert hidden.status_code == 302
    page = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert "Rude Name" not in page and "Kind Name" in page
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 2
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "signature.name_hidden")).all()
    assert entry.actor_id == clerk.id and entry.subject == f"letter:{letter_id}"
    assert "Rude Name" not in str(entry.details)

    tools = client.get(f"/letters/{letter_id}/tools").get_data(as_text=True)
    show = re.search(r'action="([^"]+/show)"', tools).group(1)
    assert client.post(show, data={"csrf_token": csrf_token_from(tools)}).status_code == 302
    assert "Rude Name" in client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "signature.name_shown"))


def test_only_the_clerk_hides_names(client, letter_id, signed, drafter, sign_in, clerk):
    signed(letter_id, "Some Name", "some@city.example")
    sign_in(clerk)
    action = _hide_form(client.get(f"/letters/{letter_id}/tools").get_data(as_text=True), "Some Name")
    sign_in(drafter)
    csrf = csrf_token_from(client.get("/dashboard").get_data(as_text=True))

    assert client.post(action, data={"csrf_token": csrf}).status_code == 403

    assert "Some Name" in client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "signature.name_hidden")) is None


def test_hiding_an_unknown_or_private_name_is_404_and_changes_nothing(client, letter_id, signed, clerk, sign_in):
    signed(letter_id, "Private Person", "private@city.example", public=False)
    sign_in(clerk)
    html = client.get(f"/letters/{letter_id}/tools").get_data(as_text=True)
    assert "Private Person" not in html
    for signature_id in (1, 999):
        url = f"/letters/{letter_id}/names/{signature_id}/hide"
        assert client.post(url, data={"csrf_token": csrf_token_from(html)}).status_code == 404
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "signature.name_hidden")) is None
