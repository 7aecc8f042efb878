"""What a long-lived connection (a drafting socket) was opened with, and whether it still holds.

A browser session holds while the official's `session_version` is the one it signed in with
(signing out, a new password or a deactivation moves it on); an API token holds until it is
revoked. A connection checks its credential on every request, in the database (a batch of
drafting edits checks all of its credentials at once), so an ending takes effect at once in
every process; the process that ends one also sends
`credentials_ended` (app/accounts/events.py) so that its own connections close at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Row, bindparam, select

from app.accounts import api_tokens
from app.accounts.models import ApiToken, Official
from app.extensions import db


@dataclass(frozen=True)
class Credential:
    """A browser session (`session_version`) or an API token (`token_id`) of one official."""

    official_id: int
    session_version: int | None = None
    token_id: int | None = None


def for_session(official: Official) -> Credential:
    """The credential of the browser session the official is signed in with."""
    return Credential(official.id, session_version=official.session_version)


def for_token(token: str) -> tuple[Official, Credential]:
    """The official behind an active API token and its credential, or Unauthorized."""
    record = api_tokens.active_token(token)
    return record.official, Credential(record.official_id, token_id=record.id)


def official_holding(credential: Credential) -> Official | None:
    """The active official if the credential still holds (one query), else None."""
    query = select(Official).where(Official.id == credential.official_id, Official.active.is_(True))
    if credential.token_id is not None:
        query = query.join(ApiToken, ApiToken.official_id == Official.id).where(
            ApiToken.id == credential.token_id, ApiToken.revoked_at.is_(None)
        )
    else:
        query = query.where(Official.session_version == credential.session_version)
    return db.session.scalar(query)


@dataclass(frozen=True)
class Holder:
    """Who holds a credential, read without the ORM: enough to check a right and credit an edit."""

    id: int
    name: str
    role: str


_officials = Official.__table__
_tokens = ApiToken.__table__
# Built once: the statement is compiled once and only its parameters change per batch.
_HOLDERS = (
    select(_officials.c.id, _officials.c.name, _officials.c.role, _officials.c.session_version, _tokens.c.id)
    .select_from(
        _officials.outerjoin(
            _tokens,
            (_tokens.c.official_id == _officials.c.id)
            & _tokens.c.id.in_(bindparam("token_ids", expanding=True))
            & _tokens.c.revoked_at.is_(None),
        )
    )
    .where(_officials.c.id.in_(bindparam("official_ids", expanding=True)), _officials.c.active.is_(True))
)


def officials_holding(held: Iterable[Credential]) -> dict[Credential, Holder]:
    """Of several credentials, those that still hold, with their active officials (one query
    however many, with no ORM objects): for checking a batch of drafting edits at once."""
    held = set(held)
    if not held:
        return {}
    officials: dict[int, Row] = {}
    live_tokens: set[int] = set()
    parameters = {
        "official_ids": sorted({c.official_id for c in held}),
        "token_ids": sorted({c.token_id for c in held if c.token_id is not None}),
    }
    for row in db.session.connection().execute(_HOLDERS, parameters):
        officials[row[0]] = row
        if row[4] is not None:
            live_tokens.add(row[4])
    holding = {}
    for credential in held:
        row = officials.get(credential.official_id)
        if row is None:
            continue
        if (credential.token_id is not None and credential.token_id in live_tokens) or (
            credential.token_id is None and row[3] == credential.session_version
        ):
            holding[credential] = Holder(row[0], row[1], row[2])
    return holding
