"""Hardening (issue 11, item 15): security headers, the proxy header, the request
body limit, the API docs switch and the deploy checks that guard them."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.checks import Error, Warning

from govbuy.core import checks

TEMPLATES = Path(django_settings.PACKAGE_DIR) / "templates"


# --- Content-Security-Policy and Permissions-Policy --------------------------------------


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/catalog/", "/api/v1/health"])
def test_every_response_carries_a_strict_csp(client, db, path):
    response = client.get(path)

    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_every_response_carries_a_permissions_policy(client, db):
    response = client.get("/")

    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_no_template_has_an_inline_script_or_handler_or_style():
    """The CSP would block them: scripts live in static files, styles in govbuy.css."""
    import re

    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            r"javascript:",
        ):
            offenders += [f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(pattern, text)]

    assert offenders == []


def test_the_home_page_loads_its_script_from_a_static_file(client, db):
    html = client.get("/").content.decode()

    assert '<script src="/static/govbuy/home.js" defer></script>' in html
    assert 'data-as-purchaser="作为购买主体："' in html


# --- SECURE_PROXY_SSL_HEADER only behind a proxy -----------------------------------------


def production_settings(**env) -> dict:
    """Settings as a production process computes them from its environment."""
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: getattr(settings, k) for k in "
        "('SECURE_PROXY_SSL_HEADER', 'GOVBUY_BEHIND_PROXY', 'GOVBUY_API_DOCS', "
        "'DATA_UPLOAD_MAX_MEMORY_SIZE', 'GOVBUY_REQUEST_MAX_BYTES', 'SECURE')}))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GOVBUY_", "DJANGO_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="govbuy.settings",
        GOVBUY_TESTING="false",
        GOVBUY_SECRET_KEY="production-like-" + "x" * 50,
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_without_a_proxy_x_forwarded_proto_is_not_trusted():
    values = production_settings()

    assert values["SECURE"] is True  # production: HTTPS, secure cookies …
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # … but no proxy to trust


@pytest.mark.parametrize(
    "env", [{"GOVBUY_PROXY_COUNT": "1"}, {"GOVBUY_BEHIND_PROXY": "true"}], ids=["count", "flag"]
)
def test_behind_a_proxy_x_forwarded_proto_is_trusted(env):
    values = production_settings(**env)

    assert values["GOVBUY_BEHIND_PROXY"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_negative_proxy_count_stops_the_process():
    with pytest.raises(AssertionError, match="GOVBUY_PROXY_COUNT"):
        production_settings(GOVBUY_PROXY_COUNT="-1")


def test_a_client_cannot_pass_as_https_without_a_proxy(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301
    assert response.url.startswith("https://")


# --- the API docs switch ------------------------------------------------------------------


def test_api_docs_are_off_by_default_in_production():
    assert production_settings()["GOVBUY_API_DOCS"] is False
    assert production_settings(GOVBUY_API_DOCS="true")["GOVBUY_API_DOCS"] is True


def test_api_docs_switched_off_answer_404_but_the_openapi_document_stays(client, db, settings):
    settings.GOVBUY_API_DOCS = False

    assert client.get("/api/v1/docs").status_code == 404
    assert client.get("/api/v1/openapi.json").status_code == 200
    html = client.get("/").content.decode()
    assert "/api/v1/docs" not in html  # no link to a missing page


def test_api_docs_switched_on_are_served_without_inline_script(client, db, settings):
    settings.GOVBUY_API_DOCS = True

    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert 'href="/api/v1/docs"' in client.get("/").content.decode()


# --- the request body limit, before the body is read ----------------------------------


MB = 1024 * 1024


def test_a_json_body_over_the_limit_is_413_json(client, db):
    declared = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1

    response = client.post(
        "/api/v1/rules/eligibility",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(declared),
    )

    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large"
    assert "2.5 MB" in body["message"]


def test_a_form_over_the_limit_is_a_413_page(client, db):
    declared = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1

    response = client.post(
        "/accounts/login/",
        data=b"username=a",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(declared),
    )

    assert response.status_code == 413
    assert "413.html" in [t.name for t in response.templates]
    assert "请求内容过大" in response.content.decode()


def raw_request(live_server, head: str, body: bytes = b"", timeout: float = 5.0) -> bytes:
    """Send the request head (and `body`) and wait for an answer: with no body the
    server must answer without waiting for it."""
    url = urlsplit(live_server.url)
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as conn:
        conn.sendall(head.encode() + body)
        chunks = []
        try:
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_a_huge_upload_is_refused_before_its_body_arrives(live_server):
    declared = django_settings.GOVBUY_REQUEST_MAX_BYTES + MB
    head = (
        "POST /api/v1/rounds/1/bids HTTP/1.1\r\n"
        f"Host: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {declared}\r\nConnection: close\r\n\r\n"
    )

    answer = raw_request(live_server, head)

    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"code": "too_large"' in rest


# --- the deploy checks (make check-deploy) -------------------------------------------------


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_the_shipped_settings_pass_every_deploy_check(db):
    assert checks.content_security_policy(None) == []
    assert checks.permissions_policy(None) == []
    assert checks.proxy_ssl_header(None) == []
    assert checks.request_body_limits(None) == []


def test_check_no_csp_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("csp.")]

    assert ids(checks.content_security_policy(None)) == ["govbuy.E002"]


def test_check_csp_without_script_src(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"img-src": ["'self'"]}}

    assert ids(checks.content_security_policy(None)) == ["govbuy.E002"]


@pytest.mark.parametrize("source", ["'unsafe-inline'", "'unsafe-eval'", "*"])
def test_check_unsafe_script_src(settings, source):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", source]}}

    messages = checks.content_security_policy(None)

    assert ids(messages) == ["govbuy.E003"]
    assert isinstance(messages[0], Error)


def test_check_unsafe_default_src_counts_for_scripts(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'unsafe-inline'"]}}

    assert ids(checks.content_security_policy(None)) == ["govbuy.E003"]


def test_check_no_permissions_policy(settings):
    settings.PERMISSIONS_POLICY = {}

    messages = checks.permissions_policy(None)

    assert ids(messages) == ["govbuy.W001"]
    assert isinstance(messages[0], Warning)


def test_check_proxy_header_without_a_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.GOVBUY_BEHIND_PROXY = False

    assert ids(checks.proxy_ssl_header(None)) == ["govbuy.E004"]

    settings.GOVBUY_BEHIND_PROXY = True
    assert checks.proxy_ssl_header(None) == []


@pytest.mark.parametrize(
    "override",
    [
        {"DATA_UPLOAD_MAX_MEMORY_SIZE": None},
        {"GOVBUY_UPLOAD_MAX_BYTES": 0},
        {"GOVBUY_REQUEST_MAX_BYTES": None},
        {"GOVBUY_REQUEST_MAX_BYTES": 10 * MB, "GOVBUY_UPLOAD_MAX_BYTES": 20 * MB},
        {"GOVBUY_REQUEST_MAX_BYTES": 2048 * MB},
    ],
    ids=["data-unlimited", "no-upload-limit", "no-request-limit", "request<upload", "huge"],
)
def test_check_body_limits(settings, override):
    for name, value in override.items():
        setattr(settings, name, value)

    assert "govbuy.E005" in ids(checks.request_body_limits(None))


def test_check_body_limit_middleware_missing_or_too_late(settings):
    middleware = [m for m in settings.MIDDLEWARE if m != checks.BODY_LIMIT_MIDDLEWARE]
    settings.MIDDLEWARE = middleware
    assert ids(checks.request_body_limits(None)) == ["govbuy.E005"]

    settings.MIDDLEWARE = [*middleware, checks.BODY_LIMIT_MIDDLEWARE]
    assert ids(checks.request_body_limits(None)) == ["govbuy.E005"]


def test_make_check_deploy_passes_with_production_settings():
    """What `make check-deploy` runs, with the environment it sets."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GOVBUY_", "DJANGO_"))}
    environment.update(
        GOVBUY_TESTING="false",
        GOVBUY_SECRET_KEY="ci-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH-0123456789",
        GOVBUY_ALLOWED_HOSTS="govbuy.example.org",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.django_db(transaction=True)
def test_a_multipart_body_may_be_larger_than_the_data_limit(live_server):
    """Files do not count towards DATA_UPLOAD_MAX_MEMORY_SIZE: a multipart request
    is bounded by GOVBUY_REQUEST_MAX_BYTES instead."""
    file = b"x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + file + b"\r\n--x--\r\n"
    )
    head = (
        "POST /api/v1/rounds/1/bids HTTP/1.1\r\n"
        "Host: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )

    answer = raw_request(live_server, head, body, timeout=20)

    # Read whole and passed on to the API, which refuses the anonymous write (401, or 403 CSRF).
    assert answer.startswith((b"HTTP/1.1 401", b"HTTP/1.1 403")), answer[:200]
