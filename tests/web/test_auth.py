"""Signing in and out, changing one's password, and the lock-out after repeated failures."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_renders_with_labelled_fields():
    response = Client().get(reverse("web:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert "Skip to main content" in html


def test_pages_need_a_signed_in_user():
    response = Client().get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_a_user_signs_in_with_their_password_and_lands_on_home(agent):
    client = Client()
    response = client.post(reverse("web:login"), {"username": "priya", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    home = client.get(reverse("web:home"))
    assert "Priya Raman" in home.content.decode()


def test_a_wrong_password_is_refused_with_a_message(agent):
    response = Client().post(reverse("web:login"), {"username": "priya", "password": "not-it"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_repeated_failures_lock_the_login_and_say_when_to_try_again(agent, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post(reverse("web:login"), {"username": "priya", "password": "wrong-one"})
    # even the right password is refused while locked
    response = client.post(reverse("web:login"), {"username": "priya", "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 429
    assert "Sign-in is paused" in html
    assert "try again in 15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(agent, client_as):
    client = client_as(agent)
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 302


def test_password_change_needs_the_old_password_and_then_works(agent):
    client = Client()
    client.post(reverse("web:login"), {"username": "priya", "password": PASSWORD})
    url = reverse("web:password_change")
    assert client.get(url).status_code == 200
    refused = client.post(
        url,
        {
            "old_password": "nope",
            "new_password1": "a-new-long-secret-77",
            "new_password2": "a-new-long-secret-77",
        },
    )
    assert refused.status_code == 200
    assert "old password was entered incorrectly" in refused.content.decode()
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-secret-77",
            "new_password2": "a-new-long-secret-77",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:password_change_done")
    assert "Password changed" in client.get(response["Location"]).content.decode()
    agent.refresh_from_db()
    assert agent.check_password("a-new-long-secret-77")
