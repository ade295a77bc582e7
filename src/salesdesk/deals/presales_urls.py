"""Pages for presales requests, included into the "web" namespace (no namespace of their own)."""

from django.urls import path

from . import presales_views as views

urlpatterns = [
    path("presales/", views.presales_list, name="presales_list"),
    path("presales/board/", views.presales_board, name="presales_board"),
    path("presales/new/", views.presales_create, name="presales_create"),
    path("presales/<int:presales_request_id>/", views.presales_detail, name="presales_detail"),
    path("presales/<int:presales_request_id>/step/", views.presales_step, name="presales_step"),
    path("presales/<int:presales_request_id>/assign/", views.presales_assign, name="presales_assign"),
    path("presales/<int:presales_request_id>/comment/", views.presales_comment, name="presales_comment"),
]
