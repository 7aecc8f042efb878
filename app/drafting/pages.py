"""The drafting room: the letter's text, edited live by drafters (static/js/drafting/), with where
its review stands."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.letters.loading import Need, load_letter
from app.letters.markdown import render_markdown
from app.review.summary import review_summary
from app.web.security_headers import style_nonce

bp = Blueprint("drafting", __name__)


@bp.get("/drafts/<int:letter_id>")
@login_required
def room(letter_id: int):
    official = current_official()
    letter = load_letter(letter_id, viewer=official, need=Need.DRAFT)
    return render_template(
        "drafting/room.html",
        letter=letter,
        rendered=render_markdown(letter.text),
        can_edit=can(official, Action.EDIT_DRAFT) and not letter.is_locked,
        review=review_summary(letter),
        # The editor (CodeMirror) adds its own style element; this page's policy allows that one.
        style_nonce=style_nonce(),
    )
