"""The review pages' blueprint: every page lives under a letter's /review."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/drafts/<int:letter_id>/review")
