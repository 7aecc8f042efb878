"""The letters' pages: the public home page, officials' dashboard, starting a letter."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.authorization import Action, require
from app.accounts.current import current_official
from app.letters import creation
from app.letters.forms import LetterForm
from app.letters.loading import list_letters
from app.letters.models import LetterStatus
from app.shared.errors import InvalidInput

bp = Blueprint("letters", __name__)


@bp.get("/")
def home():
    if current_official() is not None:
        return redirect(url_for("letters.dashboard"))
    return render_template("letters/home.html", letters=list_letters(None))


@bp.get("/dashboard")
@login_required
def dashboard():
    all_letters = list_letters(current_official())
    by_status = {
        status.value: [letter for letter in all_letters if letter.status == status.value] for status in LetterStatus
    }
    return render_template("letters/dashboard.html", by_status=by_status)


@bp.route("/drafts/new", methods=["GET", "POST"])
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
            return redirect(url_for("drafting.room", letter_id=letter.id))
    return render_template("letters/new.html", form=form)
