"""The public receipt check page: a resident enters a receipt code and sees whether it is in the
letter's published signature log and whether the log's hash chain is intact.

With JavaScript the browser checks the published log itself (static/js/receipt-check.js) and the
code never leaves the page; without it the form is sent here and the server checks it
(app/signing/receipt_check.py). Either way the answer names nobody: an unknown, withdrawn or
malformed code is simply "not found"."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.extensions import limiter
from app.letters.loading import Need, load_letter
from app.signing import receipt_check

bp = Blueprint("receipts", __name__)

RECEIPT_CHECK_LIMIT = "20 per minute; 200 per hour"


class ReceiptCheckForm(FlaskForm):
    code = StringField(
        _l("Your receipt code"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("As on your receipt, for example ABCD-EFGH-JKMN. Spaces, dashes and case do not matter."),
    )
    submit = SubmitField(_l("Check my receipt"))


@bp.route("/letters/<int:letter_id>/receipt", methods=["GET", "POST"])
@limiter.limit(RECEIPT_CHECK_LIMIT, methods=["POST"])
def check(letter_id: int):
    letter = load_letter(letter_id, need=Need.PUBLIC)
    form = ReceiptCheckForm()
    result, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            result = receipt_check.check_receipt(letter, form.code.data)
        else:
            status = 400
    body = render_template(
        "signing/check_receipt.html",
        letter=letter,
        form=form,
        result=result,
        log_url=url_for("api_v1.SignatureLog", letter_id=letter.id),
    )
    # A page about one person's receipt: never stored by a browser or a proxy.
    return Response(body, status=status, mimetype="text/html", headers={"Cache-Control": "no-store"})
