"""Residents co-sign a locked letter: submit, confirm by email, receipt, withdraw.

Privacy: the address is kept only until confirmation (or, if the signer asks for updates,
until the letter is anonymised); de-duplication uses an HMAC of the trimmed, case-folded
address keyed with the secret key. Nothing about a signer is public unless they choose it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.letters.write_lock import letter_write_lock
from app.mail.queue import queue_mail
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, InvalidInput, NotFound
from app.shared.secret_tokens import digest, new_token
from app.shared.validation import clean_text, normalise_email
from app.signing import signature_log
from app.signing.models import Signature, SignatureStatus

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I


def email_hmac(email: str) -> str:
    """The keyed hash that stands for an address once it is no longer kept."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, email.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def public_url(path: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"


@dataclass(frozen=True)
class SignatureInput:
    name: str
    email: str
    ward: str | None
    public: bool
    wants_updates: bool


def validate(
    name: object, email: object, ward: object, public: object, wants_updates: object = False
) -> SignatureInput:
    name = clean_text(name, _("Name"), max_length=200)
    email = normalise_email(email)
    if ward in (None, ""):
        ward = None
    elif not isinstance(ward, str) or ward not in current_app.config["WARDS"]:
        raise InvalidInput(_("Choose a ward from the list."), details={"field": "ward"})
    if not isinstance(public, bool):
        raise InvalidInput(_("'public' must be true or false."), details={"field": "public"})
    if not isinstance(wants_updates, bool):
        raise InvalidInput(_("'updates' must be true or false."), details={"field": "updates"})
    return SignatureInput(name, email, ward, public, wants_updates)


def signable_letter(letter_id: int) -> Letter:
    letter = load_letter(letter_id, need=Need.EXISTS)
    if not letter.is_locked:
        raise Conflict(_("This letter is still being drafted; it cannot be signed yet."))
    if letter.is_closed:
        raise Conflict(_("This letter is closed to new signatures."))
    return letter


def _send_confirmation(signature: Signature, letter: Letter) -> None:
    token = new_token()
    signature.confirm_digest = digest(token)
    signature.last_mailed_at = utcnow()
    queue_mail(
        signature.email,
        "signature_confirm",
        signature.locale,
        letter=letter,
        name=signature.name,
        link=public_url(f"/signatures/confirm/{token}"),
    )


def submit(letter_id: int, data: SignatureInput, locale: str = "en") -> None:
    """Record a pending signature and mail one confirmation link. The answer never reveals
    whether the address had signed already."""
    letter = signable_letter(letter_id)
    key = email_hmac(data.email)
    for _attempt in range(2):
        existing = db.session.scalar(
            select(Signature).where(Signature.letter_id == letter.id, Signature.email_hmac == key)
        )
        if existing is None:
            signature = Signature(
                letter_id=letter.id,
                email_hmac=key,
                email=data.email,
                name=data.name,
                ward=data.ward,
                public=data.public,
                wants_updates=data.wants_updates,
                locale=locale,
                status=SignatureStatus.PENDING.value,
                confirm_digest="",
            )
            db.session.add(signature)
            _send_confirmation(signature, letter)
            try:
                db.session.commit()
                return
            except IntegrityError:  # the same address submitted concurrently: treat as a repeat
                db.session.rollback()
                continue
        _repeat(existing, letter, data, locale)
        return


def _repeat(signature: Signature, letter: Letter, data: SignatureInput, locale: str) -> None:
    if signature.status == SignatureStatus.CONFIRMED.value:
        db.session.rollback()
        return
    resend_after = timedelta(minutes=current_app.config["SIGNATURE_RESEND_MINUTES"])
    if signature.status == SignatureStatus.WITHDRAWN.value:
        signature.status = SignatureStatus.PENDING.value
        signature.receipt_commitment = None
        signature.last_mailed_at = None
    signature.email, signature.name, signature.ward = data.email, data.name, data.ward
    signature.public, signature.wants_updates, signature.locale = data.public, data.wants_updates, locale
    if signature.last_mailed_at is None or utcnow() - signature.last_mailed_at >= resend_after:
        _send_confirmation(signature, letter)
    db.session.commit()


@dataclass(frozen=True)
class Confirmation:
    letter_id: int
    receipt_code: str | None  # None when the signature had been confirmed before
    withdraw_token: str | None


def pending_signature(token: str) -> Signature:
    signature = db.session.scalar(select(Signature).where(Signature.confirm_digest == digest(token)))
    if signature is None or not token:
        raise NotFound(_("This confirmation link is not valid. Please sign again to get a new one."))
    return signature


def confirm(token: object) -> Confirmation:
    """Confirm a signature once (however often and concurrently the link is used)."""
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        raise InvalidInput(_("A confirmation token is required."), details={"field": "token"})
    signature = pending_signature(token)
    if signature.status == SignatureStatus.WITHDRAWN.value:
        raise Conflict(_("This signature was withdrawn. Sign again to add your name."))
    with letter_write_lock(signature.letter_id) as letter:
        receipt_code, withdraw_token = new_receipt_code(), new_token()
        commitment = signature_log.receipt_commitment(letter.id, receipt_code)
        changed = db.session.execute(
            update(Signature)
            .where(Signature.id == signature.id, Signature.status == SignatureStatus.PENDING.value)
            .values(
                status=SignatureStatus.CONFIRMED.value,
                confirmed_at=utcnow(),
                receipt_commitment=commitment,
                withdraw_digest=digest(withdraw_token),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            return Confirmation(letter.id, None, None)
        db.session.refresh(signature)
        signature_log.append(letter, "signature", commitment)
        letter.online_signature_count += 1
        queue_mail(
            signature.email,
            "signature_receipt",
            signature.locale,
            letter=letter,
            name=signature.name,
            receipt_code=receipt_code,
            withdraw_link=public_url(f"/signatures/withdraw/{withdraw_token}"),
            letter_link=public_url(f"/letters/{letter.id}"),
        )
        if not signature.wants_updates:
            signature.email = None
        db.session.commit()
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
        return letter
