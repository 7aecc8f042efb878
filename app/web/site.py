"""Home, dashboard and the language switcher."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import login_required

from app.accounts.current import current_official
from app.letters.loading import list_letters
from app.letters.models import LetterStatus

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    if current_official() is not None:
        return redirect(url_for("main.dashboard"))
    return render_template("home.html", letters=list_letters(None))


@bp.get("/dashboard")
@login_required
def dashboard():
    all_letters = list_letters(current_official())
    by_status = {
        status.value: [letter for letter in all_letters if letter.status == status.value] for status in LetterStatus
    }
    return render_template("dashboard.html", by_status=by_status)


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    target = request.form.get("next") or url_for("main.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.home")
    return redirect(target)


@bp.get("/healthz")
def health():
    return {"status": "ok"}
