"""Pages of deal registration (included under /registrations/ with the "registrations" namespace)."""

from django.urls import path

from . import registration_views as views

app_name = "registrations"

urlpatterns = [
    path("", views.registration_list, name="registration_list"),
    path("new/", views.registration_create, name="registration_create"),
    path("<int:registration_id>/", views.registration_detail, name="registration_detail"),
    path("<int:registration_id>/approve/", views.registration_approve, name="registration_approve"),
    path("<int:registration_id>/reject/", views.registration_reject, name="registration_reject"),
    path("<int:registration_id>/recheck/", views.registration_recheck, name="registration_recheck"),
]
