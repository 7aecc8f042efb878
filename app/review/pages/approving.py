"""Checkpoints, review requests, approvals and restoring an earlier revision."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from werkzeug.wrappers import Response

from app.accounts.current import current_official
from app.review import approvals as review
from app.review.forms import (
    CheckpointForm,
    ReviewRequestForm,
    RevisionActionForm,
)
from app.review.pages.blueprint import bp
from app.review.pages.helpers import flash_errors, form_number, letter_for_page, next_url
from app.shared.errors import Conflict, InvalidInput, RateLimited

# -- checkpoints, review requests, approvals, restore -----------------------------------------


@bp.post("/checkpoints")
@login_required
def name_checkpoint(letter_id: int) -> Response:
    form = CheckpointForm()
    if form.validate_on_submit():
        try:
            checkpoint = review.name_checkpoint(
                current_official(), letter_id, form_number(form.revision.data), form.name.data
            )
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            flash(_("Revision %(n)s is named “%(name)s”.", n=checkpoint.revision, name=checkpoint.name), "info")
    else:
        flash_errors(form)
    return redirect(next_url(letter_id))


@bp.post("/review-requests")
@login_required
def request_review(letter_id: int) -> Response:
    form = ReviewRequestForm()
    if form.validate_on_submit():
        try:
            made = review.request_review(
                current_official(), letter_id, form_number(form.checkpoint_id.data), form.message.data or ""
            )
        except (InvalidInput, RateLimited) as error:
            flash(error.message, "error")
        else:
            flash(
                ngettext(
                    "Review requested: %(num)d reviewer was emailed.",
                    "Review requested: %(num)d reviewers were emailed.",
                    made.recipients,
                )
                if made.recipients
                else _("Review requested, but there is no reviewer to email yet."),
                "info",
            )
    else:
        flash_errors(form)
    return redirect(next_url(letter_id))


@bp.post("/approvals")
@login_required
def approve(letter_id: int) -> Response:
    form = RevisionActionForm()
    if form.validate_on_submit():
        try:
            approval = review.approve(current_official(), letter_id, form_number(form.revision.data))
        except (InvalidInput, Conflict) as error:
            flash(error.message, "error")
        else:
            flash(_("You approved revision %(n)s.", n=approval.revision), "info")
            newest = letter_for_page(letter_id).revision
            if newest > approval.revision:
                flash(
                    _(
                        "A newer revision exists: revision %(newest)s. Your approval is of revision %(n)s only; "
                        "the changes since then are not approved.",
                        newest=newest,
                        n=approval.revision,
                    ),
                    "info",
                )
    return redirect(next_url(letter_id))


@bp.post("/restore")
@login_required
def restore(letter_id: int) -> Response:
    form = RevisionActionForm()
    if form.validate_on_submit():
        try:
            stored = review.restore_revision(
                current_official(),
                letter_id,
                form_number(form.revision.data),
                edit_id=form.edit_id.data or None,
            )
        except (InvalidInput, Conflict) as error:
            flash(error.message, "error")
        else:
            flash(
                _(
                    "Revision %(old)s is restored as revision %(n)s. The history keeps every revision.",
                    old=form.revision.data,
                    n=stored.revision,
                ),
                "info",
            )
            return redirect(url_for("review.history_page", letter_id=letter_id, revision=stored.revision))
    return redirect(next_url(letter_id))
