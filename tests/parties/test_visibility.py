"""Who sees which organisations, contacts and users."""

import pytest
from django.http import Http404

from salesdesk.parties import selectors
from salesdesk.parties.models import Organisation

pytestmark = pytest.mark.django_db


def test_staff_see_every_organisation(agent, world_a, world_b, own_org):
    assert set(selectors.visible_organisations(agent)) == set(Organisation.objects.all())


def test_partner_sees_itself_and_the_customers_it_manages(world_a, world_b):
    seen = set(selectors.visible_organisations(world_a.partner_user))
    assert seen == {world_a.partner, world_a.customer}
    assert set(selectors.visible_contacts(world_a.partner_user)) == {world_a.contact}


def test_customer_sees_only_its_own_organisation(world_a, world_b):
    assert list(selectors.visible_organisations(world_a.customer_user)) == [world_a.customer]
    assert list(selectors.visible_contacts(world_b.customer_user)) == [world_b.contact]


def test_a_foreign_record_is_not_found(world_a, world_b):
    with pytest.raises(Http404):
        selectors.organisation_get_for_user(user=world_a.partner_user, organisation_id=world_b.customer.pk)
    with pytest.raises(Http404):
        selectors.contact_get_for_user(user=world_a.customer_user, contact_id=world_b.contact.pk)


def test_external_users_see_only_the_people_of_their_world(world_a, world_b, agent):
    seen = set(selectors.visible_users(world_a.partner_user))
    assert world_a.partner_teammate in seen and world_a.customer_user in seen
    assert not seen & {world_b.partner_user, world_b.customer_user, agent}


def test_inactive_or_anonymous_users_see_nothing(world_a):
    from django.contrib.auth.models import AnonymousUser

    world_a.partner_user.is_active = False
    assert not selectors.visible_organisations(world_a.partner_user).exists()
    assert not selectors.visible_organisations(AnonymousUser()).exists()


def test_a_partner_loses_sight_of_a_customer_it_no_longer_manages(agent, world_a, world_b):
    from salesdesk.parties import services

    services.organisation_update(
        actor=agent, organisation=world_a.customer, data={"managed_by_id": world_b.partner.pk}
    )
    assert world_a.customer not in selectors.visible_organisations(world_a.partner_user)
    assert world_a.customer in selectors.visible_organisations(world_b.partner_user)


def test_search_filters_by_text_kind_and_partner(agent, world_a, world_b):
    assert list(selectors.organisation_search(user=agent, query="customer a")) == [world_a.customer]
    assert set(selectors.organisation_search(user=agent, kind="partner")) == {
        world_a.partner,
        world_b.partner,
    }
    assert list(selectors.organisation_search(user=agent, managed_by_id=world_b.partner.pk)) == [
        world_b.customer
    ]
