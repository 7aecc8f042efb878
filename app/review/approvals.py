"""Review use-cases: named checkpoints, review requests (emailed to the mayor's office), approvals,
and restoring an old revision as a new one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.authorization import Action, require
from app.accounts.models import Official, Role
from app.audit import log as audit
from app.extensions import db
from app.letters.events import StoredRevision
from app.letters.loading import Need, load_letter
from app.letters.models import Letter, Revision
from app.letters.revision_texts import text_at
from app.letters.revisions import MAX_EDIT_ID_LENGTH, store_edit, stored_revision
from app.letters.write_lock import letter_write_lock
from app.mail.queue import queue_mail
from app.review.history import diff_revisions, require_revision
from app.review.models import Approval, Checkpoint, ReviewRequest
from app.review.review_request_limits import check_review_request_limits
from app.shared.errors import Conflict, InvalidInput, LetterLocked, NotFound
from app.shared.ids import whole_number
from app.shared.validation import clean_text
from app.sync import make_patch

MAX_MESSAGE_LENGTH = 2000


# -- checkpoints ------------------------------------------------------------------------------


def checkpoints_for(letter: Letter) -> list[Checkpoint]:
    """The letter's checkpoints, oldest revision first."""
    return list(
        db.session.scalars(select(Checkpoint).where(Checkpoint.letter_id == letter.id).order_by(Checkpoint.revision))
    )


def name_checkpoint(actor: Official | None, letter_id: object, revision: object, name: object) -> Checkpoint:
    """A drafter or the clerk names a revision; naming a named revision again renames it."""
    require(actor, Action.NAME_CHECKPOINT)
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    number = require_revision(letter, whole_number(revision, "revision"))
    name = clean_text(name, "name")
    checkpoint = db.session.scalar(
        select(Checkpoint).where(Checkpoint.letter_id == letter.id, Checkpoint.revision == number)
    )
    if checkpoint is None:
        checkpoint = Checkpoint(letter_id=letter.id, revision=number, name=name, created_by_id=actor.id)
        db.session.add(checkpoint)
    else:
        checkpoint.name = name
    audit.record(actor, "checkpoint.named", f"letter:{letter.id}", revision=number, name=name)
    try:
        db.session.commit()
    except IntegrityError:  # named at the same moment by someone else: rename theirs
        db.session.rollback()
        checkpoint = db.session.scalar(
            select(Checkpoint).where(Checkpoint.letter_id == letter.id, Checkpoint.revision == number)
        )
        if checkpoint is None:
            raise
        checkpoint.name = name
        db.session.commit()
    return checkpoint


def get_checkpoint(letter: Letter, checkpoint_id: object) -> Checkpoint:
    checkpoint = db.session.get(Checkpoint, checkpoint_id) if isinstance(checkpoint_id, int) else None
    if checkpoint is None or checkpoint.letter_id != letter.id:
        raise NotFound(_("No such checkpoint."))
    return checkpoint


def default_review_range(letter: Letter, checkpoints: list[Checkpoint] | None = None) -> tuple[int, int]:
    """The default review view: the diff between the last two checkpoints; with one checkpoint,
    from the first text to it; with none, from the first text to the newest."""
    if checkpoints is None:
        checkpoints = checkpoints_for(letter)
    if len(checkpoints) >= 2:
        return checkpoints[-2].revision, checkpoints[-1].revision
    if len(checkpoints) == 1:
        return 0, checkpoints[0].revision
    return 0, letter.revision


def range_for_checkpoint(letter: Letter, checkpoint: Checkpoint) -> tuple[int, int]:
    """The diff a review of `checkpoint` looks at: from the checkpoint before it (or the first
    text) to it."""
    earlier = [c.revision for c in checkpoints_for(letter) if c.revision < checkpoint.revision]
    return (earlier[-1] if earlier else 0), checkpoint.revision


# -- review requests --------------------------------------------------------------------------


def request_review(
    actor: Official | None, letter_id: object, checkpoint_id: object, message: object = ""
) -> ReviewRequest:
    """The clerk or a drafter asks the mayor's office to review a checkpoint: every active
    reviewer is emailed a link to the diff. Limited per official and per letter (429, see
    app/review/review_request_limits.py)."""
    require(actor, Action.REQUEST_REVIEW)
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    checkpoint = get_checkpoint(letter, checkpoint_id)
    if message is None:
        message = ""
    if not isinstance(message, str) or len(message) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            ngettext(
                "The message may have at most %(num)d character.",
                "The message may have at most %(num)d characters.",
                MAX_MESSAGE_LENGTH,
            ),
            details={"field": "message"},
        )
    message = message.strip()
    # Held like a change to the letter, so that simultaneous requests are counted one by one.
    with letter_write_lock(letter.id):
        check_review_request_limits(actor, letter.id)
        reviewers = list(
            db.session.scalars(
                select(Official)
                .where(Official.role == Role.REVIEWER.value, Official.active.is_(True))
                .order_by(Official.id)
            )
        )
        first, last = range_for_checkpoint(letter, checkpoint)
        base_url = current_app.config["PUBLIC_BASE_URL"]
        link = f"{base_url}/drafts/{letter.id}/review/diff?from={first}&to={last}"
        review_link = f"{base_url}/drafts/{letter.id}/review"
        for reviewer in reviewers:
            queue_mail(
                reviewer.email,
                "review_request",
                locale=reviewer.locale or "en",
                reviewer=reviewer,
                requester=actor,
                letter=letter,
                checkpoint=checkpoint,
                first=first,
                last=last,
                message=message,
                link=link,
                review_link=review_link,
            )
        request = ReviewRequest(
            letter_id=letter.id,
            checkpoint_id=checkpoint.id,
            requested_by_id=actor.id,
            message=message,
            recipients=len(reviewers),
        )
        db.session.add(request)
        audit.record(
            actor, "review.requested", f"letter:{letter.id}", checkpoint=checkpoint.revision, recipients=len(reviewers)
        )
        db.session.commit()
    return request


def review_requests_for(letter: Letter) -> list[ReviewRequest]:
    return list(
        db.session.scalars(
            select(ReviewRequest).where(ReviewRequest.letter_id == letter.id).order_by(ReviewRequest.id.desc())
        )
    )


# -- approvals --------------------------------------------------------------------------------


def approve(actor: Official | None, letter_id: object, revision: object) -> Approval:
    """A reviewer approves a revision (once per revision)."""
    require(actor, Action.APPROVE)
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    if revision is None:
        raise InvalidInput(_("Give the revision to approve."), details={"field": "revision"})
    number = require_revision(letter, whole_number(revision, "revision"))
    already = db.session.scalar(
        select(Approval).where(
            Approval.letter_id == letter.id, Approval.revision == number, Approval.reviewer_id == actor.id
        )
    )
    if already is not None:
        raise Conflict(_("You have already approved revision %(n)s.", n=number))
    approval = Approval(letter_id=letter.id, revision=number, reviewer_id=actor.id)
    db.session.add(approval)
    audit.record(actor, "revision.approved", f"letter:{letter.id}", revision=number)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(_("You have already approved revision %(n)s.", n=number)) from error
    return approval


def approvals_for(letter: Letter) -> list[Approval]:
    """Every approval of the letter, newest revision first (then newest approval first)."""
    return list(
        db.session.scalars(
            select(Approval)
            .where(Approval.letter_id == letter.id)
            .order_by(Approval.revision.desc(), Approval.created_at.desc(), Approval.id.desc())
        )
    )


@dataclass(frozen=True)
class ApprovalStatus:
    """What the letter's pages show: the newest approved revision, by whom, and whether the newest
    text differs from it."""

    approvals: list[Approval]
    approved_revision: int | None
    approvers: list[Approval]
    newest_revision: int
    newest_differs: bool

    @property
    def approved(self) -> bool:
        return self.approved_revision is not None


@dataclass(frozen=True)
class ApprovalDiff:
    """What a reviewer approves: `revision`, shown as the changes from the last revision approved
    before it (`base`; None when none was, and then from the letter as created)."""

    revision: int
    base: int | None
    diffs: list[tuple[int, str]]
    approved_by: list[Approval]

    @property
    def first(self) -> int:
        return 0 if self.base is None else self.base


def approval_diff(letter: Letter, revision: int) -> ApprovalDiff:
    """The approve form's view of `revision` (an existing revision of `letter`)."""
    approvals = approvals_for(letter)
    base = max((a.revision for a in approvals if a.revision < revision), default=None)
    diffs = diff_revisions(letter, 0 if base is None else base, revision)
    return ApprovalDiff(revision, base, diffs, [a for a in approvals if a.revision == revision])


def approval_status(letter: Letter) -> ApprovalStatus:
    approvals = approvals_for(letter)
    if not approvals:
        return ApprovalStatus([], None, [], letter.revision, True)
    approved = approvals[0].revision
    approvers = [a for a in approvals if a.revision == approved]
    differs = approved != letter.revision and text_at(letter, approved) != letter.text
    return ApprovalStatus(approvals, approved, approvers, letter.revision, differs)


# -- restoring --------------------------------------------------------------------------------


def new_restore_id() -> str:
    return f"restore-{secrets.token_urlsafe(12)}"


def restore_revision(
    actor: Official | None,
    letter_id: object,
    revision: object,
    *,
    edit_id: object = None,
) -> StoredRevision:
    """A drafter restores an old revision's text as a new revision (history stays whole). Stored
    like an edit made on the newest revision, so edits arriving meanwhile are merged, not lost."""
    require(actor, Action.EDIT_DRAFT)
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    number = require_revision(letter, whole_number(revision, "revision"))
    if edit_id is None:
        edit_id = new_restore_id()
    if not isinstance(edit_id, str) or not edit_id.startswith("restore-") or len(edit_id) > MAX_EDIT_ID_LENGTH:
        raise InvalidInput(_("edit_id must be a string starting with 'restore-'."), details={"field": "edit_id"})
    existing = db.session.scalar(select(Revision).where(Revision.letter_id == letter.id, Revision.edit_id == edit_id))
    if existing is not None:  # the same restore sent again (a double click, a reload)
        return stored_revision(existing, duplicate=True)
    if letter.is_locked:
        raise LetterLocked(_("This letter is locked; its text can no longer change."))
    newest, base = letter.text, letter.revision
    old = text_at(letter, number)
    if old == newest:
        raise InvalidInput(
            _("The newest text is already the text of revision %(n)s: nothing to restore.", n=number),
            details={"field": "revision"},
        )
    stored = store_edit(actor, letter.id, edit_id, base, make_patch(newest, old))
    if not stored.duplicate:
        audit.record(actor, "revision.restored", f"letter:{letter.id}", restored=number, revision=stored.revision)
        db.session.commit()
    return stored
