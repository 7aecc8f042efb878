"""The clerk's lock page: the newest revision, its approvals and what changed since the approved
one. Confirming locks exactly the revision the page showed: if the letter has moved on, nothing
is locked and the page shows what changed. Without a reviewer's approval of the text, the clerk
must write a reason."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.authorization import Action, require
from app.accounts.current import current_official
from app.letters.loading import Need, load_letter
from app.letters.translations import translations_for
from app.review import locking
from app.review.diff_html import diff_html
from app.review.forms import LockForm
from app.review.history import diff_revisions
from app.review.pages.helpers import form_number

bp = Blueprint("locking", __name__)


@bp.route("/drafts/<int:letter_id>/lock", methods=["GET", "POST"])
@login_required
def lock(letter_id: int):
    actor = require(current_official(), Action.LOCK_LETTER)
    letter = load_letter(letter_id, need=Need.EXISTS)
    form = LockForm()
    status = 200
    seen = None  # the revision the clerk saw, when the letter has moved past it
    if form.validate_on_submit():
        try:
            result = locking.lock_letter(
                actor,
                letter.id,
                form_number(form.revision.data),
                reason=form.reason.data,
                require_approval_or_reason=True,
                leave_out_unapproved_translations=form.leave_out_translations.data,
            )
        except locking.StaleRevision as error:
            seen, status = error.details["revision"], 409
        except locking.TranslationNotApproved as error:
            form.leave_out_translations.errors = [*form.leave_out_translations.errors, error.message]
            status = 409
        except locking.ReasonRequired as error:
            form.reason.errors = [*form.reason.errors, error.message]
            status = 400
        else:
            flash(_("The letter is locked. SHA-256: %(hash)s", hash=result.content_hash), "info")
            if result.translations_left_out:
                flash(
                    _(
                        "Left out, not approved: %(languages)s.",
                        languages=", ".join(result.translations_left_out),
                    ),
                    "info",
                )
            return redirect(url_for("public.letter", letter_id=letter.id))
    elif form.is_submitted():
        status = 400
    if form.is_submitted():
        letter = load_letter(letter_id, need=Need.EXISTS)  # as it is now: the page shows, and posts, the newest
        posted = form_number(form.revision.data)
        if seen is None and isinstance(posted, int) and posted < letter.revision:
            seen = posted  # it moved on while we answered
    form.revision.data = str(letter.revision)
    return (
        render_template(
            "review/lock.html",
            letter=letter,
            form=form,
            preview_hash=locking.content_hash(letter.text),
            overview=locking.lock_overview(letter),
            translations=translations_for(letter.id),
            hash_of=locking.content_hash,
            seen=seen,
            changes_since_seen=diff_revisions(letter, seen, letter.revision) if seen is not None else [],
            diff_html=diff_html,
        ),
        status,
    )
