"""The clerk's page for officials: invite, deactivate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts import officials
from app.accounts.authorization import Action, require
from app.accounts.current import current_official
from app.accounts.forms import InviteForm
from app.shared.errors import Conflict, InvalidInput
from app.web.forms import ConfirmForm

bp = Blueprint("officials", __name__, url_prefix="/officials")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    actor = require(current_official(), Action.INVITE_OFFICIAL)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invited = officials.invite_official(
                actor, form.email.data, form.name.data, form.role.data, form.locale.data
            )
        except (InvalidInput, Conflict) as error:
            form.email.errors.append(error.message)
        else:
            flash(_("Invitation sent to %(email)s.", email=invited.email), "info")
            return redirect(url_for("officials.index"))
    return render_template(
        "accounts/officials.html", form=form, toggle_form=ConfirmForm(), officials=officials.list_officials(actor)
    )


@bp.post("/<int:official_id>/active/<int:active>")
@login_required
def set_active(official_id: int, active: int):
    if ConfirmForm().validate_on_submit():
        officials.set_active(current_official(), official_id, bool(active))
        flash(_("Saved."), "info")
    return redirect(url_for("officials.index"))
