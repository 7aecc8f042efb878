"""The delivery packet: a PDF of the letter, its hash, endorsers, counts by ward and public names."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.letters import endorsements
from app.letters.loading import Need, load_letter
from app.letters.markdown import render_markdown
from app.letters.models import Letter
from app.letters.translations import published_translations
from app.review import locking
from app.shared.db_types import utcnow
from app.shared.errors import Conflict
from app.signing.public_letter import counts_by_ward, public_names


def delivery_packet_html(letter: Letter) -> str:
    """The packet as HTML (rendered to PDF by delivery_packet_pdf): it says when the text was
    locked without a reviewer's approval, with the clerk's reason."""
    wards = counts_by_ward(letter.id)
    return render_template(
        "signing/packet.html",
        letter=letter,
        rendered=render_markdown(letter.text),
        lock=locking.lock_record(letter.id),
        endorsements=endorsements.endorsements_for(letter.id),
        ward_counts=[(w, wards.get(w, 0)) for w in current_app.config["WARDS"]],
        unstated=wards.get("", 0),
        names=public_names(letter.id),
        translations=published_translations(letter),
        generated_at=utcnow(),
    )


def delivery_packet_pdf(actor: Official | None, letter_id: int) -> bytes:
    """Render the packet the clerk delivers to the Mayor and the Board of Alders."""
    require(actor, Action.EXPORT_SIGNATURES)
    letter = load_letter(letter_id, need=Need.EXISTS)
    if not letter.is_locked:
        raise Conflict(_("Only a locked letter has a delivery packet."))
    from weasyprint import HTML  # imported here: it loads system libraries (Pango)

    html = delivery_packet_html(letter)
    audit.record(actor, "letter.packet_generated", f"letter:{letter.id}")
    from app.extensions import db

    db.session.commit()
    return HTML(string=html, base_url=current_app.config["PUBLIC_BASE_URL"]).write_pdf()
