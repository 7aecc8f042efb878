"""Residents co-sign a locked letter: the signer key, checking the input, confirming, withdrawing.

Each submission is a row of its own (app.signing.submissions) with its own emailed link; only the
owner of the mailbox sees that link, checks what it will record, may correct it, and confirms it.
Confirming turns it into the letter's one signature for that signer (de-duplicated by the signer
key: a keyed hash of the canonical address) and deletes every pending submission of that signer,
address included. Nothing about a signer is public unless they choose it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.letters.models import Letter, LetterStatus
from app.letters.write_lock import letter_write_lock
from app.shared.errors import Conflict, InvalidInput, NotFound
from app.shared.secret_tokens import digest
from app.shared.sqlite import request_wal_truncation
from app.shared.validation import clean_text, normalise_email
from app.signing import public_state, signature_log
from app.signing.confirmations import (  # noqa: F401  (RECEIPT_ALPHABET, new_receipt_code, public_url: re-exported)
    RECEIPT_ALPHABET,
    Confirmation,
    confirm_in_batch,
    new_receipt_code,
    public_url,
)
from app.signing.models import Signature, SignatureStatus, SignatureSubmission
from app.signing.names import has_link

# Gmail delivers every spelling of an address that differs by dots or a +tag to one mailbox.
GMAIL_DOMAINS = ("gmail.com", "googlemail.com")


def canonical_address(email: str) -> str:
    """The address as one mailbox: trimmed, case-folded; at Gmail, dots and +tags dropped."""
    address = email.strip().casefold()
    local, _at, domain = address.rpartition("@")
    if domain in GMAIL_DOMAINS:
        local, domain = local.split("+", 1)[0].replace(".", ""), GMAIL_DOMAINS[0]
    return f"{local}@{domain}"


def email_hmac(email: str) -> str:
    """The signer key: the keyed hash that stands for a mailbox once its address is no longer kept."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, canonical_address(email).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Choices:
    """What a signature records besides the mailbox: the name, the ward and the signer's choices."""

    name: str
    ward: str | None
    public: bool
    wants_updates: bool


@dataclass(frozen=True)
class SignatureInput:
    name: str
    email: str
    ward: str | None
    public: bool
    wants_updates: bool


def validate_choices(name: object, ward: object, public: object, wants_updates: object = False) -> Choices:
    trimmed = name.strip() if isinstance(name, str) else ""
    if 1 <= len(trimmed) <= 200 and not any(ch in trimmed for ch in "\r\n\x00"):
        name = trimmed  # what clean_text returns, without translating its label for nothing
    else:
        name = clean_text(name, _("Name"), max_length=200)
    if ward in (None, ""):
        ward = None
    elif not isinstance(ward, str) or ward not in current_app.config["WARDS"]:
        raise InvalidInput(_("Choose a ward from the list."), details={"field": "ward"})
    if not isinstance(public, bool):
        raise InvalidInput(_("'public' must be true or false."), details={"field": "public"})
    if not isinstance(wants_updates, bool):
        raise InvalidInput(_("'updates' must be true or false."), details={"field": "updates"})
    return Choices(name, ward, public, wants_updates)


def validate(
    name: object,
    email: object,
    ward: object,
    public: object,
    wants_updates: object = False,
    *,
    email_checked: bool = False,
) -> SignatureInput:
    """The submission's fields checked; `email_checked` for an address the caller has normalised
    already (the API's schema does), which is not checked twice."""
    choices = validate_choices(name, ward, public, wants_updates)
    address = email if email_checked and isinstance(email, str) else normalise_email(email)
    return SignatureInput(choices.name, address, choices.ward, choices.public, choices.wants_updates)


def unsignable_reason(letter: Any) -> str | None:
    """Why a letter (anything with `status` and `closed_at`, or None) cannot be signed, or None."""
    if letter is None:
        return "missing"
    if letter.status != LetterStatus.LOCKED.value:
        return "drafting"
    return "closed" if letter.closed_at is not None else None


def refuse_unsignable(reason: str | None) -> None:
    """Raise the error for `unsignable_reason`'s answer (in the caller's language)."""
    if reason == "missing":
        raise NotFound(_("No such letter."))
    if reason == "drafting":
        raise Conflict(_("This letter is still being drafted; it cannot be signed yet."))
    if reason == "closed":
        raise Conflict(_("This letter is closed to new signatures."))


@dataclass(frozen=True)
class ConfirmationLink:
    """What an emailed confirmation link stands for: a submission waiting for its owner, or the
    signature it became (confirmed, or withdrawn since)."""

    letter_id: int
    submission: SignatureSubmission | None
    status: str  # "pending", or the signature's status

    @property
    def fingerprint(self) -> str:
        """What the link records now, as a short hash: the page sends back the one it showed."""
        s = self.submission
        if s is None:
            return ""
        shown = "\x1f".join((s.name, s.ward or "", str(s.public), str(s.wants_updates)))
        return hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]

    @property
    def hides_name(self) -> bool:
        """True if the name the submission would show publicly will not be listed (it has a link)."""
        return self.submission is not None and self.submission.public and has_link(self.submission.name)


def open_link(token: str) -> ConfirmationLink:
    """The submission or signature behind a confirmation link; NotFound for an unknown link."""
    key = digest(token)
    submission = db.session.scalar(select(SignatureSubmission).where(SignatureSubmission.confirm_digest == key))
    if submission is not None and token:
        return ConfirmationLink(submission.letter_id, submission, "pending")
    signature = db.session.scalar(select(Signature).where(Signature.confirm_digest == key))
    if signature is None or not token:
        raise NotFound(_("This confirmation link is not valid. Please sign again to get a new one."))
    return ConfirmationLink(signature.letter_id, None, signature.status)


def correct(token: str, choices: Choices) -> None:
    """The owner of the mailbox corrects their own submission before confirming it."""
    link = open_link(token)
    if link.submission is None:
        raise Conflict(_("This signature is already confirmed; it can no longer be changed."))
    link.submission.name, link.submission.ward = choices.name, choices.ward
    link.submission.public, link.submission.wants_updates = choices.public, choices.wants_updates
    db.session.commit()


def confirm(token: object) -> Confirmation:
    """Record a submission, exactly as its page shows it, as the signer's one signature on the
    letter (however often and concurrently its link, or another of the signer's links, is used).
    Done with the other confirmations of the moment, in one transaction (app.signing.confirmations)."""
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        raise InvalidInput(_("A confirmation token is required."), details={"field": "token"})
    outcome = confirm_in_batch(token)
    if outcome == "withdrawn":
        raise Conflict(_("This signature was withdrawn. Sign again to add your name."))
    if not isinstance(outcome, Confirmation):
        raise NotFound(_("This confirmation link is not valid. Please sign again to get a new one."))
    return outcome


def confirmed_signature_for_withdrawal(token: str) -> Signature:
    signature = db.session.scalar(select(Signature).where(Signature.withdraw_digest == digest(token)))
    if signature is None or signature.status != SignatureStatus.CONFIRMED.value:
        raise NotFound(_("This withdrawal link is not valid, or the signature was already withdrawn."))
    return signature


def withdraw(token: str) -> Letter:
    """The signer takes their name off the letter; the log records it (no personal data)."""
    signature = confirmed_signature_for_withdrawal(token)
    with letter_write_lock(signature.letter_id) as letter:
        changed = db.session.execute(
            update(Signature)
            .where(Signature.id == signature.id, Signature.status == SignatureStatus.CONFIRMED.value)
            .values(status=SignatureStatus.WITHDRAWN.value, name=None, ward=None, email=None, public=False)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed == 1:
            signature_log.append(letter, "withdrawal", signature.receipt_commitment or "")
            letter.online_signature_count -= 1
            db.session.commit()
            request_wal_truncation()
            public_state.changed(letter.id)
        return letter
