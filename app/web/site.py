"""Site-wide pages: the language switcher and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, session, url_for

from app.web.redirects import safe_next

bp = Blueprint("site", __name__)


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("letters.home")))


@bp.get("/healthz")
def health():
    return {"status": "ok"}
