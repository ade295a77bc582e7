"""Sign-in hardening and security headers."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str):
    return client.post(
        reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR="203.0.113.7"
    )


def test_repeated_failed_logins_are_throttled_and_logged(agent, password, settings, caplog):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    # given three wrong passwords
    with caplog.at_level(logging.WARNING, logger="axes"):
        for _ in range(3):
            response = login(client, agent.username, "wrong-password")
    # then the next attempt is refused even with the right password
    response = login(client, agent.username, password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # and the failures were logged
    assert any("login failure" in r.getMessage().lower() for r in caplog.records)


def test_a_successful_login_resets_the_count(agent, password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(2):
        login(client, agent.username, "wrong-password")
    assert login(client, agent.username, password).status_code == 302
    client.logout()
    for _ in range(2):
        login(client, agent.username, "wrong-password")
    assert login(client, agent.username, password).status_code == 302


def test_passwords_are_hashed_with_argon2(settings, admin_user):
    from salesdesk.config import settings as production
    from salesdesk.parties.services import user_create

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = user_create(
        actor=admin_user,
        username="hashme",
        password="a-long-unusual-pass-77",
        kind="support",
        support_level=1,
    )
    assert user.password.startswith("argon2$")
    assert user.check_password("a-long-unusual-pass-77")


def test_security_headers_on_pages(client):
    response = client.get(reverse("web:login"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "Strict-Transport-Security" not in response  # plain HTTP on a laptop


def test_hsts_and_secure_cookies_when_served_over_https(settings, agent, password):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    assert client.get(reverse("web:login")).status_code == 301  # plain HTTP is redirected
    response = client.get(reverse("web:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    response = client.post(
        reverse("web:login"), {"username": agent.username, "password": password}, secure=True
    )
    assert response.cookies["sessionid"]["secure"]
    assert response.cookies["sessionid"]["httponly"]


def _https_settings(tmp_path, extra_env: dict[str, str]) -> dict[str, str]:
    """The HTTPS-related settings a fresh server process reads from ``extra_env``."""
    names = ["SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESDESK_", "DJANGO_", "SECRET_KEY"))}
    env.update(
        {
            "SALESDESK_DATA_DIR": str(tmp_path / "data"),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
            "DJANGO_SETTINGS_MODULE": "salesdesk.config.settings",
            **extra_env,
        }
    )
    code = f"from django.conf import settings\nfor name in {names!r}: print(name, getattr(settings, name))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) for line in result.stdout.splitlines())


def test_salesdesk_https_turns_on_hsts_redirect_and_secure_cookies(tmp_path):
    # given a server started with SALESDESK_HTTPS=1, and one started without it
    # when each reports its HTTPS settings
    https = _https_settings(tmp_path, {"SALESDESK_HTTPS": "1"})
    plain = _https_settings(tmp_path, {})
    # then HTTPS means HSTS for a year, a redirect from plain HTTP and secure cookies
    assert https == {
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_SSL_REDIRECT": "True",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
    }
    # and a laptop on plain HTTP has none of them
    assert plain == {
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
    }


def test_role_change_takes_effect_on_the_next_request(agent, admin_user, client_as, world_a):
    from salesdesk.parties.services import user_change_role

    client = client_as(agent)
    url = f"/api/opportunities/{world_a.opportunity.pk}"
    assert client.patch(url, {"stage": "discovery"}, content_type="application/json").status_code == 403
    user_change_role(actor=admin_user, user=agent, kind="support", support_level=4)
    assert client.patch(url, {"stage": "discovery"}, content_type="application/json").status_code == 200
