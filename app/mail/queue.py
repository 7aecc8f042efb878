"""Queue mail: rendered in the recipient's language, sent later by the background sender.

`queue_mail` renders now, in the caller's transaction. `deferred_mail` renders nothing: it returns
the row for a Core insert (in the caller's transaction too, with any number of others in one
statement), and the sender renders it (`render`) just before sending. Its context must be JSON:
plain values, lists and dicts (a template's `letter.title` reads a dict's "title" as well).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import force_locale

from app.extensions import db
from app.mail.models import OutgoingMail
from app.shared.db_types import utcnow


@dataclass(frozen=True)
class Rendered:
    subject: str
    text_body: str
    html_body: str


def render(template: str, locale: str, context: dict[str, Any]) -> Rendered:
    """Render `templates/mail/<template>.{txt,html}`; the text part's first line, `Subject: ...`,
    is the subject."""
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    subject_line, _, body = text.partition("\n")
    return Rendered(subject_line.removeprefix("Subject:").strip(), body.lstrip("\n"), html)


def queue_mail(
    recipient: str, template: str, locale: str = "en", *, headers: dict[str, str] | None = None, **context: Any
) -> OutgoingMail:
    """Render the mail now and queue it (in the caller's transaction), with any extra `headers`
    (e.g. List-Unsubscribe)."""
    rendered = render(template, locale, context)
    mail = OutgoingMail(
        recipient=recipient,
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        headers=json.dumps(headers, separators=(",", ":")) if headers else None,
    )
    db.session.add(mail)
    return mail


def deferred_mail(recipient: str, template: str, locale: str, context: dict[str, Any]) -> dict[str, Any]:
    """The `outgoing_mail` row of a mail the sender renders: insert it with
    `insert(OutgoingMail)` in the transaction that makes the mail due."""
    now = utcnow()
    return {
        "recipient": recipient,
        "subject": "",
        "text_body": "",
        "html_body": "",
        "attempts": 0,
        "next_attempt_at": now,
        "failed": False,
        "created_at": now,
        "template": template,
        "locale": locale,
        "context": json.dumps(context, separators=(",", ":")),
    }


def render_deferred(mail: OutgoingMail) -> None:
    """Fill in a deferred mail's subject and bodies (the sender calls it before sending)."""
    if mail.template is None:
        return
    rendered = render(mail.template, mail.locale or "en", json.loads(mail.context or "{}"))
    mail.subject, mail.text_body, mail.html_body = rendered.subject, rendered.text_body, rendered.html_body
    mail.template = mail.context = None
