"""The public side of a locked letter: the page, co-signing, confirmation, receipt, withdrawal."""

from __future__ import annotations

import hashlib
import io
import time

import segno
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.accounts.current import current_official
from app.extensions import limiter
from app.letters import endorsements
from app.letters.loading import Need, load_letter
from app.letters.markdown import render_markdown
from app.review import locking
from app.shared.errors import InvalidInput
from app.shared.rate_limits import client_address
from app.signing import signatures
from app.signing.forms import EndorseForm, SignForm
from app.signing.public_letter import counts_by_ward, live_counter, public_name_count, public_names
from app.version import __version__
from app.web.forms import ConfirmForm

bp = Blueprint("public", __name__)


def _form_clock() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="signing-form-started")


def new_sign_form(formdata=None) -> SignForm:
    form = SignForm(formdata=formdata) if formdata is not None else SignForm()
    form.ward.choices = [("", _("Prefer not to say"))] + [(w, w) for w in current_app.config["WARDS"]]
    if not form.started.data:
        form.started.data = _form_clock().dumps(time.time())
    return form


def letter_url(letter_id: int) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{url_for('public.letter', letter_id=letter_id)}"


def _page_state(letter) -> str:
    """What the page shows (counts, names, endorsements) and for whom (language, the signed-in
    official). Read once per view: it costs a few small queries."""
    official = current_official()
    return "|".join(
        str(part)
        for part in (
            letter.id,
            letter.content_hash,
            live_counter.get(letter),
            endorsements.endorsement_count(letter.id),
            public_name_count(letter.id),
            letter.closed_at,
            get_locale(),
            official.id if official else "-",
            __version__,
        )
    )


def _page_etag(state: str) -> str:
    """The page's version: its state and the session's CSRF secret, which the form's token depends on."""
    return hashlib.sha256(f"{state}|{session.get('csrf_token', '-')}".encode()).hexdigest()[:32]


def _render_letter_page(letter, form: SignForm, status: int = 200):
    official = current_official()
    state = _page_state(letter) if status == 200 else None
    etag = _page_etag(state) if state else None
    if etag and request.if_none_match.contains_weak(etag) and not session.get("_flashes"):
        response = Response(status=304)
        response.set_etag(etag, weak=True)
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    wards = counts_by_ward(letter.id)
    body = render_template(
        "signing/letter.html",
        letter=letter,
        rendered=render_markdown(letter.text),
        lock=locking.lock_record(letter.id),
        count=live_counter.get(letter),
        endorsements=endorsements.endorsements_for(letter.id),
        names=public_names(letter.id),
        ward_counts=[(w, wards.get(w, 0)) for w in current_app.config["WARDS"]],
        unstated=wards.get("", 0),
        form=form,
        endorse_form=EndorseForm() if official and not endorsements.has_endorsed(official, letter.id) else None,
        share_url=letter_url(letter.id),
    )
    response = Response(body, status=status, mimetype="text/html")
    if etag:
        response.headers["Cache-Control"] = "private, no-cache"
        # Rendering created the session's CSRF secret if it had none: version the page after it.
        response.set_etag(_page_etag(state), weak=True)
    return response


@bp.get("/letters/<int:letter_id>")
def letter(letter_id: int):
    return _render_letter_page(load_letter(letter_id, need=Need.PUBLIC), new_sign_form())


@bp.get("/letters/<int:letter_id>/count.json")
def count(letter_id: int):
    load_letter(letter_id, need=Need.PUBLIC)
    response = {"count": live_counter.get(letter_id)}
    return response, 200, {"Cache-Control": "public, max-age=1"}


def _per_address_and_letter() -> str:
    return f"{client_address()}|{(request.view_args or {}).get('letter_id')}"


@bp.post("/letters/<int:letter_id>/sign")
@limiter.limit("5 per minute; 30 per hour", key_func=_per_address_and_letter)
def sign(letter_id: int):
    letter = load_letter(letter_id, need=Need.PUBLIC)
    form = new_sign_form(request.form)
    if not form.validate_on_submit():
        return _render_letter_page(letter, form, status=400)
    if form.website.data:  # the honeypot: answer as usual, store nothing
        return render_template("signing/check_email.html", letter=letter), 202
    try:
        started = float(_form_clock().loads(form.started.data, max_age=86400))
    except (BadSignature, TypeError, ValueError):
        started = 0.0
    if time.time() - started < current_app.config["SIGNING_FORM_MIN_SECONDS"]:
        form.submit.errors = [_("That was very fast. Please check the form and send it again.")]
        form.started.data = _form_clock().dumps(time.time())
        return _render_letter_page(letter, form, status=400)
    try:
        data = signatures.validate(
            form.name.data, form.email.data, form.ward.data or None, form.public.data, form.updates.data
        )
        signatures.submit(letter.id, data, locale=str(get_locale()))
    except InvalidInput as error:
        field = error.details.get("field")
        getattr(form, field if field in ("name", "email", "ward") else "name").errors.append(error.message)
        return _render_letter_page(letter, form, status=400)
    return render_template("signing/check_email.html", letter=letter), 202


@bp.route("/signatures/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def confirm(token: str):
    """Opening the link shows a button; only pressing it (a POST) confirms: mail scanners confirm nothing."""
    signature = signatures.pending_signature(token)
    letter = load_letter(signature.letter_id, need=Need.PUBLIC)
    form = ConfirmForm()
    if form.validate_on_submit():
        confirmation = signatures.confirm(token)
        return render_template("signing/receipt.html", letter=letter, confirmation=confirmation)
    return render_template("signing/confirm.html", letter=letter, form=form, status=signature.status)


@bp.route("/signatures/withdraw/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def withdraw(token: str):
    signature = signatures.confirmed_signature_for_withdrawal(token)
    letter = load_letter(signature.letter_id, need=Need.PUBLIC)
    form = ConfirmForm()
    if form.validate_on_submit():
        signatures.withdraw(token)
        return render_template("signing/withdrawn.html", letter=letter)
    return render_template("signing/withdraw.html", letter=letter, form=form)


@bp.get("/letters/<int:letter_id>/qr.svg")
def qr_code(letter_id: int):
    load_letter(letter_id, need=Need.PUBLIC)
    buffer = io.BytesIO()
    segno.make(letter_url(letter_id), error="m").save(buffer, kind="svg", scale=8, border=2, title=_("QR code"))
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/letters/<int:letter_id>/flyer")
def flyer(letter_id: int):
    letter = load_letter(letter_id, need=Need.PUBLIC)
    return render_template("signing/flyer.html", letter=letter, share_url=letter_url(letter.id))


@bp.post("/letters/<int:letter_id>/endorse")
def endorse(letter_id: int):
    form = EndorseForm()
    if form.validate_on_submit():
        endorsements.endorse(current_official(), letter_id, form.title.data)
        flash(_("Thank you: your endorsement is recorded."), "info")
    return redirect(url_for("public.letter", letter_id=letter_id))
