"""API tokens page: list one's own, create with the secret shown once, revoke."""

import pytest
from django.urls import reverse

from salesdesk.core.models import ApiToken
from salesdesk.core.tokens import token_authenticate, token_create

pytestmark = pytest.mark.django_db

URL = reverse("web:token_list")


def test_the_secret_is_shown_once_and_then_only_its_prefix(client_as, agent):
    client = client_as(agent)
    response = client.post(URL, {"name": "CRM sync"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=agent)
    secrets_on_page = [part.split('"')[0] for part in html.split('value="sd_')[1:]]
    assert response.status_code == 201 and len(secrets_on_page) == 1
    secret = "sd_" + secrets_on_page[0]
    assert token_authenticate(secret) == agent
    assert "shown only on this page" in html and "data-copy-target" in html
    assert "no-store" in response["Cache-Control"]
    listing = client.get(URL).content.decode()
    assert "CRM sync" in listing and token.prefix in listing
    assert secret not in listing


def test_a_nameless_token_is_refused_on_the_name_field(client_as, agent):
    response = client_as(agent).post(URL, {"name": "  "})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_revoke_and_one_cannot_touch_anothers_token(client_as, agent, presales):
    mine, secret = token_create(actor=agent, name="mine")
    theirs, their_secret = token_create(actor=presales, name="theirs")
    client = client_as(agent)
    assert "theirs" not in client.get(URL).content.decode()
    assert client.post(reverse("web:token_revoke", kwargs={"token_id": theirs.pk})).status_code == 404
    assert token_authenticate(their_secret) == presales
    response = client.post(reverse("web:token_revoke", kwargs={"token_id": mine.pk}))
    assert response.status_code == 302
    assert token_authenticate(secret) is None
    assert "Revoked" in client.get(URL).content.decode()
