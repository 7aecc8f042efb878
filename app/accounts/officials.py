"""Officials' accounts: creation, invitations, sign-in, passwords."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from app.accounts import sign_in_throttle
from app.accounts.authorization import Action, require
from app.accounts.events import announce_credentials_ended
from app.accounts.models import LinkPurpose, Official, Role, SignInLink
from app.accounts.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from app.audit import log as audit
from app.extensions import db
from app.mail.queue import queue_mail
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, InvalidInput, NotFound, ServiceError
from app.shared.secret_tokens import digest, new_token
from app.shared.validation import clean_text, normalise_email


class SignInFailed(InvalidInput):
    """One generic answer for a wrong email or a wrong password."""

    code = "sign_in_failed"
    status = 401


class SignInSlowedDown(ServiceError):
    """Too many wrong passwords for this account just now: wait a few seconds (never longer
    than sign_in_throttle.MAX_WAIT_SECONDS)."""

    code = "rate_limited"
    status = 429

    def __init__(self, seconds: int) -> None:
        super().__init__(
            ngettext(
                "Too many failed sign-ins for this account. Wait %(num)s second, then try again.",
                "Too many failed sign-ins for this account. Wait %(num)s seconds, then try again.",
                seconds,
            ),
            details={"retry_after": seconds},
        )
        self.seconds = seconds


class LinkInvalid(InvalidInput):
    code = "link_invalid"
    status = 400


def parse_role(value: object) -> Role:
    try:
        return Role(value)
    except ValueError as error:
        raise InvalidInput(_("Role must be clerk, drafter or reviewer."), details={"field": "role"}) from error


def find_by_email(email: str) -> Official | None:
    return db.session.scalar(select(Official).where(func.lower(Official.email) == email.strip().lower()))


def get_official(official_id: int) -> Official:
    official = db.session.get(Official, official_id)
    if official is None:
        raise NotFound(_("No such official."))
    return official


def _new_official(email: str, name: str, role: object, locale: str = "en") -> Official:
    email = normalise_email(email)
    name = clean_text(name, "name")
    role_value = parse_role(role)
    if find_by_email(email) is not None:
        raise Conflict(_("An official with that email already exists."), details={"field": "email"})
    official = Official(email=email, name=name, role=role_value.value, locale=locale, active=True)
    db.session.add(official)
    db.session.flush()
    return official


def link_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/auth/link/{token}"


def _issue_link(official: Official, purpose: LinkPurpose) -> str:
    hours = current_app.config["INVITATION_LINK_HOURS" if purpose is LinkPurpose.INVITATION else "RESET_LINK_HOURS"]
    token = new_token()
    db.session.add(
        SignInLink(
            official_id=official.id,
            purpose=purpose.value,
            token_digest=digest(token),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    return token


def create_official_from_cli(email: str, name: str, role: str) -> tuple[Official, str]:
    """Create an official (the first clerk, typically) and return a one-time sign-in link."""
    official = _new_official(email, name, role)
    token = _issue_link(official, LinkPurpose.INVITATION)
    audit.record(None, "official.created", f"official:{official.id}", role=official.role, via="cli")
    db.session.commit()
    return official, link_url(token)


def invite_official(actor: Official, email: str, name: str, role: object, locale: str = "en") -> Official:
    """A clerk invites an official: the account is created and a sign-in link is mailed."""
    require(actor, Action.INVITE_OFFICIAL)
    if locale not in current_app.config["LANGUAGES"]:
        locale = "en"
    official = _new_official(email, name, role, locale)
    token = _issue_link(official, LinkPurpose.INVITATION)
    queue_mail(
        official.email,
        "invitation",
        official.locale,
        official=official,
        inviter=actor,
        link=link_url(token),
        hours=current_app.config["INVITATION_LINK_HOURS"],
    )
    audit.record(actor, "official.invited", f"official:{official.id}", role=official.role)
    db.session.commit()
    return official


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active official; say nothing either way."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        return
    official = find_by_email(email)
    if official is None or not official.active:
        return
    token = _issue_link(official, LinkPurpose.PASSWORD_RESET)
    queue_mail(
        official.email,
        "password_reset",
        official.locale,
        official=official,
        link=link_url(token),
        hours=current_app.config["RESET_LINK_HOURS"],
    )
    db.session.commit()


def check_link(token: str) -> SignInLink:
    """The unused, unexpired link for this token, or LinkInvalid."""
    link = db.session.scalar(select(SignInLink).where(SignInLink.token_digest == digest(token)))
    if link is None:
        raise LinkInvalid(_("This link is not valid."))
    if link.used_at is not None:
        raise LinkInvalid(_("This link has already been used."))
    if link.expires_at <= utcnow():
        raise LinkInvalid(_("This link has expired."))
    if not link.official.active:
        raise LinkInvalid(_("This account is not active."))
    return link


def validate_new_password(password: object) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            ngettext(
                "Choose a password of at least %(num)d character.",
                "Choose a password of at least %(num)d characters.",
                MIN_PASSWORD_LENGTH,
            ),
            details={"field": "password"},
        )
    return password


def redeem_link(token: str, new_password: str) -> Official:
    """Use a one-time link to set the official's password; the link, and every other open link
    of that official, is spent."""
    validate_new_password(new_password)
    link = check_link(token)
    # One official's links are redeemed one at a time (a row lock on PostgreSQL; SQLite has one
    # writer): a concurrent use of this link or of another of theirs finds it spent below.
    db.session.execute(select(Official.id).where(Official.id == link.official_id).with_for_update())
    spent = db.session.execute(
        update(SignInLink).where(SignInLink.id == link.id, SignInLink.used_at.is_(None)).values(used_at=utcnow())
    ).rowcount
    if spent != 1:
        db.session.rollback()
        raise LinkInvalid(_("This link has already been used."))
    official = link.official
    set_password(official, new_password)
    audit.record(official, "official.password_set", f"official:{official.id}", via=link.purpose)
    db.session.commit()
    announce_credentials_ended(official.id)
    return official


def set_password(official: Official, new_password: str) -> None:
    """Give the official a new password, in the caller's transaction: their other sessions end
    and every sign-in link still open for them (invitations, resets) dies."""
    official.password_hash = hash_password(validate_new_password(new_password))
    official.session_version += 1
    db.session.execute(
        update(SignInLink)
        .where(SignInLink.official_id == official.id, SignInLink.used_at.is_(None))
        .values(used_at=utcnow())
    )


def authenticate(email: str, password: str) -> Official:
    """The official with this email and password, or SignInFailed (one generic message). After
    repeated failures for one account, SignInSlowedDown while that account's short wait lasts
    (app/accounts/sign_in_throttle.py); unknown addresses are treated alike."""
    official = None
    with contextlib.suppress(InvalidInput):
        official = find_by_email(normalise_email(email))
    throttle = sign_in_throttle.throttle()
    account = sign_in_throttle.account_key(official.id if official is not None else None, email or "")
    if throttle is not None and (wait := throttle.seconds_to_wait(account)):
        raise SignInSlowedDown(wait)
    stored = official.password_hash if official is not None else None
    if not verify_password(stored, password or "") or official is None or not official.active:
        if throttle is not None:
            throttle.failed(account)
        raise SignInFailed(_("Email or password is not correct."))
    if throttle is not None:
        throttle.succeeded(account)
    if needs_rehash(official.password_hash):
        official.password_hash = hash_password(password)
        db.session.commit()
    return official


def load_session_official(session_id: str) -> Official | None:
    """Flask-Login's loader: `id:session_version`, so a password change ends old sessions."""
    try:
        official_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    official = db.session.get(Official, official_id)
    if official is None or official.session_version != version or not official.active:
        return None
    return official


def list_officials(actor: Official) -> list[Official]:
    require(actor, Action.INVITE_OFFICIAL)
    return list(db.session.scalars(select(Official).order_by(Official.role, Official.name)))


def set_active(actor: Official, official_id: int, active: bool) -> Official:
    """A clerk deactivates or reactivates an official (never themselves)."""
    require(actor, Action.INVITE_OFFICIAL)
    official = get_official(official_id)
    if official.id == actor.id:
        raise Conflict(_("You cannot deactivate your own account."))
    official.active = active
    official.session_version += 1
    audit.record(actor, "official.activated" if active else "official.deactivated", f"official:{official.id}")
    db.session.commit()
    announce_credentials_ended(official.id)
    return official


def sign_out(official: Official) -> None:
    """End the official's browser sessions, on every device: a copy of the session cookie no
    longer signs anyone in, and the drafting connections those sessions opened close."""
    official_id = official.id
    official.session_version = Official.session_version + 1  # in SQL: a concurrent bump is not lost
    db.session.commit()
    announce_credentials_ended(official_id)
