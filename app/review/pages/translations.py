"""A letter's translation pages: drafters save versions through a plain form (based on the version
the page showed: if someone saved meanwhile, nothing is saved and the page shows what changed);
reviewers read what changed since the approved version and approve the newest one; officials
comment on passages of it, in threads, as on the original. Once the letter is locked, a translation
left out of the lock (or started since) may still be finished and approved, and the clerk publishes
it. Works without JavaScript. The real-time drafting room stays for the original only."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.letters import translations
from app.letters.translation_models import LetterTranslation
from app.review import comments, late_translations, translation_comments, translation_review
from app.review.diff_html import diff_html
from app.review.forms import CommentForm, ReplyForm, TranslationApproveForm, TranslationForm, TranslationPublishForm
from app.review.pages.blueprint import bp
from app.review.pages.helpers import flash_errors, form_number, letter_for_page
from app.review.textdiff import word_diff
from app.shared.errors import InvalidInput, NotFound, ServiceError
from app.web.forms import ConfirmForm


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


def _page(
    letter,
    language: str,
    form: TranslationForm,
    *,
    status: int = 200,
    stale_diff=None,
    comment_form: CommentForm | None = None,
):
    translation = _find(letter.id, language)
    official = current_official()
    since, changes = _changes(translation)
    approve_form, publish_form = TranslationApproveForm(), TranslationPublishForm()
    comment_form = comment_form or CommentForm(prefix="c", formdata=None)
    threads = translation_comments.translation_threads(translation) if translation is not None else []
    if translation is not None:
        approve_form.revision.data = publish_form.revision.data = str(translation.revision)
        comment_form.revision.data = str(translation.revision)
    open_translation = translation is None or not translation.is_locked
    return (
        render_template(
            "review/translation.html",
            letter=letter,
            language=language,
            translation=translation,
            revisions=translations.translation_revisions(translation) if translation else [],
            form=form,
            approve_form=approve_form,
            publish_form=publish_form,
            can_edit=can(official, Action.EDIT_DRAFT) and open_translation,
            can_approve=can(official, Action.APPROVE) and open_translation and translation is not None,
            can_publish=can(official, Action.LOCK_LETTER)
            and letter.is_locked
            and translation is not None
            and not translation.is_locked,
            threads=threads,
            comment_form=comment_form,
            reply_forms={t.comment.id: ReplyForm(prefix=f"reply-{t.comment.id}") for t in threads},
            button_form=ConfirmForm(),
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


@bp.post("/translations/<language>/publish")
@login_required
def publish_translation(letter_id: int, language: str):
    """The clerk publishes, after the lock, a translation whose newest version a reviewer approved."""
    letter = letter_for_page(letter_id)
    form = TranslationPublishForm()
    if form.validate_on_submit():
        try:
            published = late_translations.publish_translation(
                current_official(), letter.id, language, form_number(form.revision.data)
            )
        except ServiceError as error:
            if error.status in (401, 403):
                raise
            flash(error.message, "error")
        else:
            flash(
                _(
                    "The translation is published with the letter. SHA-256: %(hash)s. Signatures made before "
                    "keep the hashes they recorded; new ones record this one too.",
                    hash=published.content_hash,
                ),
                "info",
            )
    else:
        flash(_("This page is out of date: reload it and try again."), "error")
    return redirect(url_for("review.translation", letter_id=letter.id, language=language))


# -- comments ---------------------------------------------------------------------------------


def _back_to(letter_id: int, language: str, comment_id: int):
    return redirect(
        url_for("review.translation", letter_id=letter_id, language=language, _anchor=f"comment-{comment_id}")
    )


@bp.post("/translations/<language>/comments")
@login_required
def comment_translation(letter_id: int, language: str):
    """Comment on a passage of the translation (the passage typed or pasted exactly as it appears)."""
    letter = letter_for_page(letter_id)
    form = CommentForm(prefix="c")
    if form.validate_on_submit():
        try:
            comment = translation_comments.add_translation_comment(
                current_official(),
                letter.id,
                language,
                form.body.data,
                revision=form_number(form.revision.data),
                quote=form.quote.data or "",
            )
        except InvalidInput as error:
            (form.body if error.details.get("field") == "body" else form.quote).errors = [error.message]
        else:
            flash(_("Comment added."), "info")
            return _back_to(letter.id, language, comment.id)
    edit_form = TranslationForm(formdata=None)
    found = _find(letter.id, language)
    edit_form.base_revision.data = str(found.revision if found else 0)
    edit_form.title.data, edit_form.text.data = (found.title, found.text) if found else (letter.title, letter.text)
    return _page(letter, language, edit_form, status=400, comment_form=form)


def _translation_comment(letter_id: int, language: str, comment_id: int):
    """The comment, if it is on this letter's translation into `language` (404 otherwise)."""
    comment = comments.get_comment(current_official(), comment_id)
    translation = _find(letter_id, language)
    if translation is None or comment.translation_id != translation.id:
        raise NotFound(_("No such comment."))
    return comment


@bp.post("/translations/<language>/comments/<int:comment_id>/reply")
@login_required
def reply_translation_comment(letter_id: int, language: str, comment_id: int):
    letter = letter_for_page(letter_id)
    parent = _translation_comment(letter.id, language, comment_id)
    form = ReplyForm(prefix=f"reply-{comment_id}")
    if form.validate_on_submit():
        comments.reply(current_official(), comment_id, form.body.data)
        flash(_("Reply added."), "info")
    else:
        flash_errors(form)
    return _back_to(letter.id, language, parent.parent_id or parent.id)


@bp.post("/translations/<language>/comments/<int:comment_id>/resolve")
@login_required
def resolve_translation_comment(letter_id: int, language: str, comment_id: int):
    letter = letter_for_page(letter_id)
    _translation_comment(letter.id, language, comment_id)
    if ConfirmForm().validate_on_submit():
        resolved = request.form.get("resolved", "1") == "1"
        comments.set_resolved(current_official(), comment_id, resolved)
        flash(_("Thread resolved.") if resolved else _("Thread reopened."), "info")
    return _back_to(letter.id, language, comment_id)
