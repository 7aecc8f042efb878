"""Queue mail: rendered in the recipient's language, sent later by the background sender."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale

from app.extensions import db
from app.mail.models import OutgoingMail


def queue_mail(recipient: str, template: str, locale: str = "en", **context: Any) -> OutgoingMail:
    """Render `templates/mail/<template>.{txt,html}` and queue it (in the caller's transaction).

    The template's first line of the text part, `Subject: ...`, is the subject.
    """
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    subject_line, _, body = text.partition("\n")
    subject = subject_line.removeprefix("Subject:").strip()
    mail = OutgoingMail(recipient=recipient, subject=subject, text_body=body.lstrip("\n"), html_body=html)
    db.session.add(mail)
    return mail
