"""The clerk's tools for a locked letter: close it, import paper signatures, export, anonymise."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select, update

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.letters.translations import translation_languages
from app.letters.write_lock import letter_write_lock
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, InvalidInput
from app.shared.sqlite import request_wal_truncation
from app.signing import public_state, signature_log
from app.signing.models import PaperBatch, PaperSignature, Signature, SignatureStatus, SignatureSubmission
from app.signing.ward_labels import ward_label

MAX_PAPER_ROWS = 20_000


def close_letter(actor: Official | None, letter_id: int) -> Letter:
    require(actor, Action.EXPORT_SIGNATURES)
    with letter_write_lock(letter_id) as letter:
        if not letter.is_locked:
            raise Conflict(_("Only a locked letter can be closed."))
        if letter.closed_at is None:
            letter.closed_at = utcnow()
            audit.record(actor, "letter.closed", f"letter:{letter.id}", count=letter.signature_count)
            db.session.commit()
            public_state.changed(letter.id)
        return letter


def _parse_paper_rows(csv_text: str) -> list[tuple[str, str | None, date | None]]:
    wards = set(current_app.config["WARDS"])
    reader = csv.DictReader(io.StringIO(csv_text))
    if reader.fieldnames is None or "name" not in [f.strip().lower() for f in reader.fieldnames]:
        raise InvalidInput(_("The CSV needs a header row with the columns name, ward, date."))
    rows = []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        name, ward, when = row.get("name", ""), row.get("ward") or None, row.get("date") or None
        if not name or len(name) > 200:
            raise InvalidInput(_("Line %(n)s: a name of 1 to 200 characters is required.", n=number))
        if ward is not None and ward not in wards:
            raise InvalidInput(_("Line %(n)s: unknown ward %(ward)s.", n=number, ward=ward))
        try:
            signed_on = date.fromisoformat(when) if when else None
        except ValueError as error:
            raise InvalidInput(_("Line %(n)s: the date must look like 2026-11-27.", n=number)) from error
        rows.append((name, ward, signed_on))
        if len(rows) > MAX_PAPER_ROWS:
            raise InvalidInput(
                ngettext("At most %(num)d row per import.", "At most %(num)d rows per import.", MAX_PAPER_ROWS)
            )
    if not rows:
        raise InvalidInput(_("The CSV has no signatures."))
    return rows


def import_paper(actor: Official | None, letter_id: int, csv_text: str) -> PaperBatch:
    """Add a batch of paper signatures; counted apart and in the total, and logged (count only)."""
    require(actor, Action.EXPORT_SIGNATURES)
    rows = _parse_paper_rows(csv_text)
    with letter_write_lock(letter_id) as letter:
        if not letter.is_locked:
            raise Conflict(_("Paper signatures can only be added to a locked letter."))
        batch = PaperBatch(letter_id=letter.id, imported_by_id=actor.id, count=len(rows))
        db.session.add(batch)
        db.session.flush()
        db.session.add_all(
            PaperSignature(batch_id=batch.id, letter_id=letter.id, name=name, ward=ward, signed_on=signed_on)
            for name, ward, signed_on in rows
        )
        commitment = hashlib.sha256(f"paper:{batch.id}:{len(rows)}:{secrets.token_hex(16)}".encode()).hexdigest()
        signature_log.append(letter, "paper_batch", commitment, count=len(rows))
        letter.paper_signature_count += len(rows)
        audit.record(actor, "letter.paper_imported", f"letter:{letter.id}", count=len(rows))
        db.session.commit()
        public_state.changed(letter.id)
        return batch


def export_csv(actor: Official | None, letter_id: int) -> str:
    """Names, wards and dates of every signature; emails only of signers who asked for updates.
    `ward` is the ward as stored (what a paper import takes), `ward_name` its name in the clerk's
    language; `sha256_original` and `sha256_<language>` are the hashes of the versions each online
    signer put their name to (empty for a version locked after they signed, and for paper)."""
    require(actor, Action.EXPORT_SIGNATURES)
    letter = load_letter(letter_id, need=Need.EXISTS)
    out = io.StringIO()
    writer = csv.writer(out)
    versions = ["original", *translation_languages()]
    writer.writerow(
        ["name", "ward", "ward_name", "date", "source", "email_for_updates", *(f"sha256_{v}" for v in versions)]
    )
    online = db.session.scalars(
        select(Signature)
        .where(Signature.letter_id == letter.id, Signature.status == SignatureStatus.CONFIRMED.value)
        .order_by(Signature.confirmed_at)
    )
    for signature in online:
        when = signature.confirmed_at.date().isoformat() if signature.confirmed_at else ""
        email = signature.email if signature.wants_updates else ""
        hashes = signature.version_hashes or {}
        writer.writerow(
            [
                _cell(signature.name),
                _cell(signature.ward),
                _cell(ward_label(signature.ward)),
                when,
                "online",
                _cell(email),
                *(str(hashes.get(v) or "") for v in versions),
            ]
        )
    paper = db.session.scalars(select(PaperSignature).where(PaperSignature.letter_id == letter.id))
    for row in paper:
        signed_on = row.signed_on.isoformat() if row.signed_on else ""
        writer.writerow(
            [_cell(row.name), _cell(row.ward), _cell(ward_label(row.ward)), signed_on, "paper", ""]
            + ["" for _version in versions]
        )
    audit.record(actor, "letter.exported", f"letter:{letter.id}")
    db.session.commit()
    return out.getvalue()


def _cell(value: str | None) -> str:
    """Neutralise spreadsheet formulas in exported cells."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def anonymize_closed_before(cutoff: datetime) -> int:
    """Remove personal data of letters closed before `cutoff`; counts and the log stay verifiable."""
    letters = list(db.session.scalars(select(Letter).where(Letter.closed_at.is_not(None), Letter.closed_at < cutoff)))
    for letter in letters:
        db.session.execute(
            update(Signature)
            .where(Signature.letter_id == letter.id)
            .values(name=None, email=None, email_hmac=None, public=False, wants_updates=False)
        )
        db.session.execute(update(PaperSignature).where(PaperSignature.letter_id == letter.id).values(name=None))
        db.session.execute(delete(SignatureSubmission).where(SignatureSubmission.letter_id == letter.id))
        audit.record(None, "letter.anonymized", f"letter:{letter.id}", via="cli")
    db.session.commit()
    request_wal_truncation()
    return len(letters)
