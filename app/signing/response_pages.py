"""The clerk records what came of a letter (drafts, then send); signers unsubscribe from updates."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.accounts.current import current_official
from app.extensions import csrf, limiter
from app.letters.loading import Need, load_letter
from app.shared.errors import Conflict, InvalidInput
from app.signing import response_mail, responses
from app.web.forms import ConfirmForm

bp = Blueprint("responses", __name__)


class ResponseForm(FlaskForm):
    source = StringField(
        _l("From whom"),
        validators=[DataRequired(), Length(max=responses.MAX_SOURCE)],
        description=_l('Who answered or acted, for example "Mayor Rivera" or "City Council, resolution 2026-114".'),
    )
    text = TextAreaField(
        _l("The response"),
        validators=[DataRequired(), Length(max=responses.MAX_TEXT)],
        description=_l("What they said or did, as it should appear on the letter's page (Markdown)."),
    )
    submit = SubmitField(_l("Save the draft"))


def _save(form: ResponseForm, save) -> bool:
    """Validate and save the form with `save(data)`; put a service error on the right field."""
    if not form.validate_on_submit():
        return False
    try:
        save(responses.validate(form.source.data, form.text.data))
    except InvalidInput as error:
        field = form.source if error.details.get("field") == "source" else form.text
        field.errors = [*field.errors, error.message]
        return False
    return True


@bp.route("/letters/<int:letter_id>/responses", methods=["GET", "POST"])
@login_required
def index(letter_id: int):
    official = current_official()
    existing = responses.for_clerk(official, letter_id)
    letter = load_letter(letter_id, need=Need.EXISTS)
    form = ResponseForm()
    created = []
    if _save(form, lambda data: created.append(responses.create(official, letter.id, data))):
        flash(_("The draft is saved. Check it, then send it."), "info")
        return redirect(url_for("responses.edit", letter_id=letter.id, response_id=created[0].id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "signing/responses.html",
        letter=letter,
        responses=existing,
        form=form,
        subscribers=responses.subscriber_count(letter.id),
    ), status


@bp.route("/letters/<int:letter_id>/responses/<int:response_id>", methods=["GET", "POST"])
@login_required
def edit(letter_id: int, response_id: int):
    official = current_official()
    response = responses.get(official, response_id, letter_id)
    letter = load_letter(letter_id, need=Need.EXISTS)
    if response.sent_at is not None and request.method == "POST":
        raise Conflict(_("This response was sent; it can no longer be changed."))
    form = ResponseForm(obj=response) if request.method == "GET" else ResponseForm()
    if response.sent_at is None and _save(form, lambda data: responses.edit(official, response.id, data)):
        flash(_("The draft is saved."), "info")
        return redirect(url_for("responses.edit", letter_id=letter.id, response_id=response.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "signing/response_edit.html",
        letter=letter,
        response=response,
        form=form,
        send_form=ConfirmForm(),
        subscribers=responses.subscriber_count(letter.id),
    ), status


@bp.post("/letters/<int:letter_id>/responses/<int:response_id>/send")
@login_required
def send(letter_id: int, response_id: int):
    official = current_official()
    response = responses.get(official, response_id, letter_id)
    if ConfirmForm().validate_on_submit():
        responses.send(official, response.id)
        flash(_("The response is published on the letter's page and is being emailed."), "info")
    return redirect(url_for("responses.edit", letter_id=letter_id, response_id=response.id), code=303)


@bp.route("/updates/unsubscribe/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def unsubscribe(token: str):
    """Opening the link shows a button (mail scanners open links); pressing it unsubscribes, once."""
    signature = response_mail.open_unsubscribe(token)
    letter = load_letter(signature.letter_id, need=Need.EXISTS)
    form = ConfirmForm()
    if form.validate_on_submit():
        response_mail.unsubscribe(token)
        return render_template("signing/unsubscribed.html", letter=letter)
    return render_template("signing/unsubscribe.html", letter=letter, form=form)


@bp.post("/updates/unsubscribe/<token>/one-click")
@csrf.exempt
@limiter.limit("30 per minute")
def unsubscribe_one_click(token: str) -> Response:
    """RFC 8058: the mail program POSTs `List-Unsubscribe=One-Click` here, without cookies or a
    form to fill in (the token is the secret). Works once, like the link; anything else is refused
    and changes nothing."""
    if request.form.get("List-Unsubscribe") != "One-Click":
        raise InvalidInput(_("This address only takes a one-click unsubscribe from a mail program."))
    signature = response_mail.open_unsubscribe(token)
    letter = load_letter(signature.letter_id, need=Need.EXISTS)
    response_mail.unsubscribe(token)
    return Response(render_template("signing/unsubscribed.html", letter=letter), mimetype="text/html")
