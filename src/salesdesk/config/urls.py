from django.contrib import admin
from django.urls import include, path, re_path

from salesdesk.core.api import api_not_found

from .api import api

urlpatterns = [
    path("api/", api.urls),
    # Last under api/: any URL no API route matches (a typo, a trailing slash, /api/ itself)
    # answers the API's JSON 404 instead of the HTML page.
    re_path(r"^api/(?P<unmatched_api_path>.*)$", api_not_found, name="api-not-found"),
    path("admin/", admin.site.urls),
    path("", include("salesdesk.web.urls")),
]
