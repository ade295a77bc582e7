"""The pages, all in the "web" namespace. URL parameters name the model they point at."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from salesdesk.deals import views as deal_views
from salesdesk.parties import views as party_views

from . import views

app_name = "web"

urlpatterns = [
    # Signing in and out.
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/password_change.html", success_url=reverse_lazy("web:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path("", views.home, name="home"),
    # Organisations.
    path("organisations/", party_views.organisation_list, name="organisation_list"),
    path("organisations/new/", party_views.organisation_create, name="organisation_create"),
    path("organisations/export/", party_views.organisation_export, name="organisation_export"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path(
        "organisations/<int:organisation_id>/edit/", party_views.organisation_edit, name="organisation_edit"
    ),
    # Contacts.
    path("contacts/", party_views.contact_list, name="contact_list"),
    path("contacts/new/", party_views.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/", party_views.contact_detail, name="contact_detail"),
    path("contacts/<int:contact_id>/edit/", party_views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/delete/", party_views.contact_delete, name="contact_delete"),
    # Opportunities.
    path("opportunities/", deal_views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", deal_views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:opportunity_id>/", deal_views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:opportunity_id>/edit/", deal_views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:opportunity_id>/stage/", deal_views.opportunity_stage, name="opportunity_stage"),
    # Requirements of an opportunity, documents and the customer's sign-off (web namespace).
    path("", include("salesdesk.deals.requirement_urls")),
    # Presales requests: the requester's list, the level-5 board, one request (web namespace).
    path("", include("salesdesk.deals.presales_urls")),
    # API tokens.
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    # Background jobs.
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:job_id>/download/", views.job_download, name="job_download"),
    # Users (administrators).
    path("users/", views.user_list, name="user_list"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:user_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
    # Catalog and knowledge (their own namespaces).
    path("catalog/", include("salesdesk.catalog.urls")),
    path("knowledge/", include("salesdesk.knowledge.urls")),
    path("cases/", include("salesdesk.service.urls")),
    path("estimates/", include("salesdesk.estimates.urls")),
    path("solutions/", include("salesdesk.solutions.urls")),
    path("registrations/", include("salesdesk.deals.registration_urls")),
]
