"""Mailing a sent response, once, to the signers who asked for updates; and their unsubscribe links.

Sending a response (app.signing.responses.send) only marks it sent. The mail sender's rounds
(`mail_responses`, a round task) then queue one email per signer who asked for updates, in the
signer's language, in batches: each batch is queued in the same transaction that moves the
response's `mailed_through` past it, so every such signer gets it exactly once, and nobody else
ever does. Signers who confirmed after the response was sent are not mailed (they saw it on the
page).

Each email has an unsubscribe link that works without signing in, once: it drops the signer's
address and their wish for updates, and records nothing else (no date, no audit entry). The
link's token is a keyed hash of the signature, so nothing is stored for it. The email's
`List-Unsubscribe` and `List-Unsubscribe-Post` headers (RFC 8058) let the mail program do the
same in one click: it POSTs `List-Unsubscribe=One-Click` to the link's one-click address
(app.signing.response_pages).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.letters.markdown import render_markdown
from app.letters.models import Letter
from app.mail.delivery import add_round_task
from app.mail.queue import queue_mail
from app.shared.errors import NotFound
from app.shared.sqlite import request_wal_truncation
from app.signing.models import LetterResponse, Signature
from app.signing.names import name_for_mail
from app.signing.responses import subscribers
from app.signing.signatures import public_url

BATCH = 500


def unsubscribe_token(signature: Signature) -> str:
    """The signature's unsubscribe token: its id and a keyed hash of it (nothing stored)."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    message = f"unsubscribe|{signature.id}|{signature.confirm_digest}".encode()
    return f"{signature.id}-{hmac.new(key, message, hashlib.sha256).hexdigest()[:32]}"


def _subscribed_signature(token: object) -> Signature | None:
    if not isinstance(token, str) or len(token) > 60:
        return None
    number, _dash, _mac = token.partition("-")
    if not number.isascii() or not number.isdigit() or len(number) > 12:
        return None
    signature = db.session.get(Signature, int(number))
    if signature is None or signature.email is None or not signature.wants_updates:
        return None
    return signature if hmac.compare_digest(unsubscribe_token(signature), token) else None


def open_unsubscribe(token: object) -> Signature:
    """The signature an unsubscribe link stands for, while it still asks for updates."""
    signature = _subscribed_signature(token)
    if signature is None:
        raise NotFound(_("This unsubscribe link is not valid, or it was already used."))
    return signature


def unsubscribe(token: object) -> int:
    """Forget the signer's address and wish for updates (the signature itself stays). Returns the letter id."""
    signature = open_unsubscribe(token)
    db.session.execute(
        update(Signature)
        .where(Signature.id == signature.id)
        .values(wants_updates=False, email=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    request_wal_truncation()
    return signature.letter_id


def one_click_headers(token: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers for the signer's `token`."""
    return {
        "List-Unsubscribe": f"<{public_url(f'/updates/unsubscribe/{token}/one-click')}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def mail_responses(batch: int = BATCH) -> int:
    """Queue the next batch of a sent response's emails; returns how many were queued."""
    response = db.session.scalar(
        select(LetterResponse)
        .where(LetterResponse.sent_at.is_not(None), LetterResponse.mailing_done.is_(False))
        .order_by(LetterResponse.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if response is None:
        return 0
    letter = db.session.get(Letter, response.letter_id)
    recipients = db.session.scalars(
        subscribers(response.letter_id)
        .where(Signature.id > response.mailed_through, Signature.confirmed_at <= response.sent_at)
        .order_by(Signature.id)
        .limit(batch)
    ).all()
    letter_link = public_url(f"/letters/{letter.id}")
    for signature in recipients:
        token = unsubscribe_token(signature)
        queue_mail(
            signature.email,
            "letter_response",
            signature.locale or "en",
            letter=letter,
            response=response,
            response_html=render_markdown(response.text),
            name=name_for_mail(signature.name),
            letter_link=letter_link,
            unsubscribe_link=public_url(f"/updates/unsubscribe/{token}"),
            headers=one_click_headers(token),
        )
    if recipients:
        response.mailed_through = recipients[-1].id
        response.mailed_count += len(recipients)
    if len(recipients) < batch:
        response.mailing_done = True
    db.session.commit()
    return len(recipients)


def register_round_tasks(app: Flask) -> None:
    add_round_task(app, mail_responses)
