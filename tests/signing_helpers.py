"""Helpers for the signing tests."""

from __future__ import annotations

import re

from app.letters import creation
from app.mail.delivery import MailSender
from app.review import locking
from tests.support.mailbox import links_in

LETTER_TEXT = "# To the Mayor\n\nAffirm our sanctuary status. 😀\n"


def make_locked_letter(drafter, clerk) -> int:
    letter = creation.create_letter(drafter, "Sanctuary", LETTER_TEXT)
    locking.lock_letter(clerk, letter.id)
    return letter.id


def deliver(app) -> int:
    return MailSender(app).deliver_due()


def confirmation_token(mailbox, address: str, index: int = -1) -> str:
    message = mailbox.to(address)[index]
    [link] = links_in(message)
    assert "/signatures/confirm/" in link
    return link.rsplit("/", 1)[-1]


def confirm_button(html: str) -> dict[str, str]:
    """The confirmation page's form: its CSRF token and the fingerprint of what the page shows."""
    form = re.search(r'<form[^>]*id="confirm-signature".*?</form>', html, re.S).group(0)
    return {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1),
        "shown": re.search(r'name="shown" type="hidden" value="([^"]*)"', form).group(1),
    }
