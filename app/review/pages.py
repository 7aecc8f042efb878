"""Review pages for officials: the review overview, history with a timeslider, diffs, authorship,
suggesting and commenting, and the forms that act on them. Every page works without JavaScript; the
ES modules in static/js/review/ enhance them (timeslider preview, picking text by selecting it,
reading authorship with the keyboard)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.review import approvals as review
from app.review import authorship, comments, history, suggestions
from app.review.diff_html import blame_html, diff_html
from app.review.forms import (
    CheckpointForm,
    CommentForm,
    ReplyForm,
    ReviewRequestForm,
    RevisionActionForm,
    SuggestionForm,
)
from app.review.history import revision_text
from app.review.models import SuggestionStatus
from app.review.textdiff import side_by_side, stats
from app.shared.errors import Conflict, InvalidInput, NotFound, ServiceError
from app.shared.ids import whole_number
from app.web.forms import ConfirmForm

bp = Blueprint("review", __name__, url_prefix="/drafts/<int:letter_id>/review")

SESSIONS_PER_PAGE = 25
REVISIONS_LISTED_PER_SESSION = 200


# -- helpers ----------------------------------------------------------------------------------


def _letter(letter_id: int) -> Letter:
    return load_letter(letter_id, viewer=current_official(), need=Need.DRAFT)


def _number(value: str | None) -> Any:
    """A query or form value as an int when it is all digits; otherwise as given (the services
    answer 400 for anything that is not a revision number)."""
    if value is None or value == "":
        return None
    value = value.strip()
    return int(value) if value.isdecimal() and len(value) <= 10 else value


def _revision_arg(letter: Letter, name: str = "revision") -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return letter.revision
    return history.require_revision(letter, whole_number(_number(raw), name, from_text=True))


def _next_url(letter_id: int) -> str:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("review.overview", letter_id=letter_id)


def _flash_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def _when(value) -> str:
    return format_datetime(value, "medium") if value else ""


def _kind_label(kind: str) -> str:
    labels = {
        "suggestion": _("accepted suggestion"),
        "restore": _("restored an earlier revision"),
        "created": _("the letter as created"),
    }
    return f"· {labels[kind]}" if kind in labels else ""


def review_summary(letter: Letter) -> dict[str, Any]:
    """For the drafting page and others: open suggestions and threads, and the approval status."""
    open_threads = sum(1 for t in comments.threads_for(letter) if not t.comment.is_resolved)
    return {
        "open_suggestions": suggestions.open_count(letter),
        "open_threads": open_threads,
        "approval": review.approval_status(letter),
    }


@bp.app_context_processor
def _review_globals() -> dict[str, Any]:
    return {"review_summary": review_summary, "diff_html": diff_html}


# -- overview ---------------------------------------------------------------------------------


@bp.get("")
@login_required
def overview(letter_id: int):
    official = current_official()
    letter = _letter(letter_id)
    checkpoints = review.checkpoints_for(letter)
    first, last = review.default_review_range(letter, checkpoints)
    diffs = history.diff_revisions(letter, first, last)
    all_suggestions = suggestions.suggestions_for(letter)
    open_views = [suggestions.view_suggestion(letter, s) for s in all_suggestions if s.is_open]
    decided = [s for s in reversed(all_suggestions) if not s.is_open]
    threads = comments.threads_for(letter)
    checkpoint_form = CheckpointForm(revision=str(letter.revision))
    request_form = ReviewRequestForm()
    request_form.checkpoint_id.choices = [
        (str(c.id), _("%(name)s (revision %(n)s)", name=c.name, n=c.revision)) for c in reversed(checkpoints)
    ]
    return render_template(
        "review/overview.html",
        letter=letter,
        checkpoints=checkpoints,
        first=first,
        last=last,
        diff=diff_html(diffs),
        diff_stats=stats(diffs),
        changed=any(op != 0 for op, _text in diffs),
        status=review.approval_status(letter),
        open_suggestions=open_views,
        decided_suggestions=decided,
        threads=threads,
        reply_forms={t.comment.id: ReplyForm(prefix=f"reply-{t.comment.id}") for t in threads},
        requests=review.review_requests_for(letter)[:5],
        checkpoint_form=checkpoint_form,
        request_form=request_form,
        action_form=RevisionActionForm(),
        button_form=ConfirmForm(),
        can_decide=can(official, Action.DECIDE_SUGGESTION) and not letter.is_locked,
        can_suggest=can(official, Action.SUGGEST) and not letter.is_locked,
        can_approve=can(official, Action.APPROVE),
        can_checkpoint=can(official, Action.NAME_CHECKPOINT),
        can_request=can(official, Action.REQUEST_REVIEW),
        SuggestionStatus=SuggestionStatus,
    )


# -- history ----------------------------------------------------------------------------------


@bp.get("/history")
@login_required
def history_page(letter_id: int):
    official = current_official()
    letter = _letter(letter_id)
    number = _revision_arg(letter)
    infos = history.revision_infos(letter)
    sessions = list(reversed(history.group_sessions(infos)))
    pages = max(1, (len(sessions) + SESSIONS_PER_PAGE - 1) // SESSIONS_PER_PAGE)
    page_raw = request.args.get("page", "1")
    page = min(pages, max(1, int(page_raw))) if page_raw.isdecimal() and len(page_raw) < 6 else 1
    shown = sessions[(page - 1) * SESSIONS_PER_PAGE : page * SESSIONS_PER_PAGE]
    checkpoints = {c.revision: c for c in review.checkpoints_for(letter)}
    approvals: dict[int, list] = {}
    for approval in review.approvals_for(letter):
        approvals.setdefault(approval.revision, []).append(approval)
    info = (
        infos[number]
        if number < len(infos) and infos[number].number == number
        else history.revision_info(letter, number)
    )
    return render_template(
        "review/history.html",
        letter=letter,
        number=number,
        info=info,
        text=revision_text(letter, number),
        sessions=shown,
        session_count=len(sessions),
        page=page,
        pages=pages,
        listed_per_session=REVISIONS_LISTED_PER_SESSION,
        checkpoints=checkpoints,
        approvals=approvals,
        checkpoint_form=CheckpointForm(
            revision=str(number), name=checkpoints[number].name if number in checkpoints else ""
        ),
        action_form=RevisionActionForm(revision=str(number), edit_id=review.new_restore_id()),
        can_checkpoint=can(official, Action.NAME_CHECKPOINT),
        can_edit_text=can(official, Action.EDIT_DRAFT) and not letter.is_locked,
        can_approve=can(official, Action.APPROVE),
    )


@bp.get("/revisions/<int:number>.json")
@login_required
def revision_json(letter_id: int, number: int):
    """The timeslider's data for one revision (session cookie; the API needs a token)."""
    letter = _letter(letter_id)
    info = history.revision_info(letter, number)
    checkpoint = next((c for c in review.checkpoints_for(letter) if c.revision == number), None)
    approvers = [a.reviewer.name if a.reviewer else "—" for a in review.approvals_for(letter) if a.revision == number]
    return jsonify(
        {
            "revision": number,
            "checkpoint": checkpoint.name if checkpoint else None,
            "approved_by": approvers,
            "text": revision_text(letter, number),
            "author": info.author(),
            "created_at": info.created_at.isoformat(),
            "when": _when(info.created_at),
            "kind": info.kind,
            "kindLabel": _kind_label(info.kind),
            "newest": letter.revision,
            "can_restore": can(current_official(), Action.EDIT_DRAFT)
            and not letter.is_locked
            and number != letter.revision,
            "links": {
                "view": url_for("review.history_page", letter_id=letter.id, revision=number),
                "previous": url_for(
                    "review.diff_page", letter_id=letter.id, **{"from": max(0, number - 1), "to": number}
                ),
                "newest": url_for("review.diff_page", letter_id=letter.id, **{"from": number, "to": letter.revision}),
                "authorship": url_for("review.authorship_page", letter_id=letter.id, revision=number),
            },
        }
    )


# -- diff -------------------------------------------------------------------------------------


@bp.get("/diff")
@login_required
def diff_page(letter_id: int):
    letter = _letter(letter_id)
    default_first, default_last = review.default_review_range(letter)
    raw_first = request.args.get("from")
    raw_second = request.args.get("to")
    first = _number(raw_first) if raw_first not in (None, "") else default_first
    second = _number(raw_second) if raw_second not in (None, "") else default_last
    result = history.diff(current_official(), letter.id, first, second)  # 400 for bad numbers
    a, b = result["from"], result["to"]
    diffs = history.diff_revisions(letter, a, b)
    view = "side" if request.args.get("view") == "side" else "inline"
    rows = (
        [(diff_html(row.old), diff_html(row.new), row.changed) for row in side_by_side(diffs)] if view == "side" else []
    )
    checkpoints = review.checkpoints_for(letter)
    return render_template(
        "review/diff.html",
        letter=letter,
        a=a,
        b=b,
        info_a=history.revision_info(letter, a),
        info_b=history.revision_info(letter, b),
        view=view,
        diff=diff_html(diffs) if view == "inline" else None,
        rows=rows,
        diff_stats=stats(diffs),
        changed=any(op != 0 for op, _text in diffs),
        checkpoints=checkpoints,
        checkpoint_pairs=list(pairwise(checkpoints)),
    )


# -- authorship -------------------------------------------------------------------------------


@bp.get("/authorship")
@login_required
def authorship_page(letter_id: int):
    letter = _letter(letter_id)
    number = _revision_arg(letter)
    runs = authorship.blame_runs(letter, number)
    infos = {i.number: i for i in history.revision_infos_for(letter, {run.revision for run in runs})}
    authors: dict[Any, dict[str, Any]] = {}
    pieces = []
    for run in runs:
        key = run.author["id"]
        entry = authors.setdefault(key, {"author": run.author, "index": len(authors), "chars": 0, "revisions": set()})
        entry["chars"] += len(run.text)
        entry["revisions"].add(run.revision)
        info = infos.get(run.revision)
        label = _(
            "%(name)s · revision %(n)s · %(when)s",
            name=run.author["name"],
            n=run.revision,
            when=_when(info.created_at) if info else "",
        )
        if info is not None and info.kind == "suggestion":
            label += " · " + _("accepted suggestion")
        pieces.append((run.text, run.revision, entry["index"], label))
    total = sum(entry["chars"] for entry in authors.values()) or 1
    return render_template(
        "review/authorship.html",
        letter=letter,
        number=number,
        html=blame_html(pieces),
        pieces=pieces,
        authors=sorted(authors.values(), key=lambda e: -e["chars"]),
        total=total,
        infos=infos,
    )


# -- suggesting and commenting ----------------------------------------------------------------


def _suggest(official, letter: Letter, form: SuggestionForm) -> Response | None:
    if not form.validate_on_submit():
        return None
    try:
        suggestion = suggestions.suggest_replacement(
            official,
            letter.id,
            _number(form.base_revision.data),
            start=_number(form.start.data),
            end=_number(form.end.data),
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
    start, end = _number(form.start.data), _number(form.end.data)
    try:
        comment = comments.add_comment(
            official,
            letter.id,
            form.body.data,
            revision=_number(form.revision.data),
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
    letter = _letter(letter_id)
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
    letter = _letter(letter_id)
    suggestion = suggestions.get_suggestion(official, suggestion_id)
    if suggestion.letter_id != letter.id:
        raise NotFound(_("No such suggestion."))
    target = url_for("review.overview", letter_id=letter.id, _anchor=f"suggestion-{suggestion_id}")
    if not ConfirmForm().validate_on_submit():
        flash(_("This form has expired. Please try again."), "error")
        return redirect(target)
    try:
        if action == "accept":
            accepted = suggestions.accept_suggestion(official, suggestion_id)
            flash(_("Suggestion accepted: it is revision %(n)s.", n=accepted.revision), "info")
        elif action == "reject":
            suggestions.reject_suggestion(official, suggestion_id)
            flash(_("Suggestion rejected; the text is unchanged."), "info")
        elif action == "withdraw":
            suggestions.withdraw_suggestion(official, suggestion_id)
            flash(_("Suggestion withdrawn."), "info")
        else:
            suggestions.refresh_suggestion(official, suggestion_id)
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
    letter = _letter(letter_id)
    parent = comments.get_comment(official, comment_id)
    if parent.letter_id != letter.id:
        raise NotFound(_("No such comment."))
    form = ReplyForm(prefix=f"reply-{comment_id}")
    if form.validate_on_submit():
        comments.reply(official, comment_id, form.body.data)
        flash(_("Reply added."), "info")
    else:
        _flash_errors(form)
    return redirect(url_for("review.overview", letter_id=letter.id, _anchor=f"comment-{parent.parent_id or parent.id}"))


@bp.post("/comments/<int:comment_id>/resolve")
@login_required
def resolve(letter_id: int, comment_id: int):
    official = current_official()
    letter = _letter(letter_id)
    comment = comments.get_comment(official, comment_id)
    if comment.letter_id != letter.id:
        raise NotFound(_("No such comment."))
    if ConfirmForm().validate_on_submit():
        resolved = request.form.get("resolved", "1") == "1"
        comments.set_resolved(official, comment_id, resolved)
        flash(_("Thread resolved.") if resolved else _("Thread reopened."), "info")
    return redirect(url_for("review.overview", letter_id=letter.id, _anchor=f"comment-{comment_id}"))


# -- checkpoints, review requests, approvals, restore -----------------------------------------


@bp.post("/checkpoints")
@login_required
def name_checkpoint(letter_id: int) -> Response:
    form = CheckpointForm()
    if form.validate_on_submit():
        try:
            checkpoint = review.name_checkpoint(
                current_official(), letter_id, _number(form.revision.data), form.name.data
            )
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            flash(_("Revision %(n)s is named “%(name)s”.", n=checkpoint.revision, name=checkpoint.name), "info")
    else:
        _flash_errors(form)
    return redirect(_next_url(letter_id))


@bp.post("/review-requests")
@login_required
def request_review(letter_id: int) -> Response:
    form = ReviewRequestForm()
    if form.validate_on_submit():
        try:
            made = review.request_review(
                current_official(), letter_id, _number(form.checkpoint_id.data), form.message.data or ""
            )
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            flash(
                _("Review requested: %(n)s reviewers were emailed.", n=made.recipients)
                if made.recipients
                else _("Review requested, but there is no reviewer to email yet."),
                "info",
            )
    else:
        _flash_errors(form)
    return redirect(_next_url(letter_id))


@bp.post("/approvals")
@login_required
def approve(letter_id: int) -> Response:
    form = RevisionActionForm()
    if form.validate_on_submit():
        try:
            approval = review.approve(current_official(), letter_id, _number(form.revision.data))
        except (InvalidInput, Conflict) as error:
            flash(error.message, "error")
        else:
            flash(_("You approved revision %(n)s.", n=approval.revision), "info")
    return redirect(_next_url(letter_id))


@bp.post("/restore")
@login_required
def restore(letter_id: int) -> Response:
    form = RevisionActionForm()
    if form.validate_on_submit():
        try:
            stored = review.restore_revision(
                current_official(),
                letter_id,
                _number(form.revision.data),
                edit_id=form.edit_id.data or None,
            )
        except (InvalidInput, Conflict) as error:
            flash(error.message, "error")
        else:
            flash(
                _(
                    "Revision %(old)s is restored as revision %(n)s. The history keeps every revision.",
                    old=form.revision.data,
                    n=stored.revision,
                ),
                "info",
            )
            return redirect(url_for("review.history_page", letter_id=letter_id, revision=stored.revision))
    return redirect(_next_url(letter_id))
