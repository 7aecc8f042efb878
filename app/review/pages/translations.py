"""A letter's translation pages: drafters save versions through a plain form (based on the version
the page showed: if someone saved meanwhile, nothing is saved and the page shows what changed);
reviewers read what changed since the approved version and approve the newest one. Works without
JavaScript. The real-time drafting room stays for the original only."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.letters import translations
from app.letters.translation_models import LetterTranslation
from app.review import translation_review
from app.review.diff_html import diff_html
from app.review.forms import TranslationApproveForm, TranslationForm
from app.review.pages.blueprint import bp
from app.review.pages.helpers import form_number, letter_for_page
from app.review.textdiff import word_diff
from app.shared.errors import NotFound, ServiceError


def _find(letter_id: int, language: str) -> LetterTranslation | None:
    try:
        return translations.get_translation(letter_id, language)
    except NotFound:
        translations.check_language(language)  # 404 for a language letters are not translated into
        return None


def _changes(translation: LetterTranslation | None) -> tuple[int | None, list]:
    """What a reviewer reads: the changes since the approved version (or the previous one)."""
    if translation is None or translation.approved:
        return None, []
    since = translation.approved_revision or (translation.revision - 1)
    if since < 1:
        return None, []
    old = translations.translation_revision(translation, since)
    return since, word_diff(old.text, translation.text)


def _page(letter, language: str, form: TranslationForm, *, status: int = 200, stale_diff=None):
    translation = _find(letter.id, language)
    official = current_official()
    since, changes = _changes(translation)
    approve_form = TranslationApproveForm()
    if translation is not None:
        approve_form.revision.data = str(translation.revision)
    return (
        render_template(
            "review/translation.html",
            letter=letter,
            language=language,
            translation=translation,
            revisions=translations.translation_revisions(translation) if translation else [],
            form=form,
            approve_form=approve_form,
            can_edit=can(official, Action.EDIT_DRAFT) and not letter.is_locked,
            can_approve=can(official, Action.APPROVE) and not letter.is_locked and translation is not None,
            since=since,
            changes=diff_html(changes),
            stale_diff=diff_html(stale_diff) if stale_diff is not None else None,
            current="translations",
        ),
        status,
    )


@bp.get("/translations/<language>")
@login_required
def translation(letter_id: int, language: str):
    letter = letter_for_page(letter_id)
    found = _find(letter.id, language)
    form = TranslationForm()
    form.base_revision.data = str(found.revision if found else 0)
    form.title.data = found.title if found else letter.title
    form.text.data = found.text if found else letter.text
    return _page(letter, language, form)


@bp.post("/translations/<language>")
@login_required
def save_translation(letter_id: int, language: str):
    letter = letter_for_page(letter_id)
    form = TranslationForm()
    if not form.validate_on_submit():
        return _page(letter, language, form, status=400)
    try:
        saved = translations.save_translation(
            current_official(),
            letter.id,
            language,
            form.title.data,
            form.text.data,
            form_number(form.base_revision.data) if form.base_revision.data else None,
        )
    except translations.StaleTranslation as error:
        newest = _find(letter.id, language)
        form.base_revision.data = str(newest.revision)  # saving again replaces the newest, knowingly
        form.save.errors = [error.message]
        return _page(letter, language, form, status=409, stale_diff=word_diff(newest.text, form.text.data or ""))
    except ServiceError as error:
        form.save.errors = [error.message]
        return _page(letter, language, form, status=error.status)
    flash(_("Version %(n)s of the translation is saved.", n=saved.revision), "info")
    return redirect(url_for("review.translation", letter_id=letter.id, language=language))


@bp.post("/translations/<language>/approve")
@login_required
def approve_translation(letter_id: int, language: str):
    letter = letter_for_page(letter_id)
    form = TranslationApproveForm()
    if form.validate_on_submit():
        try:
            approved = translation_review.approve_translation(
                current_official(), letter.id, language, form_number(form.revision.data)
            )
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(_("You approved version %(n)s of the translation.", n=approved.approved_revision), "info")
    else:
        flash(_("This page is out of date: reload it and try again."), "error")
    return redirect(url_for("review.translation", letter_id=letter.id, language=language))
