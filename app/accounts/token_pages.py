"""An official's own account: API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts import api_tokens
from app.accounts.current import current_official
from app.accounts.forms import TokenForm
from app.web.forms import ConfirmForm

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    official = current_official()
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = api_tokens.issue_token(official, form.label.data)
        form = TokenForm(formdata=None)
    return render_template(
        "accounts/tokens.html",
        form=form,
        revoke_form=ConfirmForm(),
        tokens=api_tokens.list_tokens(official),
        new_token=new_token,
    )


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    if ConfirmForm().validate_on_submit():
        api_tokens.revoke_token(current_official(), token_id)
        flash(_("The token is revoked."), "info")
    return redirect(url_for("account.tokens"))
