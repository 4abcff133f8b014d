"""Security headers and cookies with the production settings.

The settings are read from a fresh process started with a production environment (as in
tests/core/test_configuration.py), then applied to this process's test client: the assertions
hold for what production really configures, not for values copied into the test.
"""

import json
import re

import pytest
from django.urls import reverse

from tests.core.test_configuration import PRODUCTION, manage
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CSP",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
]
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture(scope="module")
def production_settings() -> dict:
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {SECURITY_SETTINGS!r}}}))",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def production(settings, production_settings):
    for name, value in production_settings.items():
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    return settings


def test_production_settings_are_the_hardened_ones(production_settings):
    assert production_settings == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_REDIRECT_EXEMPT": ["^healthz$", "^readyz$"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "strict-origin-when-cross-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "SECURE_CSP": {
            "default-src": ["'self'"],
            "script-src": ["'self'", "<CSP_NONCE_SENTINEL>"],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
            "base-uri": ["'self'"],
            "object-src": ["'none'"],
        },
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SAMESITE": "Lax",
    }


def _security_headers(response) -> dict[str, str]:
    names = {
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
        "Content-Security-Policy",
        "Content-Security-Policy-Report-Only",
        "Permissions-Policy",
    }
    return {name: value for name, value in response.headers.items() if name in names}


def _expected_headers(nonce: str | None) -> dict[str, str]:
    """Django adds the nonce source only when the page used the nonce."""
    script_src = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": (
            "default-src 'self'; "
            f"script-src {script_src}; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
        ),
        "Permissions-Policy": (
            "accelerometer=(), autoplay=(), bluetooth=(), camera=(), display-capture=(), "
            "encrypted-media=(), fullscreen=(self), geolocation=(), gyroscope=(), hid=(), "
            "idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), "
            "picture-in-picture=(), publickey-credentials-get=(self), screen-wake-lock=(), "
            "serial=(), usb=(), xr-spatial-tracking=()"
        ),
    }


def _nonce(response) -> str | None:
    match = re.search(r"'nonce-([^']+)'", response.headers.get("Content-Security-Policy", ""))
    return match.group(1) if match else None


@pytest.mark.parametrize(
    ("path", "status", "has_scripts"),
    [
        ("/", 200, True),
        ("/organisations/", 200, True),
        ("/organisations/werk-ruhr/", 200, True),
        ("/account/login/", 200, True),
        ("/api/v1/organisations/", 200, False),
        ("/api/v1/nonexistent/", 404, False),
        ("/nonexistent/", 404, True),
        ("/admin/login/", 302, False),
        ("/admin/", 302, False),
    ],
)
def test_every_kind_of_response_carries_the_full_header_set(
    client, production, path, status, has_scripts
):
    OrganisationFactory(name="Werk Ruhr", slug="werk-ruhr")
    response = client.get(path, **HTTPS)
    assert response.status_code == status
    nonce = _nonce(response)
    assert (nonce is not None) == has_scripts
    assert _security_headers(response) == _expected_headers(nonce)
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_nonce_is_new_on_every_response_and_on_every_script(client, production):
    first = client.get("/", **HTTPS)
    second = client.get("/", **HTTPS)
    assert _nonce(first) is not None
    assert _nonce(first) != _nonce(second)
    scripts = re.findall(r"<script[^>]*>", first.content.decode())
    assert scripts
    assert [tag for tag in scripts if f'nonce="{_nonce(first)}"' not in tag] == []


def test_plain_http_is_redirected_to_https_except_health_checks(client, production):
    response = client.get("/organisations/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/organisations/"
    assert client.get("/healthz").status_code == 200


def test_cookies_are_secure_httponly_and_lax(client, production):
    # given the log-in page (it sets the CSRF cookie)
    response = client.get("/account/login/", **HTTPS)
    csrf = response.cookies["csrftoken"]
    assert (csrf["secure"], csrf["httponly"], csrf["samesite"]) == (True, True, "Lax")

    # when a user logs in, the session cookie has the same flags
    user = UserFactory()
    response = client.post(
        "/account/login/", {"login": user.email, "password": TEST_PASSWORD}, **HTTPS
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")

    # and so does the language cookie
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, **HTTPS)
    language = response.cookies["spin_language"]
    assert (language["secure"], language["httponly"], language["samesite"]) == (
        True,
        True,
        "Lax",
    )
