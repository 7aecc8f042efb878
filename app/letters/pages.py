"""Officials' letter pages: create a letter, open a draft."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.authorization import Action, can, require
from app.accounts.current import current_official
from app.letters import creation
from app.letters.loading import Need, load_letter
from app.letters.markdown import render_markdown
from app.shared.errors import InvalidInput
from app.web.forms import LetterForm

bp = Blueprint("letters", __name__, url_prefix="/drafts")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_letter():
    require(current_official(), Action.CREATE_LETTER)
    form = LetterForm()
    if form.validate_on_submit():
        try:
            letter = creation.create_letter(current_official(), form.title.data, form.text.data)
        except InvalidInput as error:
            field = error.details.get("field")
            getattr(form, field if field in ("title", "text") else "title").errors.append(error.message)
        else:
            flash(_("Letter created."), "info")
            return redirect(url_for("letters.draft", letter_id=letter.id))
    return render_template("letters/new.html", form=form)


@bp.get("/<int:letter_id>")
@login_required
def draft(letter_id: int):
    official = current_official()
    letter = load_letter(letter_id, viewer=official, need=Need.DRAFT)
    return render_template(
        "letters/draft.html",
        letter=letter,
        rendered=render_markdown(letter.text),
        can_edit=can(official, Action.EDIT_DRAFT) and not letter.is_locked,
    )
