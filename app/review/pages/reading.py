"""Reading: the review overview, history with a timeslider, diffs and authorship."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.letters.revision_texts import text_at
from app.review import approvals as review
from app.review import authorship, comments, history, suggestions
from app.review.diff_html import blame_html, diff_html
from app.review.forms import (
    CheckpointForm,
    ReplyForm,
    ReviewRequestForm,
    RevisionActionForm,
)
from app.review.models import SuggestionStatus
from app.review.pages.blueprint import bp
from app.review.pages.helpers import form_number, kind_label, letter_for_page, revision_arg
from app.review.schemas import RevisionSchema
from app.review.textdiff import side_by_side, stats
from app.web.dates import when
from app.web.forms import ConfirmForm

SESSIONS_PER_PAGE = 25
REVISIONS_LISTED_PER_SESSION = 200


# -- overview ---------------------------------------------------------------------------------


@bp.get("")
@login_required
def overview(letter_id: int):
    official = current_official()
    letter = letter_for_page(letter_id)
    checkpoints = review.checkpoints_for(letter)
    first, last = review.default_review_range(letter, checkpoints)
    diffs = history.diff_revisions(letter, first, last)
    all_suggestions = suggestions.suggestions_for(letter)
    open_views = [suggestions.view_suggestion(letter, s) for s in all_suggestions if s.is_open]
    decided = [s for s in reversed(all_suggestions) if not s.is_open]
    threads = comments.threads_for(letter)
    to_approve = review.approval_diff(letter, revision_arg(letter, "approve"))  # default: the newest
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
        diff_html=diff_html,
        diff_stats=stats(diffs),
        changed=any(op != 0 for op, _text in diffs),
        status=review.approval_status(letter),
        to_approve=to_approve,
        approve_diff=diff_html(to_approve.diffs),
        approve_changed=any(op != 0 for op, _text in to_approve.diffs),
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
        can_approve=can(official, Action.APPROVE) and not letter.is_locked,
        can_checkpoint=can(official, Action.NAME_CHECKPOINT),
        can_request=can(official, Action.REQUEST_REVIEW),
        SuggestionStatus=SuggestionStatus,
    )


# -- history ----------------------------------------------------------------------------------


@bp.get("/history")
@login_required
def history_page(letter_id: int):
    official = current_official()
    letter = letter_for_page(letter_id)
    number = revision_arg(letter)
    infos = history.revision_infos(letter)
    sessions = sorted(history.group_sessions(infos), key=lambda s: s.last.number, reverse=True)
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
        text=text_at(letter, number),
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
    letter = letter_for_page(letter_id)
    info = history.revision_info(letter, number)
    checkpoint = next((c for c in review.checkpoints_for(letter) if c.revision == number), None)
    approvers = [a.reviewer.name if a.reviewer else "—" for a in review.approvals_for(letter) if a.revision == number]
    return jsonify(
        {
            **RevisionSchema().dump(info),  # revision, author, created_at, edit_id: as the API answers
            "checkpoint": checkpoint.name if checkpoint else None,
            "approved_by": approvers,
            "text": text_at(letter, number),
            "when": when(info.created_at),
            "kind": info.kind,
            "kindLabel": kind_label(info.kind),
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
    letter = letter_for_page(letter_id)
    default_first, default_last = review.default_review_range(letter)
    raw_first = request.args.get("from")
    raw_second = request.args.get("to")
    first = form_number(raw_first) if raw_first not in (None, "") else default_first
    second = form_number(raw_second) if raw_second not in (None, "") else default_last
    result = history.diff_between(current_official(), letter.id, first, second)  # 400 for bad numbers
    a, b, diffs = result.first, result.second, result.diffs
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
    letter = letter_for_page(letter_id)
    number = revision_arg(letter)
    runs = authorship.word_runs(letter, number)
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
            when=when(info.created_at) if info else "",
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
