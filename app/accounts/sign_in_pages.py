"""Sign-in, sign-out, one-time links (invitations and resets)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from app.accounts import officials
from app.accounts.current import current_official
from app.accounts.forms import ResetRequestForm, SetPasswordForm, SignInForm
from app.extensions import limiter
from app.shared.errors import InvalidInput
from app.web.forms import ConfirmForm
from app.web.redirects import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            official = officials.authenticate(form.email.data, form.password.data)
        except officials.SignInFailed:
            flash(_("Email or password is not correct."), "error")
            return render_template("accounts/sign_in.html", form=form), 401
        except officials.SignInSlowedDown as slowed:
            flash(slowed.message, "error")
            return render_template("accounts/sign_in.html", form=form), 429, {"Retry-After": str(slowed.seconds)}
        login_user(official)
        return redirect(safe_next(request.args.get("next"), url_for("letters.dashboard")))
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
@login_required
def sign_out():
    if ConfirmForm().validate_on_submit():
        officials.sign_out(current_official())
        logout_user()
        flash(_("You are signed out, on this device and every other."), "info")
    return redirect(url_for("letters.home"))


@bp.route("/link/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def redeem_link(token: str):
    """An invitation or reset link: choose a password, then you are signed in."""
    try:
        link = officials.check_link(token)
    except officials.LinkInvalid as error:
        return render_template("accounts/link_invalid.html", reason=error.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            official = officials.redeem_link(token, form.password.data)
        except officials.LinkInvalid as error:
            return render_template("accounts/link_invalid.html", reason=error.message), 410
        except InvalidInput as error:
            form.password.errors.append(error.message)
        else:
            login_user(official)
            flash(_("Your password is set. Welcome, %(name)s.", name=official.name), "info")
            return redirect(url_for("letters.dashboard"))
    return render_template("accounts/set_password.html", form=form, official=link.official, purpose=link.purpose)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        officials.request_password_reset(form.email.data)
        flash(_("If that address belongs to an official, a reset link is on its way."), "info")
        return redirect(url_for("auth.sign_in"))
    return render_template("accounts/reset_request.html", form=form)
