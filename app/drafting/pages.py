"""The drafting room: the letter's text, edited live by drafters (static/js/drafting/), with where
its review stands."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request
from flask_login import login_required

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.drafting.presence import PALETTE, user_json
from app.letters.loading import Need, load_letter
from app.letters.markdown import render_markdown
from app.review.authorship import word_runs
from app.review.summary import review_summary
from app.shared.ids import whole_number
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
        can_suggest=can(official, Action.SUGGEST) and not letter.is_locked,
        review=review_summary(letter),
        # The editor (CodeMirror) adds its own style element; this page's policy allows that one.
        style_nonce=style_nonce(),
        me=user_json(official),
    )


@bp.get("/drafts/<int:letter_id>/authorship.json")
@login_required
def authorship(letter_id: int):
    """Who wrote what, for the editor's authorship colours: blame runs (`[{text, revision,
    author: {id, name, color}}]`) of `?revision=n` (the newest without it), whole words as the
    review's authorship page credits them (a word to the author of most of its characters), for
    the signed-in official's browser session (the API's blame, exact per character, wants a token)."""
    letter = load_letter(letter_id, viewer=current_official(), need=Need.DRAFT)
    asked = request.args.get("revision")
    number = letter.revision if asked is None else whole_number(asked, "revision", from_text=True)
    runs = [run.json() for run in word_runs(letter, number)]
    for run in runs:  # each author in the colour the presence list gives them
        run["author"] = {**run["author"], "color": colour_of(run["author"]["id"])}
    return Response(json.dumps(runs, separators=(",", ":")), mimetype="application/json")


def colour_of(official_id: object) -> str | None:
    return PALETTE[official_id % len(PALETTE)] if isinstance(official_id, int) else None
