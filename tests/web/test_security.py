"""Every page is sent with the security headers and loads nothing from other sites."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXTERNAL_ASSET = re.compile(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', re.IGNORECASE)


def page_urls(world) -> list[str]:
    return [
        reverse("web:home"),
        reverse("web:organisation_list"),
        reverse("web:organisation_detail", kwargs={"organisation_id": world.customer.pk}),
        reverse("web:contact_list"),
        reverse("web:contact_detail", kwargs={"contact_id": world.contact.pk}),
        reverse("web:opportunity_list"),
        reverse("web:opportunity_detail", kwargs={"opportunity_id": world.opportunity.pk}),
        reverse("web:token_list"),
        reverse("web:job_list"),
        reverse("web:password_change"),
    ]


def test_pages_send_csp_nosniff_and_deny_framing(client_as, presales, world_a):
    client = client_as(presales)
    for url in page_urls(world_a):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
    login = Client().get(reverse("web:login"))
    assert "Content-Security-Policy" in login and login["X-Frame-Options"] == "DENY"


def test_no_page_loads_assets_from_a_cdn_nor_uses_inline_script_or_style(client_as, presales, world_a):
    client = client_as(presales)
    for url in page_urls(world_a):
        html = client.get(url).content.decode()
        assert not EXTERNAL_ASSET.search(html), url
        assert '<script src="http' not in html and '<link href="http' not in html
        assert " style=" not in html and "<style" not in html, url
        # every script is a file from our own static folder
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="/static/' in tag, (url, tag)
    login = Client().get(reverse("web:login")).content.decode()
    assert 'src="/static/django_htmx/htmx-2.min.js"' in login


def test_base_layout_is_accessible_and_configures_htmx_for_csp(client_as, agent):
    html = client_as(agent).get(reverse("web:home")).content.decode()
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert '<nav class="mainnav" aria-label="Main">' in html
    assert '"includeIndicatorStyles":false' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert 'role="search"' in html and "data-search-shortcut" in html


def test_static_files_are_served_locally(client_as, agent):
    client = client_as(agent)
    for path in ("/static/web/app.css", "/static/web/app.js", "/static/django_htmx/htmx-2.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path


def test_permission_denied_is_a_friendly_403(client_as, world_a):
    # a customer user may not create organisations
    response = client_as(world_a.customer_user).get(reverse("web:organisation_create"))
    assert response.status_code == 403
    assert "You may not do this" in response.content.decode()
