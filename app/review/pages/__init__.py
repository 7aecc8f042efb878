"""Review pages for officials: the review overview, history with a timeslider, diffs, authorship,
suggesting and commenting, and the forms that act on them. Every page works without JavaScript; the
ES modules in static/js/review/ enhance them (timeslider preview, picking text by selecting it,
reading authorship with the keyboard). Importing this package attaches every page to `bp`."""

from app.review.pages import approving, live, proposing, reading, translations  # noqa: F401  (attach the routes)
from app.review.pages.blueprint import bp

__all__ = ["bp"]
