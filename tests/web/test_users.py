"""User administration: list, change kind and level, deactivate and reactivate."""

import pytest
from django.urls import reverse

from salesdesk.core.roles import UserKind

pytestmark = pytest.mark.django_db


def user_url(user, name="web:user_detail") -> str:
    return reverse(name, kwargs={"user_id": user.pk})


def test_only_admins_reach_the_users_pages(client_as, bid_manager, agent):
    assert client_as(bid_manager).get(reverse("web:user_list")).status_code == 403
    assert (
        client_as(bid_manager).post(user_url(agent), {"kind": "support", "support_level": 6}).status_code
        == 403
    )
    agent.refresh_from_db()
    assert agent.support_level == 1


def test_admin_lists_users_with_their_roles(client_as, admin_user, agent, presales):
    html = client_as(admin_user).get(reverse("web:user_list")).content.decode()
    assert "priya" in html and "jonas" in html and "Level 4 · Presales engineer" in html


def test_user_list_queries_do_not_grow_with_rows(
    client_as, admin_user, staff_factory, count_queries, django_assert_max_num_queries
):
    client = client_as(admin_user)
    baseline = count_queries(lambda: client.get(reverse("web:user_list")))
    for _ in range(15):
        staff_factory(2)
    with django_assert_max_num_queries(baseline):
        assert client.get(reverse("web:user_list")).status_code == 200


def test_admin_changes_a_level_and_it_is_recorded(client_as, admin_user, agent):
    client = client_as(admin_user)
    response = client.post(user_url(agent), {"kind": UserKind.SUPPORT, "support_level": "3"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.support_level == 3
    assert "Level 3" in client.get(response["Location"]).content.decode()


def test_nobody_changes_their_own_role(client_as, admin_user):
    response = client_as(admin_user).post(
        user_url(admin_user), {"kind": UserKind.SUPPORT, "support_level": "6"}
    )
    assert response.status_code == 400
    assert "you cannot change your own role or level" in response.context["form"].errors["support_level"][0]
    admin_user.refresh_from_db()
    assert admin_user.kind == UserKind.ADMIN


def test_an_impossible_role_is_explained_on_the_field(client_as, admin_user, sales_rep):
    response = client_as(admin_user).post(
        user_url(sales_rep), {"kind": UserKind.SUPPORT, "support_level": ""}
    )
    assert response.status_code == 400
    assert "support staff need a level" in response.context["form"].errors["support_level"][0]


def test_deactivate_ends_access_and_reactivate_restores_it(client_as, admin_user, agent):
    victim_client = client_as(agent)
    assert victim_client.get(reverse("web:home")).status_code == 200
    client = client_as(admin_user)
    assert client.post(user_url(agent, "web:user_deactivate")).status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active
    assert victim_client.get(reverse("web:home")).status_code == 302  # signed out
    assert "Deactivated" in client.get(user_url(agent)).content.decode()
    assert client.post(user_url(agent, "web:user_reactivate")).status_code == 302
    agent.refresh_from_db()
    assert agent.is_active


def test_admin_cannot_deactivate_themselves(client_as, admin_user):
    client = client_as(admin_user)
    response = client.post(user_url(admin_user, "web:user_deactivate"), follow=True)
    assert "you cannot deactivate yourself" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active
