"""The clerk's lock page: the newest revision, its approvals and what changed since the approved
one; confirming fixes the text for good."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.authorization import Action, require
from app.accounts.current import current_official
from app.letters.loading import Need, load_letter
from app.review import locking
from app.review.diff_html import diff_html
from app.web.forms import ConfirmForm

bp = Blueprint("locking", __name__)


@bp.route("/drafts/<int:letter_id>/lock", methods=["GET", "POST"])
@login_required
def lock(letter_id: int):
    actor = require(current_official(), Action.LOCK_LETTER)
    letter = load_letter(letter_id, need=Need.EXISTS)
    form = ConfirmForm()
    if form.validate_on_submit():
        result = locking.lock_letter(actor, letter.id)
        flash(_("The letter is locked. SHA-256: %(hash)s", hash=result.content_hash), "info")
        return redirect(url_for("public.letter", letter_id=letter.id))
    return render_template(
        "review/lock.html",
        letter=letter,
        form=form,
        preview_hash=locking.content_hash(letter.text),
        overview=locking.lock_overview(letter),
        diff_html=diff_html,
    )
