"""The public side of a locked letter: the page, co-signing, confirmation, receipt, withdrawal."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

import segno
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from app.accounts.current import current_official
from app.extensions import limiter
from app.letters import endorsements
from app.letters.loading import Need, load_letter
from app.letters.markdown import render_markdown
from app.letters.translations import letter_version, published_translations
from app.review import locking
from app.shared.errors import InvalidInput
from app.shared.ids import whole_number
from app.shared.lru import LRUCache
from app.signing import public_state, responses, signatures, submissions
from app.signing.form_freshness import attach_served_cookie, mark_served, seconds_since_served
from app.signing.forms import ConfirmSignatureForm, CorrectSignatureForm, EndorseForm, SignForm
from app.signing.limits import signing_budget
from app.signing.public_letter import counts_by_ward, live_counter, public_names
from app.signing.ward_labels import ward_label
from app.version import __version__
from app.web.forms import ConfirmForm

bp = Blueprint("public", __name__)


def ward_choices() -> list[tuple[str, str]]:
    return [("", _("Prefer not to say"))] + [(w, ward_label(w)) for w in current_app.config["WARDS"]]


def new_sign_form(formdata=None) -> SignForm:
    form = SignForm(formdata=formdata) if formdata is not None else SignForm()
    form.ward.choices = ward_choices()
    return form


def letter_url(letter_id: int, language: str | None = None) -> str:
    """The letter's public address; with `language`, the address of its translation into it."""
    path = url_for("public.letter", letter_id=letter_id, lang=language)
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"


# Full renders of the page for visitors not signed in, per letter version, language and path (the
# language switch sends the path back), with the session's CSRF token left out (CSRF_SLOT).
rendered_pages: LRUCache[str] = LRUCache(256)
CSRF_SLOT = "\x00csrf-token\x00"


def _page_etag(letter_id: int, version: str, official) -> str:
    """The page's version for this visitor: the letter's public version (app.signing.public_state),
    the language, the signed-in official and the session's CSRF secret (the form's token depends
    on it). Computed without the database."""
    parts = (letter_id, version, get_locale(), official.id if official else "-", __version__)
    state = "|".join(str(part) for part in parts)
    return hashlib.sha256(f"{state}|{session.get('csrf_token', '-')}".encode()).hexdigest()[:32]


def _render_letter_page(letter_id: int, form_factory: Callable[[], SignForm], status: int = 200):
    """The letter's page. A revalidation whose ETag still holds is answered 304 without the
    database; a full render for a visitor who is not signed in comes from `rendered_pages` when
    the letter has not changed since."""
    official = current_official()
    mark_served(letter_id)
    version = public_state.get(letter_id) if status == 200 else None
    if status == 200 and version is None:
        load_letter(letter_id, need=Need.PUBLIC)  # 404 (or a letter locked a moment ago)
        version = public_state.get(letter_id)
    etag = _page_etag(letter_id, version, official) if version else None
    flashes = bool(session.get("_flashes"))
    if etag and request.if_none_match.contains_weak(etag) and not flashes:
        response = Response(status=304)
        response.set_etag(etag, weak=True)
        response.headers["Cache-Control"] = "private, no-cache"
        return attach_served_cookie(response)
    key = (letter_id, version, str(get_locale()), request.full_path)
    cacheable = version is not None and official is None and not flashes
    cached = rendered_pages.get(key) if cacheable else None
    if cached is not None:
        body = cached.replace(CSRF_SLOT, generate_csrf())
    else:
        body = _render_letter(load_letter(letter_id, need=Need.PUBLIC), form_factory(), official)
        if cacheable:
            rendered_pages.put(key, body.replace(generate_csrf(), CSRF_SLOT))
    response = Response(body, status=status, mimetype="text/html")
    if version:
        response.headers["Cache-Control"] = "private, no-cache"
        # Rendering created the session's CSRF secret if it had none: version the page after it.
        response.set_etag(_page_etag(letter_id, version, official), weak=True)
    return attach_served_cookie(response)


def _render_letter(letter, form: SignForm, official) -> str:
    wards = counts_by_ward(letter.id)
    versions = published_translations(letter)
    translation = next((t for t in versions if t.language == str(get_locale())), None)
    return render_template(
        "signing/letter.html",
        letter=letter,
        translation=translation,
        versions=versions,
        original_language=current_app.config["BABEL_DEFAULT_LOCALE"],
        rendered=render_markdown(translation.text if translation else letter.text),
        lock=locking.lock_record(letter.id),
        count=letter.signature_count,  # exact: a cached render must not keep an older count
        endorsements=endorsements.endorsements_for(letter.id),
        names=public_names(letter.id),
        responses=responses.published(letter.id),
        ward_counts=[(w, wards.get(w, 0)) for w in current_app.config["WARDS"]],
        unstated=wards.get("", 0),
        form=form,
        endorse_form=EndorseForm() if official and not endorsements.has_endorsed(official, letter.id) else None,
        # Shared links open the translation the reader is reading, whatever the recipient's language.
        share_url=letter_url(letter.id, translation.language if translation else None),
    )


@bp.get("/letters/<int:letter_id>")
def letter(letter_id: int):
    return _render_letter_page(whole_number(letter_id, "letter_id"), new_sign_form)


@bp.get("/letters/<int:letter_id>/count.json")
def count(letter_id: int):
    load_letter(letter_id, need=Need.PUBLIC)
    response = {"count": live_counter.get(letter_id)}
    return response, 200, {"Cache-Control": "public, max-age=1"}


def _too_soon(letter_id: int) -> str | None:
    """Why the form is refused as automated, if it is: never served here, or sent too fast."""
    age = seconds_since_served(letter_id)
    if age is None:
        return _("This form has expired. Please check it and send it again.")
    if age < current_app.config["SIGNING_FORM_MIN_SECONDS"]:
        return _("That was very fast. Please check the form and send it again.")
    return None


@bp.post("/letters/<int:letter_id>/sign")
@signing_budget
def sign(letter_id: int):
    letter = load_letter(letter_id, need=Need.PUBLIC)
    form = new_sign_form(request.form)
    if not form.validate_on_submit():
        return _render_letter_page(letter.id, lambda: form, status=400)
    if form.website.data:  # the honeypot: answer as usual, store nothing
        return render_template("signing/check_email.html", letter=letter), 202
    if problem := _too_soon(letter.id):
        form.submit.errors = [problem]
        return _render_letter_page(letter.id, lambda: form, status=400)
    try:
        data = signatures.validate(
            form.name.data, form.email.data, form.ward.data or None, form.public.data, form.updates.data
        )
        submissions.submit(letter.id, data, locale=str(get_locale()))
    except InvalidInput as error:
        field = error.details.get("field")
        getattr(form, field if field in ("name", "email", "ward") else "name").errors.append(error.message)
        return _render_letter_page(letter.id, lambda: form, status=400)
    return render_template("signing/check_email.html", letter=letter), 202


def _private(body: str, status: int = 200) -> Response:
    """A page with a signer's personal data: never stored by a browser or a proxy."""
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def correction_form(submission=None, formdata=None) -> CorrectSignatureForm:
    if formdata is not None:
        form = CorrectSignatureForm(formdata=formdata)
    else:
        form = CorrectSignatureForm(
            name=submission.name, ward=submission.ward or "", public=submission.public, updates=submission.wants_updates
        )
    form.ward.choices = ward_choices()
    return form


def _confirm_page(
    token: str,
    link: signatures.ConfirmationLink,
    correction: CorrectSignatureForm | None = None,
    status: int = 200,
    problem: str | None = None,
) -> Response:
    letter = load_letter(link.letter_id, need=Need.PUBLIC)
    if correction is None and link.submission is not None:
        correction = correction_form(link.submission)
    form = ConfirmSignatureForm(formdata=None, shown=link.fingerprint)
    body = render_template(
        "signing/confirm.html",
        letter=letter,
        link=link,
        form=form,
        correction=correction,
        token=token,
        problem=problem,
    )
    return _private(body, status)


@bp.route("/signatures/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def confirm(token: str):
    """Opening the link shows what it will record and a button; only pressing it (a POST) confirms:
    mail scanners confirm nothing. The button records exactly what the page showed."""
    link = signatures.open_link(token)
    if link.submission is None or request.method != "POST":
        return _confirm_page(token, link)
    form = ConfirmSignatureForm()
    if not form.validate_on_submit():
        return _confirm_page(token, link, status=400)
    if form.shown.data != link.fingerprint:
        problem = _("What this link records changed since the page was opened. Check it, then confirm.")
        return _confirm_page(token, link, status=409, problem=problem)
    confirmation = signatures.confirm(token)
    letter = load_letter(link.letter_id, need=Need.PUBLIC)
    return _private(render_template("signing/receipt.html", letter=letter, confirmation=confirmation))


@bp.post("/signatures/confirm/<token>/correct")
@limiter.limit("30 per minute")
def correct(token: str):
    """The owner of the mailbox corrects the name, ward or choices before confirming."""
    link = signatures.open_link(token)
    if link.submission is None:
        return redirect(url_for("public.confirm", token=token), code=303)
    form = correction_form(formdata=request.form)
    if form.validate_on_submit():
        try:
            choices = signatures.validate_choices(
                form.name.data, form.ward.data or None, form.public.data, form.updates.data
            )
            signatures.correct(token, choices)
        except InvalidInput as error:
            field = error.details.get("field")
            getattr(form, field if field in ("name", "ward") else "name").errors.append(error.message)
        else:
            flash(_("Your corrections are saved. Check them, then confirm your signature."), "info")
            return redirect(url_for("public.confirm", token=token), code=303)
    return _confirm_page(token, link, correction=form, status=400)


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


def versioned_url(letter) -> str:
    """The letter's address in the reader's language when it has a translation in it (a Spanish
    flyer's QR code opens the Spanish page, whatever the phone's language)."""
    version = letter_version(letter)
    return letter_url(letter.id, version.language if version.translated else None)


@bp.get("/letters/<int:letter_id>/qr.svg")
def qr_code(letter_id: int):
    letter = load_letter(letter_id, need=Need.PUBLIC)
    buffer = io.BytesIO()
    segno.make(versioned_url(letter), error="m").save(buffer, kind="svg", scale=8, border=2, title=_("QR code"))
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/letters/<int:letter_id>/flyer")
def flyer(letter_id: int):
    letter = load_letter(letter_id, need=Need.PUBLIC)
    version = letter_version(letter)
    return render_template(
        "signing/flyer.html",
        letter=letter,
        share_url=versioned_url(letter),
        qr_lang=version.language if version.translated else None,
    )


@bp.post("/letters/<int:letter_id>/endorse")
def endorse(letter_id: int):
    form = EndorseForm()
    if form.validate_on_submit():
        endorsements.endorse(current_official(), letter_id, form.title.data)
        public_state.changed(letter_id)
        flash(_("Thank you: your endorsement is recorded."), "info")
    return redirect(url_for("public.letter", letter_id=letter_id))
