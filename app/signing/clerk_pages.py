"""The clerk's signing tools: close a letter to signatures, import paper, export, the delivery packet."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from app.accounts.authorization import Action, require
from app.accounts.current import current_official
from app.letters.loading import Need, load_letter
from app.shared.errors import InvalidInput
from app.signing import delivery_packet, name_moderation, signature_admin
from app.signing.forms import PaperImportForm
from app.web.forms import ConfirmForm

bp = Blueprint("clerk", __name__)


@bp.post("/letters/<int:letter_id>/close")
@login_required
def close(letter_id: int):
    if ConfirmForm().validate_on_submit():
        signature_admin.close_letter(current_official(), letter_id)
        flash(_("The letter is closed to new signatures."), "info")
    return redirect(url_for("clerk.tools", letter_id=letter_id))


@bp.route("/letters/<int:letter_id>/tools", methods=["GET", "POST"])
@login_required
def tools(letter_id: int):
    require(current_official(), Action.EXPORT_SIGNATURES)
    letter = load_letter(letter_id, need=Need.EXISTS)
    form = PaperImportForm()
    if form.validate_on_submit():
        raw = form.csv_file.data.read(2 * 1024 * 1024)
        try:
            batch = signature_admin.import_paper(current_official(), letter.id, raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            form.csv_file.errors.append(_("The file must be a CSV saved as UTF-8."))
        except InvalidInput as error:
            form.csv_file.errors.append(error.message)
        else:
            flash(
                ngettext("%(num)d paper signature imported.", "%(num)d paper signatures imported.", batch.count), "info"
            )
            return redirect(url_for("clerk.tools", letter_id=letter.id))
    search = request.args.get("q", "")[:200]
    return render_template(
        "signing/clerk_tools.html",
        letter=letter,
        form=form,
        close_form=ConfirmForm(),
        names=name_moderation.names_for_clerk(current_official(), letter.id, search),
        search=search,
    )


@bp.post("/letters/<int:letter_id>/names/<int:signature_id>/hide")
@login_required
def hide_name(letter_id: int, signature_id: int):
    if ConfirmForm().validate_on_submit():
        name_moderation.hide_name(current_official(), letter_id, signature_id)
        flash(_("The name is hidden from the letter's page; the signature still counts."), "info")
    return redirect(url_for("clerk.tools", letter_id=letter_id, _anchor="names-heading"))


@bp.post("/letters/<int:letter_id>/names/<int:signature_id>/show")
@login_required
def show_name(letter_id: int, signature_id: int):
    if ConfirmForm().validate_on_submit():
        name_moderation.show_name(current_official(), letter_id, signature_id)
        flash(_("The name is listed on the letter's page again."), "info")
    return redirect(url_for("clerk.tools", letter_id=letter_id, _anchor="names-heading"))


@bp.get("/letters/<int:letter_id>/export.csv")
@login_required
def export(letter_id: int):
    body = signature_admin.export_csv(current_official(), letter_id)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="letter-{letter_id}-signatures.csv"'},
    )


@bp.get("/letters/<int:letter_id>/packet.pdf")
@login_required
def packet(letter_id: int):
    pdf = delivery_packet.delivery_packet_pdf(current_official(), letter_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="letter-{letter_id}-delivery-packet.pdf"'},
    )
