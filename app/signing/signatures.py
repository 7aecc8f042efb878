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
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.letters.translations import version_hashes
from app.letters.write_lock import letter_write_lock
from app.mail.queue import queue_mail
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, InvalidInput, NotFound
from app.shared.secret_tokens import digest, new_token
from app.shared.sqlite import request_wal_truncation
from app.shared.validation import clean_text, normalise_email
from app.signing import signature_log
from app.signing.models import HiddenReason, Signature, SignatureStatus, SignatureSubmission
from app.signing.names import has_link, name_for_mail

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I
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


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def public_url(path: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"


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
    name: object, email: object, ward: object, public: object, wants_updates: object = False
) -> SignatureInput:
    choices = validate_choices(name, ward, public, wants_updates)
    return SignatureInput(choices.name, normalise_email(email), choices.ward, choices.public, choices.wants_updates)


def signable_letter(letter_id: int) -> Letter:
    letter = load_letter(letter_id, need=Need.EXISTS)
    if not letter.is_locked:
        raise Conflict(_("This letter is still being drafted; it cannot be signed yet."))
    if letter.is_closed:
        raise Conflict(_("This letter is closed to new signatures."))
    return letter


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


@dataclass(frozen=True)
class Confirmation:
    letter_id: int
    receipt_code: str | None  # None when the signer's signature had been confirmed before
    withdraw_token: str | None


def confirm(token: object) -> Confirmation:
    """Record a submission, exactly as its page shows it, as the signer's one signature on the
    letter (however often and concurrently its link, or another of the signer's links, is used)."""
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        raise InvalidInput(_("A confirmation token is required."), details={"field": "token"})
    link = open_link(token)
    if link.status == SignatureStatus.WITHDRAWN.value:
        raise Conflict(_("This signature was withdrawn. Sign again to add your name."))
    if link.submission is None:
        return Confirmation(link.letter_id, None, None)
    with letter_write_lock(link.letter_id) as letter:
        submission = db.session.scalar(
            select(SignatureSubmission)
            .where(SignatureSubmission.confirm_digest == digest(token))
            .execution_options(populate_existing=True)
        )
        if submission is None:  # confirmed meanwhile, through this link
            return Confirmation(letter.id, None, None)
        confirmation = _record(letter, submission, token)
        try:
            db.session.commit()
        except IntegrityError:  # another process recorded this signer first
            db.session.rollback()
            return Confirmation(letter.id, None, None)
    request_wal_truncation()
    return confirmation


def _record(letter: Letter, submission: SignatureSubmission, token: str) -> Confirmation:
    """Turn the submission into the signer's signature (the caller holds the letter and commits)."""
    key = submission.email_hmac
    existing = db.session.scalar(select(Signature).where(Signature.letter_id == letter.id, Signature.email_hmac == key))
    db.session.execute(
        delete(SignatureSubmission)
        .where(SignatureSubmission.letter_id == letter.id, SignatureSubmission.email_hmac == key)
        .execution_options(synchronize_session=False)
    )
    if existing is not None and existing.status == SignatureStatus.CONFIRMED.value:
        return Confirmation(letter.id, None, None)
    receipt_code, withdraw_token = new_receipt_code(), new_token()
    commitment = signature_log.receipt_commitment(letter.id, receipt_code)
    signature = existing or Signature(letter_id=letter.id, email_hmac=key)
    kept_hidden = existing is not None and existing.hidden_reason == HiddenReason.CLERK.value
    signature.name, signature.ward, signature.locale = submission.name, submission.ward, submission.locale
    signature.public, signature.wants_updates = submission.public, submission.wants_updates
    signature.hidden_reason = (
        HiddenReason.CLERK.value
        if kept_hidden
        else HiddenReason.LINK.value
        if submission.public and has_link(submission.name)
        else None
    )
    signature.email = submission.email if submission.wants_updates else None
    signature.status, signature.confirmed_at = SignatureStatus.CONFIRMED.value, utcnow()
    signature.confirm_digest, signature.withdraw_digest = digest(token), digest(withdraw_token)
    signature.receipt_commitment = commitment
    signature.version_hashes = version_hashes(letter)
    if existing is None:
        db.session.add(signature)
    signature_log.append(letter, "signature", commitment)
    letter.online_signature_count += 1
    queue_mail(
        submission.email,
        "signature_receipt",
        submission.locale,
        letter=letter,
        name=name_for_mail(submission.name),
        receipt_code=receipt_code,
        withdraw_link=public_url(f"/signatures/withdraw/{withdraw_token}"),
        letter_link=public_url(f"/letters/{letter.id}"),
    )
    return Confirmation(letter.id, receipt_code, withdraw_token)


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
        return letter
