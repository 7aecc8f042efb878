"""Proposing and deciding: suggesting changes, commenting, replying, resolving; drafters accept
or reject suggestions where they stand."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.letters.models import Letter
from app.review import comments, suggestion_decisions, suggestions
from app.review.forms import (
    CommentForm,
    ReplyForm,
    SuggestionForm,
)
from app.review.pages.blueprint import bp
from app.review.pages.helpers import flash_errors, form_number, letter_for_page
from app.shared.errors import Conflict, InvalidInput, NotFound, ServiceError
from app.web.forms import ConfirmForm

# -- suggesting and commenting ----------------------------------------------------------------


def _suggest(official, letter: Letter, form: SuggestionForm) -> Response | None:
    if not form.validate_on_submit():
        return None
    try:
        suggestion = suggestions.suggest_replacement(
            official,
            letter.id,
            form_number(form.base_revision.data),
            start=form_number(form.start.data),
            end=form_number(form.end.data),
            quote=form.quote.data or "",
            replacement=form.replacement.data or "",
            note=form.note.data or "",
        )
    except (InvalidInput, Conflict) as error:
        field = error.details.get("field")
        target = getattr(form, field, None) if field in ("quote", "replacement", "note") else None
        (target or form.quote).errors = [error.message]
        return None
    flash(_("Your suggestion is waiting for a drafter."), "info")
    return redirect(url_for("review.overview", letter_id=letter.id, _anchor=f"suggestion-{suggestion.id}"))


def _comment(official, letter: Letter, form: CommentForm) -> Response | None:
    if not form.validate_on_submit():
        return None
    start, end = form_number(form.start.data), form_number(form.end.data)
    try:
        comment = comments.add_comment(
            official,
            letter.id,
            form.body.data,
            revision=form_number(form.revision.data),
            start=start,
            end=end,
            quote=(form.quote.data or "") if start is None and end is None else None,
        )
    except InvalidInput as error:
        (form.body if error.details.get("field") == "body" else form.quote).errors = [error.message]
        return None
    flash(_("Comment added."), "info")
    return redirect(url_for("review.overview", letter_id=letter.id, _anchor=f"comment-{comment.id}"))


@bp.route("/propose", methods=["GET", "POST"])
@login_required
def propose(letter_id: int):
    """Select a passage of the newest text, then suggest a change to it or comment on it."""
    official = current_official()
    letter = letter_for_page(letter_id)
    suggestion_form = SuggestionForm(prefix="s")
    comment_form = CommentForm(prefix="c")
    if request.method == "POST":
        handled = (
            _suggest(official, letter, suggestion_form)
            if suggestion_form.submit.data
            else _comment(official, letter, comment_form)
            if comment_form.submit.data
            else None
        )
        if handled is not None:
            return handled
    # The page shows the newest text: offsets picked on an older one would not fit it.
    suggestion_form.base_revision.data = str(letter.revision)
    comment_form.revision.data = str(letter.revision)
    for form in (suggestion_form, comment_form):
        form.start.data = form.end.data = ""
    return render_template(
        "review/propose.html",
        letter=letter,
        text=letter.text,
        suggestion_form=suggestion_form,
        comment_form=comment_form,
        can_suggest=can(official, Action.SUGGEST) and not letter.is_locked,
        can_comment=can(official, Action.COMMENT),
    ), (400 if request.method == "POST" else 200)


@bp.post("/suggestions/<int:suggestion_id>/<any(accept, reject, withdraw, refresh):action>")
@login_required
def decide(letter_id: int, suggestion_id: int, action: str):
    official = current_official()
    letter = letter_for_page(letter_id)
    suggestion = suggestions.get_suggestion(official, suggestion_id)
    if suggestion.letter_id != letter.id:
        raise NotFound(_("No such suggestion."))
    target = url_for("review.overview", letter_id=letter.id, _anchor=f"suggestion-{suggestion_id}")
    if not ConfirmForm().validate_on_submit():
        flash(_("This form has expired. Please try again."), "error")
        return redirect(target)
    try:
        if action == "accept":
            accepted = suggestion_decisions.accept_suggestion(official, suggestion_id)
            flash(_("Suggestion accepted: it is revision %(n)s.", n=accepted.revision), "info")
        elif action == "reject":
            suggestion_decisions.reject_suggestion(official, suggestion_id)
            flash(_("Suggestion rejected; the text is unchanged."), "info")
        elif action == "withdraw":
            suggestion_decisions.withdraw_suggestion(official, suggestion_id)
            flash(_("Suggestion withdrawn."), "info")
        else:
            suggestion_decisions.refresh_suggestion(official, suggestion_id)
            flash(_("Suggestion refreshed: it now applies to the newest text."), "info")
    except (Conflict, InvalidInput) as error:
        flash(error.message, "error")
    except ServiceError as error:
        if error.status in (401, 403, 404):
            raise
        flash(error.message, "error")
    return redirect(target)


@bp.post("/comments/<int:comment_id>/reply")
@login_required
def reply(letter_id: int, comment_id: int):
    official = current_official()
    letter = letter_for_page(letter_id)
    parent = comments.get_comment(official, comment_id)
    if parent.letter_id != letter.id:
        raise NotFound(_("No such comment."))
    form = ReplyForm(prefix=f"reply-{comment_id}")
    if form.validate_on_submit():
        comments.reply(official, comment_id, form.body.data)
        flash(_("Reply added."), "info")
    else:
        flash_errors(form)
    return redirect(url_for("review.overview", letter_id=letter.id, _anchor=f"comment-{parent.parent_id or parent.id}"))


@bp.post("/comments/<int:comment_id>/resolve")
@login_required
def resolve(letter_id: int, comment_id: int):
    official = current_official()
    letter = letter_for_page(letter_id)
    comment = comments.get_comment(official, comment_id)
    if comment.letter_id != letter.id:
        raise NotFound(_("No such comment."))
    if ConfirmForm().validate_on_submit():
        resolved = request.form.get("resolved", "1") == "1"
        comments.set_resolved(official, comment_id, resolved)
        flash(_("Thread resolved.") if resolved else _("Thread reopened."), "info")
    return redirect(url_for("review.overview", letter_id=letter.id, _anchor=f"comment-{comment_id}"))
