"""The ward chart on the public letter page: a table of wards with signatures, most first, numbers as
text, a bar beside each; wards without signatures named in one line."""

from __future__ import annotations

import re

from app.signing import signatures, submissions
from tests.signing_helpers import confirmation_token, deliver, make_locked_letter


def test_wards_are_sorted_by_count_with_numbers_as_text(app, client, mailbox, drafter, clerk):
    app.config["WARDS"] = ["Ward 1", "Ward 2", "Ward 3", "Ward 4"]
    letter_id = make_locked_letter(drafter, clerk)
    for i, ward in enumerate(["Ward 3", "Ward 1", "Ward 3", None, "Ward 4", "Ward 3", "Ward 1"]):
        submissions.submit(letter_id, signatures.validate("P", f"p{i}@city.example", ward, False))
    deliver(app)
    for i in range(7):
        signatures.confirm(confirmation_token(mailbox, f"p{i}@city.example"))

    html = client.get(f"/letters/{letter_id}").get_data(as_text=True)

    table = re.search(r'<table class="ward-chart">.*?</table>', html, re.S).group(0)
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td><span class="count-bar"><span class="n">(\d+)</span>', table)
    assert rows == [("Ward 3", "3"), ("Ward 1", "2"), ("Ward 4", "1"), ("Ward not given", "1")]
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', table)]
    assert widths == [100.0, 66.7, 33.3, 33.3]
    assert 'aria-hidden="true"' in table and "<svg" in table
    assert "No signatures yet from: Ward 2." in html
    assert "<style" not in table and "style=" not in table
