"""Mail: queued in the database, sent by the background sender over real SMTP, with retries."""

from __future__ import annotations

import email
import email.policy

from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.mail.delivery import MailSender
from app.mail.models import OutgoingMail
from app.mail.queue import queue_mail
from tests.support.mailbox import free_port, html_part, text_part


def queue_test_mail(app, to="resident@city.example", locale="en"):
    with app.test_request_context():
        from app.accounts.models import Official

        official = Official(id=0, email=to, name="Ana Ruiz", role="drafter")
        inviter = Official(id=0, email="c@city.example", name="Clara Clerk", role="clerk")
        queue_mail(
            to, "invitation", locale, official=official, inviter=inviter, link="http://localhost/auth/link/x", hours=72
        )
        db.session.commit()


def test_mail_arrives_at_the_smtp_server_with_text_and_html_parts(app, mailbox):
    queue_test_mail(app)
    assert MailSender(app).deliver_due() == 1
    [message] = mailbox.to("resident@city.example")
    assert message["Subject"] == "You are invited to Undersigned"
    assert "Hello Ana Ruiz," in text_part(message)
    assert '<a href="http://localhost/auth/link/x">' in html_part(message)
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0  # nothing kept once sent


def test_mail_is_in_the_recipients_language(app, mailbox):
    queue_test_mail(app, locale="es")
    MailSender(app).deliver_due()
    [message] = mailbox.to("resident@city.example")
    assert "Hola, Ana Ruiz," in text_part(message)


def test_queued_mail_survives_a_restart_of_the_sender(app_config, app, mailbox):
    queue_test_mail(app)
    # The process that queued it stops before sending; a new app and sender start.
    restarted = create_app(app_config)
    with restarted.app_context():
        assert MailSender(restarted).deliver_due() == 1
    assert len(mailbox.to("resident@city.example")) == 1


def test_failed_delivery_is_retried_later(app, mailbox):
    queue_test_mail(app)
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    assert MailSender(app).deliver_due() == 0
    mail = db.session.scalar(select(OutgoingMail))
    db.session.refresh(mail)
    assert mail.attempts == 1 and mail.last_error and not mail.failed
    assert mail.next_attempt_at > mail.created_at
    # Not due yet: a second round right away tries nothing.
    assert MailSender(app).deliver_due() == 0
    db.session.refresh(mail)
    assert mail.attempts == 1


def test_retry_succeeds_once_the_server_is_back(app, smtp_server, mailbox):
    queue_test_mail(app)
    good_port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()
    assert MailSender(app).deliver_due() == 0
    mail = db.session.scalar(select(OutgoingMail))
    mail.next_attempt_at = mail.created_at  # make it due now
    db.session.commit()
    app.config["SMTP_PORT"] = good_port
    assert MailSender(app).deliver_due() == 1
    assert len(mailbox.to("resident@city.example")) == 1


def test_gives_up_after_the_maximum_attempts(app):
    queue_test_mail(app)
    app.config["SMTP_PORT"] = free_port()
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    for _ in range(2):
        mail = db.session.scalar(select(OutgoingMail))
        mail.next_attempt_at = mail.created_at
        db.session.commit()
        MailSender(app).deliver_due()
    mail = db.session.scalar(select(OutgoingMail))
    db.session.refresh(mail)
    assert mail.failed and mail.attempts == 2
    # What explains the failure stays; the address, the name and the link do not.
    assert mail.last_error and mail.template is None and mail.recipient == "@city.example"
    assert (mail.subject, mail.text_body, mail.html_body, mail.context, mail.headers) == ("", "", "", None, None)


def test_a_mail_that_cannot_be_rendered_keeps_nothing_personal(app):
    from app.mail.queue import deferred_mail

    row = deferred_mail("ana@city.example", "no_such_template", "en", {"name": "Ana Ruiz", "link": "http://x/t0k3n"})
    db.session.add(OutgoingMail(**row))
    db.session.commit()
    assert MailSender(app).deliver_due() == 0
    mail = db.session.scalar(select(OutgoingMail))
    db.session.refresh(mail)
    assert mail.failed and mail.last_error.startswith("render:") and mail.template == "no_such_template"
    assert mail.recipient == "@city.example" and mail.context is None


def test_without_smtp_host_mail_goes_to_the_outbox_folder(app_config, tmp_path):
    app_config = {**app_config, "SMTP_HOST": None, "INSTANCE_PATH": str(tmp_path / "outbox-instance")}
    outbox_app = create_app(app_config)
    with outbox_app.app_context():
        db.create_all()
        queue_test_mail(outbox_app, to="someone@city.example")
        assert MailSender(outbox_app).deliver_due() == 1
    files = list((tmp_path / "outbox-instance" / "outbox").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "someone@city.example"
    assert "Hello Ana Ruiz," in message.get_body(preferencelist=("plain",)).get_content()
