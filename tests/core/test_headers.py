"""Security headers on every kind of response, a CSP the templates can live with, size limit, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Blueprint, Response

ROOT = Path(__file__).resolve().parents[2] / "indirect_work"


def assert_security_headers(response) -> None:
    headers = response.headers
    hsts = headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000 and "includeSubDomains" in hsts
    csp = {part.split()[0]: part.split()[1:] for part in headers["Content-Security-Policy"].split("; ")}
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    for sources in csp.values():  # no third-party origin, no inline escape hatch
        assert not any(s.startswith(("http", "'unsafe")) or s == "*" for s in sources), sources
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    if response.mimetype.startswith("text/"):
        assert "charset=utf-8" in headers["Content-Type"].lower()


def test_security_headers(client, make, login):
    anonymous = [
        client.get("/sign-in"),
        client.get("/no-such-page"),
        client.get("/healthz"),
        client.get("/static/css/app.css"),
    ]
    for response in anonymous:
        assert_security_headers(response)
        response.close()
    login(make.clinician())
    for path in ("/account", "/account/password", "/no-such-page"):
        response = client.get(path)
        assert_security_headers(response)
        assert response.headers["Cache-Control"] == "no-store", path


def test_downloads_are_not_cached(fresh_app_with_routes):
    response = fresh_app_with_routes.get("/download")
    assert response.headers["Cache-Control"] == "no-store"
    assert_security_headers(response)


def test_generic_error_page_hides_internals(fresh_app_with_routes):
    response = fresh_app_with_routes.get("/explode")
    assert response.status_code == 500
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
    assert "Sorry, there is a problem with the service" in response.text
    assert_security_headers(response)


def test_request_size_is_capped(app, client):
    assert app.config["MAX_CONTENT_LENGTH"] and app.config["MAX_CONTENT_LENGTH"] <= 20 * 1024 * 1024
    response = client.post("/sign-in", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert response.status_code == 413
    assert_security_headers(response)


def test_templates_have_no_inline_script_style_or_handlers():
    """The CSP blocks inline code, so a template that uses it would silently break in the browser."""
    problems = []
    for path in ROOT.rglob("templates/**/*.html"):
        if path.parent.name == "mail":
            continue  # email bodies are never served under the CSP; email clients need inline styles
        html = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", html):
            if "src=" not in match.group(0):
                problems.append(f"{path.name}: inline <script>")
        if re.search(r"\sstyle\s*=", html) or re.search(r"<style\b", html):
            problems.append(f"{path.name}: inline style")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", html):
            problems.append(f"{path.name}: event-handler attribute")
        if re.search(r"(src|href)=\"(https?:)?//", html):
            problems.append(f"{path.name}: third-party asset")
    assert problems == []


@pytest.fixture
def fresh_app_with_routes(app):
    """The test app plus two routes: a file download and a page that fails unexpectedly."""
    from indirect_work import create_app

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    other = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url})
    bp = Blueprint("probe", __name__)

    @bp.get("/download")
    def download():
        return Response(
            "a,b\n1,2\n",
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=probe.csv"},
        )

    @bp.get("/explode")
    def explode():
        raise RuntimeError("secret internal detail")

    other.register_blueprint(bp)
    yield other.test_client()
    from indirect_work.extensions import db

    with other.app_context():
        db.engine.dispose()
