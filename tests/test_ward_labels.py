"""Ward names per language: a city names its wards in each language (`WARD_LABELS`, JSON); the
signing form, the confirmation page, the ward chart, the delivery packet and the CSV show the name
in the reader's language, falling back to the translated "Ward N", then to the city's name in
the original language, then to the ward as configured. A malformed value stops the app from
starting, saying what is wrong. What is stored stays the ward as configured."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.config import load_config, parse_ward_labels
from app.extensions import db
from app.letters.models import Letter
from app.signing import signatures, submissions
from app.signing.delivery_packet import delivery_packet_html
from app.signing.models import Signature
from tests.conftest import csrf_token_from
from tests.signing_helpers import confirmation_token, deliver, make_locked_letter

WARDS = ["Ward 1", "Ward 2", "Downtown", "Hill"]
LABELS = {
    "Ward 1": {"en": "Fair Haven", "es": "Fair Haven (Puerto Justo)"},
    "Downtown": {"es": "Centro"},
    "Hill": {"en": "The Hill"},
}


@pytest.fixture
def letter_id(app, drafter, clerk) -> int:
    app.config.update(WARDS=WARDS, WARD_LABELS=LABELS, SIGNING_FORM_MIN_SECONDS=0)
    return make_locked_letter(drafter, clerk)


def options(html: str) -> list[tuple[str, str]]:
    select_html = re.search(r'<select[^>]*name="ward".*?</select>', html, re.S).group(0)
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select_html)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Fair Haven", "Ward 2", "Downtown", "The Hill"]),
        ("es", ["Fair Haven (Puerto Justo)", "Distrito 2", "Centro", "The Hill"]),
    ],
)
def test_the_signing_form_names_each_ward_in_the_readers_language(client, letter_id, language, expected):
    html = client.get(f"/letters/{letter_id}?lang={language}").get_data(as_text=True)
    assert options(html)[1:] == list(zip(WARDS, expected, strict=True))


def test_the_chart_and_confirmation_page_use_the_labels_and_the_stored_ward_is_the_configured_one(
    app, client, mailbox, letter_id
):
    page = client.get(f"/letters/{letter_id}?lang=es").get_data(as_text=True)
    client.post(
        f"/letters/{letter_id}/sign?lang=es",
        data={"csrf_token": csrf_token_from(page), "name": "Ana", "email": "ana@city.example", "ward": "Downtown"},
    )
    deliver(app)
    token = confirmation_token(mailbox, "ana@city.example")
    confirm = client.get(f"/signatures/confirm/{token}?lang=es").get_data(as_text=True)
    assert "<dd>Centro</dd>" in confirm
    signatures.confirm(token)
    assert db.session.scalar(select(Signature.ward)) == "Downtown"

    spanish = client.get(f"/letters/{letter_id}?lang=es").get_data(as_text=True)
    english = client.get(f"/letters/{letter_id}?lang=en").get_data(as_text=True)
    assert '<th scope="row">Centro</th>' in spanish and '<th scope="row">Downtown</th>' in english
    assert "Distrito 2" in spanish and "Fair Haven (Puerto Justo)" in spanish  # wards without signatures
    assert "The Hill" in english


def test_the_delivery_packet_uses_the_labels(app, mailbox, letter_id):
    submissions.submit(letter_id, signatures.validate("Ana", "ana@city.example", "Ward 1", False))
    deliver(app)
    signatures.confirm(confirmation_token(mailbox, "ana@city.example"))
    with app.test_request_context("/?lang=es"):
        packet = delivery_packet_html(db.session.get(Letter, letter_id))
    assert "<td>Fair Haven (Puerto Justo)</td><td>1</td>" in packet and "<td>Distrito 2</td>" in packet


def test_ward_labels_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WARDS", ",".join(WARDS))
    monkeypatch.setenv("WARD_LABELS", json.dumps(LABELS))
    config = load_config({"INSTANCE_PATH": str(tmp_path)})
    assert config["WARD_LABELS"] == LABELS
    monkeypatch.delenv("WARD_LABELS")
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["WARD_LABELS"] == {}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('["Ward 1"]', "must be a JSON object"),
        ('{"Ward 99": {"es": "Distrito 99"}}', "not one of the wards"),
        ('{"Ward 1": "Centro"}', "object of labels by language"),
        ('{"Ward 1": {}}', "object of labels by language"),
        ('{"Ward 1": {"fr": "Centre"}}', "not one of the languages"),
        ('{"Ward 1": {"es": "  "}}', "1 to 60 characters"),
        ('{"Ward 1": {"es": 12}}', "1 to 60 characters"),
        ('{"Ward 1": {"es": "' + "x" * 61 + '"}}', "1 to 60 characters"),
    ],
)
def test_a_malformed_ward_labels_value_is_a_clear_error(raw, problem):
    with pytest.raises(ValueError, match=problem):
        parse_ward_labels(raw, WARDS, ["en", "es"])


def test_labels_are_trimmed_and_blank_means_none():
    assert parse_ward_labels('{"Hill": {"es": " La Colina "}}', WARDS, ["en", "es"]) == {"Hill": {"es": "La Colina"}}
    assert parse_ward_labels("  ", WARDS, ["en", "es"]) == {}
