"""What came of a letter: the clerk drafts a response, edits it until it is sent, never after; sending
publishes it and emails it once, in each signer's language, to the signers who asked for updates and to
nobody else; each email's unsubscribe link works once, without signing in, and keeps nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.shared.errors import Conflict, Forbidden
from app.signing import response_mail, responses, signatures, submissions
from app.signing.models import LetterResponse, Signature
from tests.conftest import csrf_token_from
from tests.signing_helpers import confirmation_token, deliver, make_locked_letter
from tests.support.mailbox import html_part, links_in, text_part

RESPONSE = responses.ResponseInput("Mayor Rivera", "We will keep the **library** open on Sundays.")


@pytest.fixture
def letter_id(app, drafter, clerk) -> int:
    app.config["SIGNING_FORM_MIN_SECONDS"] = 0
    return make_locked_letter(drafter, clerk)


def sign(app, mailbox, letter_id: int, address: str, *, updates: bool, locale: str = "en", name: str = "Pat Doe"):
    submissions.submit(letter_id, signatures.validate(name, address, None, False, updates), locale=locale)
    deliver(app)
    return signatures.confirm(confirmation_token(mailbox, address))


def response_mails(mailbox, address: str) -> list:
    return [m for m in mailbox.to(address) if "/updates/unsubscribe/" in text_part(m)]


def all_response_mails(mailbox) -> list:
    return [m for m in mailbox.messages if "/updates/unsubscribe/" in text_part(m)]


@pytest.fixture
def signers(app, mailbox, letter_id):
    sign(app, mailbox, letter_id, "ana@city.example", updates=True, name="Ana Ruiz")
    sign(app, mailbox, letter_id, "lucia@city.example", updates=True, locale="es", name="Lucía Fernández")
    sign(app, mailbox, letter_id, "quiet@city.example", updates=False)
    withdrawn = sign(app, mailbox, letter_id, "gone@city.example", updates=True)
    signatures.withdraw(withdrawn.withdraw_token)
    deliver(app)  # the receipts
    mailbox.clear()


def test_the_response_is_emailed_once_only_to_signers_who_asked_in_their_language(
    app, mailbox, letter_id, clerk, signers
):
    draft = responses.create(clerk, letter_id, RESPONSE)
    deliver(app)
    assert mailbox.messages == [], "a draft was emailed"

    responses.send(clerk, draft.id)
    deliver(app)
    deliver(app)  # a second round sends nothing more

    assert sorted(m["To"] for m in all_response_mails(mailbox)) == ["ana@city.example", "lucia@city.example"]
    assert len(mailbox.messages) == 2
    [english] = response_mails(mailbox, "ana@city.example")
    body = text_part(english)
    assert "Hello Ana Ruiz," in body and "Mayor Rivera" in body and "We will keep the **library**" in body
    assert "What came of the letter" in english["Subject"]
    assert "<strong>library</strong>" in html_part(english)
    [spanish] = response_mails(mailbox, "lucia@city.example")
    body = text_part(spanish)
    assert "Hola, Lucía Fernández," in body and "Hello" not in body
    assert "Lo que resultó de la carta" in spanish["Subject"]
    assert 'lang="es"' in html_part(spanish)
    sent = db.session.get(LetterResponse, draft.id)
    db.session.refresh(sent)
    assert sent.mailing_done and sent.mailed_count == 2


def test_the_mailing_goes_in_batches_each_signer_exactly_once(app, mailbox, letter_id, clerk, signers):
    for i in range(3):
        sign(app, mailbox, letter_id, f"more{i}@city.example", updates=True)
    deliver(app)
    mailbox.clear()
    draft = responses.create(clerk, letter_id, RESPONSE)
    responses.send(clerk, draft.id)

    queued = [response_mail.mail_responses(batch=2) for _ in range(4)]
    deliver(app)

    assert queued == [2, 2, 1, 0]
    recipients = sorted(m["To"] for m in all_response_mails(mailbox))
    assert recipients == sorted(
        ["ana@city.example", "lucia@city.example", "more0@city.example", "more1@city.example", "more2@city.example"]
    )


def test_signers_who_confirm_after_the_response_is_sent_are_not_emailed(app, mailbox, letter_id, clerk):
    submissions.submit(letter_id, signatures.validate("Late", "late@city.example", None, False, True))
    deliver(app)
    draft = responses.create(clerk, letter_id, RESPONSE)
    responses.send(clerk, draft.id)
    signatures.confirm(confirmation_token(mailbox, "late@city.example"))
    deliver(app)

    assert response_mails(mailbox, "late@city.example") == []


def test_a_response_can_be_edited_until_it_is_sent_never_after(app, letter_id, clerk):
    draft = responses.create(clerk, letter_id, RESPONSE)
    edited = responses.edit(clerk, draft.id, responses.ResponseInput("Mayor Rivera", "Open on Sundays from May."))
    assert edited.text == "Open on Sundays from May." and edited.sent_at is None

    responses.send(clerk, draft.id)

    with pytest.raises(Conflict):
        responses.edit(clerk, draft.id, responses.ResponseInput("Someone", "Changed after sending."))
    with pytest.raises(Conflict):
        responses.send(clerk, draft.id)
    stored = db.session.get(LetterResponse, draft.id)
    db.session.refresh(stored)
    assert stored.text == "Open on Sundays from May." and stored.source == "Mayor Rivera"
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert [a for a in actions if a.startswith("response.")] == ["response.created", "response.edited", "response.sent"]


def test_only_clerks_record_responses(app, letter_id, drafter, reviewer, clerk, client, sign_in):
    for official in (drafter, reviewer, None):
        with pytest.raises(Exception) as raised:
            responses.create(official, letter_id, RESPONSE)
        assert raised.type.__name__ in ("Forbidden", "Unauthorized")
    draft = responses.create(clerk, letter_id, RESPONSE)
    with pytest.raises(Forbidden):
        responses.send(drafter, draft.id)
    assert client.get(f"/letters/{letter_id}/responses").status_code == 302  # to the sign-in page
    sign_in(drafter)
    assert client.get(f"/letters/{letter_id}/responses").status_code == 403
    assert client.get(f"/letters/{letter_id}/responses/{draft.id}").status_code == 403


def test_the_clerk_drafts_edits_and_sends_on_the_pages(app, client, mailbox, letter_id, clerk, sign_in, signers):
    sign_in(clerk)
    page = client.get(f"/letters/{letter_id}/responses")
    assert page.status_code == 200 and "2 signers asked for updates." in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    bad = client.post(f"/letters/{letter_id}/responses", data={"csrf_token": token, "source": "", "text": "x"})
    assert bad.status_code == 400 and db.session.scalar(select(LetterResponse)) is None

    created = client.post(
        f"/letters/{letter_id}/responses", data={"csrf_token": token, "source": "Council", "text": "Voted yes."}
    )
    assert created.status_code == 303
    edit_path = created.headers["Location"]
    public = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert "Voted yes." not in public, "a draft is on the public page"
    saved = client.post(edit_path, data={"csrf_token": token, "source": "City Council", "text": "Voted *yes*."})
    assert saved.status_code == 303

    sent = client.post(f"{edit_path}/send", data={"csrf_token": token}, follow_redirects=True)
    assert sent.status_code == 200 and "can no longer be changed" in sent.get_data(as_text=True)
    after = client.post(edit_path, data={"csrf_token": token, "source": "X", "text": "Changed."})
    assert after.status_code == 409
    public = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert "From City Council" in public and "Voted <em>yes</em>." in public and "Changed." not in public
    deliver(app)
    assert len(all_response_mails(mailbox)) == 2


def test_an_unsubscribe_link_works_once_without_signing_in_and_keeps_nothing(
    app, client, mailbox, letter_id, clerk, signers
):
    first = responses.create(clerk, letter_id, RESPONSE)
    responses.send(clerk, first.id)
    deliver(app)
    [mail] = response_mails(mailbox, "ana@city.example")
    [link] = [link for link in links_in(mail) if "/updates/unsubscribe/" in link]
    path = link.removeprefix("http://localhost")

    opened = client.get(path)  # as a mail scanner would: nothing changes
    assert opened.status_code == 200 and "Stop the updates" in opened.get_data(as_text=True)
    ana = db.session.scalar(select(Signature).where(Signature.email == "ana@city.example"))
    assert ana.wants_updates
    done = client.post(path, data={"csrf_token": csrf_token_from(opened.get_data(as_text=True))})

    assert done.status_code == 200 and "No more updates" in done.get_data(as_text=True)
    db.session.refresh(ana)
    assert ana.email is None and ana.wants_updates is False and ana.status == "confirmed"
    assert client.get(path).status_code == 404
    assert client.post(path, data={"csrf_token": csrf_token_from(opened.get_data(as_text=True))}).status_code == 404
    # A later response goes to the others only.
    mailbox.clear()
    second = responses.create(clerk, letter_id, responses.ResponseInput("Council", "Budget approved."))
    responses.send(clerk, second.id)
    deliver(app)
    assert [m["To"] for m in all_response_mails(mailbox)] == ["lucia@city.example"]


@pytest.mark.parametrize("token", ["nonsense", "1-" + "0" * 32, "999999-abc", "-", "1" * 40, "٣-abc"])
def test_bad_unsubscribe_links_answer_plainly(app, client, letter_id, signers, token):
    response = client.get(f"/updates/unsubscribe/{token}")
    assert response.status_code == 404
    assert "not valid, or it was already used" in response.get_data(as_text=True)


def test_unsubscribing_is_in_spanish(app, client, mailbox, letter_id, clerk, signers):
    draft = responses.create(clerk, letter_id, RESPONSE)
    responses.send(clerk, draft.id)
    deliver(app)
    [mail] = response_mails(mailbox, "lucia@city.example")
    [link] = [link for link in links_in(mail) if "/updates/unsubscribe/" in link]
    path = link.removeprefix("http://localhost")
    es = {"Accept-Language": "es"}

    opened = client.get(path, headers=es)
    done = client.post(path, data={"csrf_token": csrf_token_from(opened.get_data(as_text=True))}, headers=es)

    assert 'lang="es"' in opened.get_data(as_text=True) and "Dejar de recibir" in opened.get_data(as_text=True)
    assert "No más novedades" in done.get_data(as_text=True)


# ----------------------------------------------------------------------------------------------- API


def test_the_api_drafts_edits_sends_and_lists_responses(
    app, client, mailbox, letter_id, clerk, drafter, bearer, signers
):
    api = "/api/v1"
    body = {"source": "Mayor Rivera", "text": "Yes, from May."}
    assert client.post(f"{api}/letters/{letter_id}/responses", json=body, headers=bearer(drafter)).status_code == 403
    assert client.post(f"{api}/letters/{letter_id}/responses", json=body).status_code == 401
    created = client.post(f"{api}/letters/{letter_id}/responses", json=body, headers=bearer(clerk))
    assert created.status_code == 201
    draft = created.json
    assert draft["status"] == "draft" and draft["sent_at"] is None and draft["text"] == "Yes, from May."
    assert client.get(f"{api}/letters/{letter_id}/responses").json == [], "a draft is listed publicly"
    bad = client.put(f"{api}/responses/{draft['id']}", json={"source": " ", "text": "x"}, headers=bearer(clerk))
    assert bad.status_code == 400 and bad.json["error"]["code"]

    edited = client.put(
        f"{api}/responses/{draft['id']}", json={"source": "Mayor Rivera", "text": "Yes."}, headers=bearer(clerk)
    )
    sent = client.post(f"{api}/responses/{draft['id']}/send", headers=bearer(clerk))

    assert edited.status_code == 200 and edited.json["text"] == "Yes."
    assert sent.status_code == 200 and sent.json["status"] == "sent" and sent.json["sent_at"]
    again = client.post(f"{api}/responses/{draft['id']}/send", headers=bearer(clerk))
    late = client.put(f"{api}/responses/{draft['id']}", json={"source": "X", "text": "No."}, headers=bearer(clerk))
    assert again.status_code == 409 and late.status_code == 409 and late.json["error"]["code"] == "conflict"
    listed = client.get(f"{api}/letters/{letter_id}/responses").json
    assert [(r["id"], r["text"], r["status"]) for r in listed] == [(draft["id"], "Yes.", "sent")]
    deliver(app)
    assert len(all_response_mails(mailbox)) == 2
    assert client.get(f"{api}/responses/{draft['id']}", headers=bearer(clerk)).json["emailed"] == 2
    assert client.get(f"{api}/responses/999999", headers=bearer(clerk)).status_code == 404


def test_no_response_for_a_draft_letter(app, client, drafter, clerk, bearer):
    from app.letters import creation

    draft = creation.create_letter(drafter, "Draft", "Text\n").id
    with pytest.raises(Conflict):
        responses.create(clerk, draft, RESPONSE)
    answer = client.post(f"/api/v1/letters/{draft}/responses", json={"source": "A", "text": "B"}, headers=bearer(clerk))
    assert answer.status_code == 409
    assert client.get(f"/api/v1/letters/{draft}/responses").status_code == 404


# ------------------------------------------------------------------------ RFC 8058 one-click unsubscribe


def one_click_path(mail) -> str:
    header = mail["List-Unsubscribe"]
    assert header.startswith("<http://localhost/updates/unsubscribe/") and header.endswith("/one-click>"), header
    return header[1:-1].removeprefix("http://localhost")


def test_response_mails_carry_one_click_unsubscribe_headers_that_work_once_without_signing_in(
    app, mailbox, letter_id, clerk, signers
):
    draft = responses.create(clerk, letter_id, RESPONSE)
    responses.send(clerk, draft.id)
    deliver(app)
    [mail] = response_mails(mailbox, "ana@city.example")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = one_click_path(mail)
    # The header's address is the signer's own (the link in the body, one click further).
    [link] = [link for link in links_in(mail) if "/updates/unsubscribe/" in link]
    assert path == link.removeprefix("http://localhost") + "/one-click"
    # No receipt or confirmation mail carries the headers: only the response updates.
    assert all(m["List-Unsubscribe"] is None for m in mailbox.messages if m not in all_response_mails(mailbox))

    # A mail program: a POST with no cookie, no CSRF token, no page opened before.
    program = app.test_client()
    done = program.post(path, data={"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200 and "No more updates" in done.get_data(as_text=True)
    ana = db.session.scalar(select(Signature).where(Signature.name == "Ana Ruiz"))
    db.session.refresh(ana)
    assert ana.email is None and ana.wants_updates is False and ana.status == "confirmed"
    assert program.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 404  # once
    mailbox.clear()
    second = responses.create(clerk, letter_id, responses.ResponseInput("Council", "Budget approved."))
    responses.send(clerk, second.id)
    deliver(app)
    assert [m["To"] for m in all_response_mails(mailbox)] == ["lucia@city.example"]


def test_one_click_unsubscribe_refuses_anything_but_a_one_click_post(app, mailbox, letter_id, clerk, signers):
    draft = responses.create(clerk, letter_id, RESPONSE)
    responses.send(clerk, draft.id)
    deliver(app)
    path = one_click_path(response_mails(mailbox, "ana@city.example")[0])
    program = app.test_client()

    assert program.get(path).status_code == 405  # opening it (a scanner) does nothing
    assert program.post(path).status_code == 400
    assert program.post(path, data={"List-Unsubscribe": "yes"}).status_code == 400
    assert (
        program.post(
            path.replace("/unsubscribe/", "/unsubscribe/9"), data={"List-Unsubscribe": "One-Click"}
        ).status_code
        == 404
    )
    ana = db.session.scalar(select(Signature).where(Signature.name == "Ana Ruiz"))
    db.session.refresh(ana)
    assert ana.wants_updates and ana.email == "ana@city.example"
