"""Site-wide pages: the language switcher and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, session, url_for

bp = Blueprint("site", __name__)


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    target = request.form.get("next") or url_for("letters.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("letters.home")
    return redirect(target)


@bp.get("/healthz")
def health():
    return {"status": "ok"}
