"""The web shell: pages, errors, security headers, CSRF, Markdown sanitising, languages."""

from __future__ import annotations

from app.letters.markdown import render_markdown


def test_security_headers_and_csp_without_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True)


def test_friendly_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)


def test_form_without_csrf_token_is_refused(client, drafter):
    response = client.post("/auth/sign-in", data={"email": drafter.email, "password": "x"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_markdown_is_rendered_and_sanitised():
    html = str(render_markdown("# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **bold**"))
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="javascript' not in html


def test_language_from_browser(client):
    spanish = client.get("/auth/sign-in", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert 'lang="es"' in spanish.get_data(as_text=True)
    assert "Iniciar sesión" in spanish.get_data(as_text=True)
    english = client.get("/auth/sign-in", headers={"Accept-Language": "en-US"})
    assert "Sign in" in english.get_data(as_text=True)


def test_language_switcher(client, submit_form):
    submit_form("/", {"lang": "es", "next": "/auth/sign-in"}, post_url="/language")
    assert 'lang="es"' in client.get("/auth/sign-in", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switcher_rejects_unknown_language(client, submit_form):
    assert submit_form("/", {"lang": "xx"}, post_url="/language").status_code == 400


def test_dashboard_lists_letters_by_status(client, drafter, sign_in, bearer):
    client.post("/api/v1/letters", json={"title": "Sanctuary letter", "text": "x"}, headers=bearer(drafter))
    sign_in(drafter)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Being drafted" in html and "Sanctuary letter" in html


def test_create_letter_in_browser(client, drafter, sign_in, submit_form):
    sign_in(drafter)
    response = submit_form(
        "/drafts/new", {"title": "From the browser", "text": "# Hi\n\n<b>x</b>"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "From the browser" in html
    assert "<h1>Hi</h1>" in html and "<b>x</b>" not in html


def test_reviewer_cannot_open_new_letter_page(client, reviewer, sign_in):
    sign_in(reviewer)
    response = client.get("/drafts/new")
    assert response.status_code == 403
    assert "Your role does not allow this action" in response.get_data(as_text=True)


def test_body_over_one_mebibyte_is_refused(client, drafter, bearer):
    response = client.post(
        "/api/v1/letters",
        data=b"{" + b" " * (1024 * 1024 + 10) + b"}",
        headers={**bearer(drafter), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
